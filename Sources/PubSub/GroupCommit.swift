import Synchronization

/// Group commit: concurrent requests are written together, one transaction (one fsync, one round
/// trip) per batch instead of one each, and each caller resumes only when its batch has committed.
///
/// No timer: the first caller flushes at once; callers arriving meanwhile queue up and form the next
/// batch when that flush ends, so a lone request pays no extra latency and a busy node batches itself.
/// Batches run one at a time, in arrival order. If a batch of several fails, each request is retried
/// alone, so one bad request fails only its own caller.
///
/// Used by the stores' `appendItem` (PubSubStore's hot path); it lives here because every store
/// imports PubSub. Plumbing only: no pubsub rule depends on it.
public final class GroupCommit<Request: Sendable, Response: Sendable>: Sendable {
    public typealias Flush = @Sendable ([Request]) async throws -> [Response]

    private struct Waiter {
        let request: Request
        let continuation: CheckedContinuation<Response, any Error>
    }

    private struct State {
        var waiting: [Waiter] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let maximumBatch: Int

    public init(maximumBatch: Int) {
        self.maximumBatch = max(maximumBatch, 1)
    }

    /// Queues `request` and returns its response once the batch holding it has committed. `flush`
    /// writes a batch in one transaction and returns one response per request, in order; whichever
    /// caller starts a drain uses its own `flush` (all callers pass the same operation).
    public func submit(_ request: Request, flush: @escaping Flush) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state -> Bool in
                state.waiting.append(Waiter(request: request, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if leads { Task { await self.drain(flush) } }
        }
    }

    private func drain(_ flush: Flush) async {
        while true {
            let batch = state.withLock { state -> [Waiter] in
                let batch = Array(state.waiting.prefix(maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            await write(batch, flush)
        }
    }

    private func write(_ batch: [Waiter], _ flush: Flush) async {
        do {
            let responses = try await flush(batch.map(\.request))
            guard responses.count == batch.count else { throw GroupCommitError() }
            for (waiter, response) in zip(batch, responses) { waiter.continuation.resume(returning: response) }
        } catch {
            guard batch.count > 1 else {
                batch.first?.continuation.resume(throwing: error)
                return
            }
            for waiter in batch { await write([waiter], flush) }
        }
    }
}

/// A flush returned a different number of responses than it was given requests (a bug).
public struct GroupCommitError: Error {}
