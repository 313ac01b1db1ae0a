import Metrics

/// The counters of one bridge connection, through swift-metrics (issue 5: "Counters per mapping
/// (messages in/out, bytes, queue depth, reconnects)"). Whatever backend the process bootstraps
/// (Prometheus, StatsD, a test factory) receives them; without one they cost nothing.
///
/// Labels: `starling_bridge_*`, dimensions `bridge` (the connection name) and, per mapping, `mapping`.
struct BridgeMetrics: Sendable {
    struct PerMapping: Sendable {
        let messagesIn: Counter
        let bytesIn: Counter
        let messagesOut: Counter
        let bytesOut: Counter
        /// Inbound messages that could not become items (bad payload, refused by the node).
        let rejected: Counter
    }

    let bridge: String
    private let mappings: [String: PerMapping]
    let queueDepth: Gauge
    let reconnects: Counter
    /// Outbound messages dropped because the queue reached `queue_limit`.
    let dropped: Counter
    /// Inbound messages recognised as the broker echoing our own publish (loop prevention).
    let echoesDropped: Counter
    /// Inbound messages no mapping takes (possible with overlapping `out` filters on the broker).
    let unmapped: Counter
    /// Outbound messages the broker refused or that could not be sent at all.
    let sendFailures: Counter

    init(bridge: String, mappings: [String], factory: any MetricsFactory) {
        self.bridge = bridge
        func dimensions(_ mapping: String?) -> [(String, String)] {
            [("bridge", bridge)] + (mapping.map { [("mapping", $0)] } ?? [])
        }
        var table: [String: PerMapping] = [:]
        for mapping in mappings {
            let d = dimensions(mapping)
            table[mapping] = PerMapping(
                messagesIn: Counter(label: "starling_bridge_messages_in_total", dimensions: d, factory: factory),
                bytesIn: Counter(label: "starling_bridge_bytes_in_total", dimensions: d, factory: factory),
                messagesOut: Counter(label: "starling_bridge_messages_out_total", dimensions: d, factory: factory),
                bytesOut: Counter(label: "starling_bridge_bytes_out_total", dimensions: d, factory: factory),
                rejected: Counter(label: "starling_bridge_rejected_total", dimensions: d, factory: factory))
        }
        self.mappings = table
        queueDepth = Gauge(label: "starling_bridge_queue_depth", dimensions: dimensions(nil), factory: factory)
        reconnects = Counter(label: "starling_bridge_reconnects_total", dimensions: dimensions(nil), factory: factory)
        dropped = Counter(label: "starling_bridge_dropped_total", dimensions: dimensions(nil), factory: factory)
        echoesDropped = Counter(label: "starling_bridge_echoes_dropped_total", dimensions: dimensions(nil), factory: factory)
        unmapped = Counter(label: "starling_bridge_unmapped_total", dimensions: dimensions(nil), factory: factory)
        sendFailures = Counter(label: "starling_bridge_send_failures_total", dimensions: dimensions(nil), factory: factory)
    }

    func mapping(_ name: String) -> PerMapping? { mappings[name] }
}
