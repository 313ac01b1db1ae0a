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
        /// Called once, with this request's outcome, when its batch is done.
        let complete: @Sendable (Result<Response, any Error>) -> Void
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
            enqueue([Waiter(request: request, complete: { continuation.resume(with: $0) })], flush: flush)
        }
    }

    /// Queues several requests at once, in order, and returns each one's outcome once all have
    /// committed: a caller with many requests (one loop turn's publishes from many sessions) waits
    /// once instead of once per request. They join the same batches as everyone else's, so a
    /// failing request still fails only itself.
    public func submit(all requests: [Request], flush: @escaping Flush) async -> [Result<Response, any Error>] {
        guard !requests.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let collector = Collector(count: requests.count, continuation: continuation)
            enqueue(requests.enumerated().map { index, request in
                Waiter(request: request, complete: { collector.record($0, at: index) })
            }, flush: flush)
        }
    }

    private func enqueue(_ waiters: [Waiter], flush: @escaping Flush) {
        let leads = state.withLock { state -> Bool in
            state.waiting.append(contentsOf: waiters)
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if leads { Task { await self.drain(flush) } }
    }

    /// The outcomes of one `submit(all:)`, handed back when the last arrives.
    private final class Collector: Sendable {
        private struct Outcomes {
            var results: [Result<Response, any Error>?]
            var remaining: Int
        }
        private let outcomes: Mutex<Outcomes>
        private let continuation: CheckedContinuation<[Result<Response, any Error>], Never>

        init(count: Int, continuation: CheckedContinuation<[Result<Response, any Error>], Never>) {
            outcomes = Mutex(Outcomes(results: Array(repeating: nil, count: count), remaining: count))
            self.continuation = continuation
        }

        func record(_ result: Result<Response, any Error>, at index: Int) {
            let finished = outcomes.withLock { outcomes -> [Result<Response, any Error>]? in
                outcomes.results[index] = result
                outcomes.remaining -= 1
                return outcomes.remaining == 0 ? outcomes.results.map { $0 ?? .failure(GroupCommitError()) } : nil
            }
            if let finished { continuation.resume(returning: finished) }
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
            for (waiter, response) in zip(batch, responses) { waiter.complete(.success(response)) }
        } catch {
            guard batch.count > 1 else {
                batch.first?.complete(.failure(error))
                return
            }
            for waiter in batch { await write([waiter], flush) }
        }
    }
}

/// A flush returned a different number of responses than it was given requests (a bug).
public struct GroupCommitError: Error {}
