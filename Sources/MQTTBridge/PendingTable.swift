/// Callers waiting for a broker acknowledgement, keyed by libmosquitto's message id (mid).
///
/// The acknowledgement callback runs on libmosquitto's thread and may fire before the caller has
/// registered: `mosquitto_publish` hands out the mid only when it returns, and the PUBACK can be
/// processed in between. So an unclaimed result is kept (`early`) until its caller registers;
/// every mid handed out to a caller is registered exactly once, so nothing stays behind.
struct PendingTable<Value: Sendable>: Sendable {
    typealias Waiter = CheckedContinuation<Value, any Error>

    private struct Entry {
        var waiter: Waiter
        /// Whether a broken link loses the request (QoS 0 PUBLISH, SUBSCRIBE) rather than
        /// libmosquitto resending it after reconnect (QoS 1 PUBLISH).
        var lostWithConnection: Bool
    }

    private var waiters: [Int32: Entry] = [:]
    private var early: [Int32: Value] = [:]
    /// Mids the client requested by itself (re-subscription after reconnect): nobody waits.
    private var ignored: Set<Int32> = []

    /// Registers a caller; returns the result when it already arrived (the caller resumes itself).
    mutating func register(mid: Int32, waiter: Waiter, lostWithConnection: Bool) -> Value? {
        if let value = early.removeValue(forKey: mid) { return value }
        waiters[mid] = Entry(waiter: waiter, lostWithConnection: lostWithConnection)
        return nil
    }

    /// Marks a mid whose acknowledgement nobody awaits. Only call it on libmosquitto's thread, where
    /// the acknowledgement cannot be processed before this returns.
    mutating func ignore(mid: Int32) {
        ignored.insert(mid)
    }

    /// The waiter for an acknowledgement, or nil when it is ignored or its caller has not registered yet.
    mutating func complete(mid: Int32, with value: Value) -> Waiter? {
        if ignored.remove(mid) != nil { return nil }
        if let entry = waiters.removeValue(forKey: mid) { return entry.waiter }
        early[mid] = value
        return nil
    }

    /// Removes the waiters whose requests die with the connection.
    mutating func takeLostWithConnection() -> [Waiter] {
        let lost = waiters.filter { $0.value.lostWithConnection }
        for mid in lost.keys { waiters[mid] = nil }
        // Re-subscriptions sent on the dead link will never be acknowledged either.
        ignored.removeAll()
        return lost.values.map(\.waiter)
    }

    /// Removes every waiter (the client is closing).
    mutating func takeAll() -> [Waiter] {
        defer {
            waiters.removeAll()
            early.removeAll()
            ignored.removeAll()
        }
        return waiters.values.map(\.waiter)
    }

    var isEmpty: Bool { waiters.isEmpty && early.isEmpty && ignored.isEmpty }

    /// Callers waiting now.
    var count: Int { waiters.count }
}
