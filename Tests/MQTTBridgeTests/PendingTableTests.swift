@testable import MQTTBridge
import Synchronization
import Testing

/// The acknowledgement table is where libmosquitto's thread and Swift callers meet: both orders of
/// "caller registers" and "acknowledgement arrives" must end with the caller resumed exactly once.
@Suite struct PendingTableTests {
    @Test func acknowledgementAfterRegistrationResumesTheWaiter() async throws {
        let table = TableBox()
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            #expect(table.register(mid: 7, waiter, lost: false) == nil)
            table.complete(mid: 7)?.resume()
        }
        #expect(table.isEmpty)
    }

    @Test func acknowledgementBeforeRegistrationIsKeptForTheCaller() async throws {
        let table = TableBox()
        #expect(table.complete(mid: 9) == nil)
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            if table.register(mid: 9, waiter, lost: false) != nil { waiter.resume() }
        }
        #expect(table.isEmpty)
    }

    @Test func connectionLossFailsOnlyTheRequestsItLoses() async throws {
        let table = TableBox()
        let lost = Task {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                _ = table.register(mid: 1, waiter, lost: true)
            }
        }
        let kept = Task {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                _ = table.register(mid: 2, waiter, lost: false)
            }
        }
        while table.count < 2 { await Task.yield() }
        for waiter in table.takeLost() { waiter.resume(throwing: MQTTError(.connectionLost, "test")) }
        await #expect(throws: MQTTError.self) { try await lost.value }
        table.complete(mid: 2)?.resume()
        try await kept.value
        #expect(table.isEmpty)
    }

    @Test func ignoredAcknowledgementsResumeNobody() {
        let table = TableBox()
        table.ignore(mid: 3)
        #expect(table.complete(mid: 3) == nil)
        #expect(table.isEmpty)
    }
}

/// A lock around the table so the test tasks can share it, as `ClientState` shares it in the client.
private final class TableBox: Sendable {
    private let table = Mutex(PendingTable<Void>())
    typealias Waiter = CheckedContinuation<Void, any Error>

    func register(mid: Int32, _ waiter: Waiter, lost: Bool) -> Void? {
        table.withLock { $0.register(mid: mid, waiter: waiter, lostWithConnection: lost) }
    }
    func complete(mid: Int32) -> Waiter? { table.withLock { $0.complete(mid: mid, with: ()) } }
    func ignore(mid: Int32) { table.withLock { $0.ignore(mid: mid) } }
    func takeLost() -> [Waiter] { table.withLock { $0.takeLostWithConnection() } }
    var isEmpty: Bool { table.withLock { $0.isEmpty } }
    var count: Int { table.withLock { $0.count } }
}
