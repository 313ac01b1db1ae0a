import Synchronization

/// Exact accounting of a pubsub run, shared by every session's handler and the progress line.
final class PubSubCounters: Sendable {
    /// Subscriptions the server confirmed (XEP-0060 §6.1.2), or MQTT SUBACKs.
    let subscribed = Atomic<Int>(0)
    /// Items seen in event notifications, over all subscribers of this process.
    let notifications = Atomic<Int>(0)
    /// Publish requests written.
    let published = Atomic<Int>(0)
    /// Publish requests answered with an IQ result (XEP-0060 §7.1.2).
    let acknowledged = Atomic<Int>(0)
    /// Publish requests answered with an IQ error; any one fails the run.
    let publishErrors = Atomic<Int>(0)
    /// Notifications whose payload timestamp gave a publish → notification delay.
    let latencies = LatencyRecorder()
    private let firstErrorText = Mutex<String?>(nil)

    init() {}

    func recordError(_ text: String) {
        firstErrorText.withLock { if $0 == nil { $0 = text } }
    }

    var firstError: String? { firstErrorText.withLock { $0 } }
}

/// Publish → notification delays in microseconds; percentiles are exact (every sample is kept:
/// a latency run is rate × seconds × subscribers samples, a few million at most).
final class LatencyRecorder: Sendable {
    private let samples = Mutex<[UInt32]>([])

    init() {}

    func record(microseconds: UInt64) {
        let value = UInt32(clamping: microseconds)
        samples.withLock { $0.append(value) }
    }

    /// (p50, p99, max) in milliseconds, or nil without samples. Nearest-rank percentiles.
    func summary() -> (p50: Double, p99: Double, max: Double, count: Int)? {
        let sorted = samples.withLock { $0 }.sorted()
        guard let last = sorted.last else { return nil }
        func rank(_ p: Double) -> Double {
            let index = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[index]) / 1000
        }
        return (rank(0.50), rank(0.99), Double(last) / 1000, sorted.count)
    }
}
