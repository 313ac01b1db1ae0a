import Synchronization
import Testing
import PubSub

/// The batching behind `appendItem` (a copy of the same type is in StorePostgres).
@Suite struct GroupCommitTests {
    struct Rejected: Error {}

    @Test func concurrentRequestsShareBatchesAndGetTheirOwnResponses() async throws {
        let queue = GroupCommit<Int, Int>(maximumBatch: 16)
        let batches = Mutex<[[Int]]>([])
        let flush: @Sendable ([Int]) async throws -> [Int] = { batch in
            batches.withLock { $0.append(batch) }
            try await Task.sleep(for: .milliseconds(5))
            if batch.contains(13) { throw Rejected() }
            return batch.map { $0 * 2 }
        }
        let results = await withTaskGroup(of: (Int, Int?).self) { group in
            for value in 0..<100 {
                group.addTask { (value, try? await queue.submit(value, flush: flush)) }
            }
            return await group.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
        }
        // Everyone but the rejected request got its own answer: a failing batch is retried one by one.
        for value in 0..<100 { #expect(results[value] == (value == 13 ? nil : value * 2)) }
        let sizes = batches.withLock { $0.map(\.count) }
        #expect(sizes.allSatisfy { $0 <= 16 })
        #expect(sizes.contains { $0 > 1 }, "no batching happened: \(sizes)")
    }

    /// No timer: a lone request is flushed by itself, without waiting for company (its latency
    /// is a benchmark matter; here only that it completes alone, in a batch of one).
    @Test func aLoneRequestIsFlushedAlone() async throws {
        let queue = GroupCommit<Int, Int>(maximumBatch: 8)
        let batches = Mutex<[[Int]]>([])
        let answer = try await queue.submit(21) { batch in
            batches.withLock { $0.append(batch) }
            return batch.map { $0 * 2 }
        }
        #expect(answer == 42)
        #expect(batches.withLock { $0 } == [[21]])
    }

    /// `submit(all:)`: one caller's many requests ride the same batches as everyone else's, come
    /// back in order, and a rejected one fails alone.
    @Test func aSubmissionOfManyGetsEachOutcomeInOrder() async throws {
        let queue = GroupCommit<Int, Int>(maximumBatch: 8)
        let batches = Mutex<[[Int]]>([])
        let flush: @Sendable ([Int]) async throws -> [Int] = { batch in
            batches.withLock { $0.append(batch) }
            try await Task.sleep(for: .milliseconds(2))
            if batch.contains(13) { throw Rejected() }
            return batch.map { $0 * 2 }
        }
        async let alone = queue.submit(1000, flush: flush)
        let outcomes = await queue.submit(all: Array(0..<20), flush: flush)
        #expect(try await alone == 2000)
        #expect(outcomes.count == 20)
        for (value, outcome) in outcomes.enumerated() {
            if value == 13 {
                #expect(throws: Rejected.self) { try outcome.get() }
            } else {
                #expect(try outcome.get() == value * 2)
            }
        }
        let sizes = batches.withLock { $0.map(\.count) }
        #expect(sizes.allSatisfy { $0 <= 8 })
        #expect(sizes.contains { $0 > 1 }, "no batching happened: \(sizes)")
        #expect(await queue.submit(all: [], flush: flush).isEmpty)
    }
}
