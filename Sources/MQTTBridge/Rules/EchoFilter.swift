/// Loop prevention for messages the bridge publishes itself (part 2; part 1 is the publisher check
/// in ``BridgeRouter/outbound(item:on:)``).
///
/// MQTT 3.1.1 has no "no local" subscription option (MQTT 5 §3.8.3.1 added one): a broker delivers
/// a client's own PUBLISH back to it when one of its subscriptions matches (§3.3.5), so with `both`
/// or overlapping `out` and `in` mappings every item sent out would return as a new item. The sender
/// records each message just before publishing it; an inbound message with the same topic and the
/// same payload within ``window`` is that echo, consumed once and dropped. Two identical messages
/// sent give two echoes dropped; a third identical arrival is a real message.
///
/// Payloads are kept as a digest (length, SipHash with this process's random seed, FNV-1a), not
/// as bytes, so memory is bounded by ``capacity`` entries whatever the payload size; a peer cannot
/// predict the seed to forge a collision. When full, the oldest record is forgotten first.
///
/// The runtime owns one per broker connection, on one actor: record before `mosquitto_publish`
/// (the echo can arrive on libmosquitto's thread before the call returns), check every inbound
/// message before ``BridgeRouter/inbound(topic:payload:retained:)``.
public struct EchoFilter<C: Clock>: Sendable where C.Duration == Duration {
    /// The default ``window``: echoes normally return within milliseconds; a minute covers a slow
    /// broker without mistaking a sensor repeating a reading minutes later for an echo.
    public static var defaultWindow: Duration { .seconds(60) }
    /// The default ``capacity``.
    public static var defaultCapacity: Int { 10_000 }

    public let window: Duration
    public let capacity: Int
    public let clock: C

    private struct Key: Hashable, Sendable {
        let topic: String
        let length: Int
        let sipHash: Int
        let fnv: UInt64
    }

    private struct Entry: Sendable {
        let key: Key
        let recorded: C.Instant
    }

    private var entries: [UInt64: Entry] = [:]
    /// Pending sequence numbers per key, oldest first.
    private var sequences: [Key: [UInt64]] = [:]
    /// No entry below this sequence is live.
    private var oldest: UInt64 = 0
    private var next: UInt64 = 0

    public init(window: Duration = Self.defaultWindow, capacity: Int = Self.defaultCapacity, clock: C) {
        self.window = window
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// The records still waiting for their echo (expired ones may linger until the next call).
    public var count: Int { entries.count }

    /// Notes a message about to be published.
    public mutating func recordPublished(topic: String, payload: [UInt8]) {
        let now = clock.now
        expire(now: now)
        while entries.count >= capacity { dropOldest() }
        let key = Self.key(topic: topic, payload: payload)
        entries[next] = Entry(key: key, recorded: now)
        sequences[key, default: []].append(next)
        next += 1
    }

    /// True when the inbound message is the echo of a recorded one, which it then consumes.
    public mutating func consumeEcho(topic: String, payload: [UInt8]) -> Bool {
        expire(now: clock.now)
        let key = Self.key(topic: topic, payload: payload)
        guard var pending = sequences[key], !pending.isEmpty else { return false }
        let sequence = pending.removeFirst()
        sequences[key] = pending.isEmpty ? nil : pending
        entries[sequence] = nil
        return true
    }

    // MARK: - Bookkeeping

    private mutating func expire(now: C.Instant) {
        while oldest < next {
            guard let entry = entries[oldest] else {
                oldest += 1  // consumed earlier
                continue
            }
            guard entry.recorded.advanced(by: window) <= now else { return }
            dropOldest()
        }
    }

    private mutating func dropOldest() {
        while oldest < next {
            defer { oldest += 1 }
            guard let entry = entries.removeValue(forKey: oldest) else { continue }
            if var pending = sequences[entry.key] {
                pending.removeAll { $0 == oldest }
                sequences[entry.key] = pending.isEmpty ? nil : pending
            }
            return
        }
    }

    private static func key(topic: String, payload: [UInt8]) -> Key {
        var hasher = Hasher()
        payload.withUnsafeBytes { hasher.combine(bytes: $0) }
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in payload {
            fnv ^= UInt64(byte)
            fnv &*= 0x0000_0100_0000_01b3
        }
        return Key(topic: topic, length: payload.count, sipHash: hasher.finalize(), fnv: fnv)
    }
}

extension EchoFilter where C == ContinuousClock {
    /// A filter on the monotonic clock, the one the runtime uses.
    public init(window: Duration = Self.defaultWindow, capacity: Int = Self.defaultCapacity) {
        self.init(window: window, capacity: capacity, clock: ContinuousClock())
    }
}
