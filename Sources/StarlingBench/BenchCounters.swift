import Synchronization

/// Exact per-run accounting, shared by every connection and the progress reporter.
final class BenchCounters: Sendable {
    /// Sessions started (TCP connect attempted).
    let started = Atomic<Int>(0)
    /// Sessions that reached a bound resource (RFC 6120 §7).
    let established = Atomic<Int>(0)
    /// Sessions that failed before a bound resource.
    let failed = Atomic<Int>(0)
    /// Established sessions the server closed, or broke, before we asked to close.
    let dropped = Atomic<Int>(0)
    /// Sessions whose stream we ended and whose connection is closed.
    let closed = Atomic<Int>(0)
    /// Next session number to hand out.
    private let nextIndex = Atomic<Int>(0)
    private let firstErrorText = Mutex<String?>(nil)

    init() {}

    /// Hands out session numbers 0, 1, 2 … to concurrent workers.
    func claimIndex() -> Int { nextIndex.add(1, ordering: .relaxed).oldValue }

    func recordFailure(_ error: any Error) {
        failed.add(1, ordering: .relaxed)
        firstErrorText.withLock { if $0 == nil { $0 = "\(error)" } }
    }

    var firstError: String? { firstErrorText.withLock { $0 } }
}
