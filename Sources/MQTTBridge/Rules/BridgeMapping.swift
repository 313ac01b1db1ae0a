/// One configured mapping of a bridge connection: an MQTT topic filter (MQTT 3.1.1 §4.7) ↔ a pubsub
/// node path template (XEP-0060 §4.6.2 NodeIDs, XEP-0248 paths by convention), with the direction
/// items flow, the QoS and the payload conversion.
///
/// ```yaml
/// - name: temps
///   topic: sensors/+/temp      # MQTTTopicFilter
///   node: sensors/{1}/temp     # {n} = n-th wildcard of the filter
///   direction: both            # in | out | both
///   qos: 1                     # 0 | 1
///   format: json               # raw | text | json | xml
///   retain: true               # out: publish retained (MQTT 3.1.1 §3.3.1.3), the node's last item
///   clear_retained_on_retract: true
///   auto_create: true          # in: create missing nodes
/// ```
///
/// A value that exists is valid: the filter and template parse, QoS is 0 or 1, an `out`/`both`
/// mapping is reversible, and direction-specific options are only set where they act.
public struct BridgeMapping: Hashable, Sendable {
    /// Which way items flow through a mapping.
    public enum Direction: String, Hashable, Sendable, CaseIterable {
        /// MQTT → pubsub only (`in`).
        case inbound = "in"
        /// pubsub → MQTT only (`out`).
        case outbound = "out"
        /// Both ways (`both`); loop prevention keeps an item from returning where it came from.
        case both

        /// The configuration word (`in`, `out`, `both`); nil for anything else.
        public init?(configValue: String) {
            self.init(rawValue: configValue)
        }

        public var configValue: String { rawValue }
        public var isInbound: Bool { self != .outbound }
        public var isOutbound: Bool { self != .inbound }
    }

    /// The configuration keys of one mapping, for the loader's unknown-key check.
    public static let configurationKeys: Set<String> = [
        "name", "topic", "node", "direction", "qos", "format", "retain", "clear_retained_on_retract",
        "auto_create",
    ]

    public let name: String
    public let topicMapping: TopicMapping
    public let direction: Direction
    /// The QoS of the subscription (inbound) and of published messages (outbound), MQTT 3.1.1 §4.3.
    public let qos: Int
    public let format: PayloadFormat
    /// Outbound: publish with RETAIN=1, so the broker keeps the node's last item (MQTT 3.1.1 §3.3.1.3).
    public let retain: Bool
    /// Outbound: when the node's last item is retracted, publish a zero-length retained message, which
    /// removes the retained message (MQTT 3.1.1 §3.3.1.3).
    public let clearRetainedOnRetract: Bool
    /// Inbound: create a node that does not exist yet before publishing to it.
    public let autoCreate: Bool

    public init(
        name: String,
        filter: String,
        nodeTemplate: String,
        direction: Direction,
        qos: Int = 1,
        format: PayloadFormat = .raw,
        retain: Bool = false,
        clearRetainedOnRetract: Bool = false,
        autoCreate: Bool = false
    ) throws(BridgeConfigurationError) {
        func failure(_ reason: BridgeConfigurationError.Reason) -> BridgeConfigurationError {
            BridgeConfigurationError(mapping: name, reason: reason)
        }
        guard !name.isEmpty else { throw failure(.emptyMappingName) }
        let topicMapping: TopicMapping
        do {
            topicMapping = try TopicMapping(name: name, filter: filter, nodeTemplate: nodeTemplate)
        } catch {
            throw failure(.topicMapping(error.reason))
        }
        guard qos == 0 || qos == 1 else { throw failure(.unsupportedQoS(qos)) }
        if direction.isOutbound, !topicMapping.isReversible { throw failure(.notReversible) }
        if !direction.isOutbound {
            if retain { throw failure(.optionNeedsDirection(option: "retain", direction: direction)) }
            if clearRetainedOnRetract {
                throw failure(.optionNeedsDirection(option: "clear_retained_on_retract", direction: direction))
            }
        }
        if !direction.isInbound, autoCreate {
            throw failure(.optionNeedsDirection(option: "auto_create", direction: direction))
        }
        self.name = name
        self.topicMapping = topicMapping
        self.direction = direction
        self.qos = qos
        self.format = format
        self.retain = retain
        self.clearRetainedOnRetract = clearRetainedOnRetract
        self.autoCreate = autoCreate
    }

    /// Parses the configuration words of `direction`, `format` and `qos`, so every loader reports
    /// them the same way; the other fields are typed already.
    public init(
        name: String,
        filter: String,
        nodeTemplate: String,
        direction: String,
        qos: Int = 1,
        format: String = PayloadFormat.raw.configValue,
        retain: Bool = false,
        clearRetainedOnRetract: Bool = false,
        autoCreate: Bool = false
    ) throws(BridgeConfigurationError) {
        guard let parsedDirection = Direction(configValue: direction) else {
            throw BridgeConfigurationError(mapping: name, reason: .invalidValue(
                key: "direction", value: direction, expected: "in, out or both"))
        }
        guard let parsedFormat = PayloadFormat(configValue: format) else {
            throw BridgeConfigurationError(mapping: name, reason: .invalidValue(
                key: "format", value: format, expected: "raw, text, json or xml"))
        }
        try self.init(
            name: name, filter: filter, nodeTemplate: nodeTemplate, direction: parsedDirection, qos: qos,
            format: parsedFormat, retain: retain, clearRetainedOnRetract: clearRetainedOnRetract,
            autoCreate: autoCreate)
    }

    /// The topic filter, as configured.
    public var filter: MQTTTopicFilter { topicMapping.filter }
    /// The node path template, as configured.
    public var nodeTemplate: String { topicMapping.nodeTemplate }
}
