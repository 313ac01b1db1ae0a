import Foundation
import PubSub
import Testing
import XMPPCore

/// The MQTT bridge's transactional outbox (PubSub/Outbox.swift), identical on every backend: messages
/// commit with their item, keep their order per queue, survive a reopen, and the bound trims oldest first.
@Suite struct OutboxStoreTests {
    typealias F = PubSubFixtures

    static func message(_ queue: String, _ n: Int, payload: [UInt8]? = nil) -> OutboxMessage {
        OutboxMessage(queue: queue, topic: "site/\(n)/temp", payload: payload ?? Array("\(n)".utf8),
                      qos: n % 2, retain: n % 3 == 0)
    }

    @Test(arguments: StoreKind.available)
    func messagesCommitWithTheirItemInOrder(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            _ = try await store.createNode(F.makeNode("n"), owner: try JID(F.owner))
            // Many concurrent appends (group commit batches them): each item's outbox rows are there,
            // in the order of its own list, and the queue holds exactly what was appended.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        _ = try await store.appendItem(
                            F.item("i\(i)", Double(i)), to: F.node("n"), keepingAtMost: nil,
                            outbox: [Self.message("q", 2 * i), Self.message("q", 2 * i + 1), Self.message("other", i)])
                    }
                }
                try await group.waitForAll()
            }
            let all = try await store.outbox("q", after: nil, limit: 1000)
            #expect(all.count == 80)
            #expect(try await store.outboxCount("q") == 80)
            #expect(try await store.outboxCount("other") == 40)
            #expect(all.map(\.sequence) == all.map(\.sequence).sorted())
            // Within one item the two messages keep their order (2i before 2i+1).
            var position: [String: Int] = [:]
            for (index, entry) in all.enumerated() { position[entry.message.topic] = index }
            for i in 0..<40 {
                let first = try #require(position["site/\(2 * i)/temp"])
                let second = try #require(position["site/\(2 * i + 1)/temp"])
                #expect(first < second)
            }
            #expect(all.allSatisfy { $0.message.queue == "q" })
            #expect(all.first { $0.message.topic == "site/3/temp" }?.message == Self.message("q", 3))
        }
    }

    @Test(arguments: StoreKind.available)
    func appendToAMissingNodeQueuesNothing(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            _ = try await store.appendItem(F.item("x", 1), to: F.node("missing"), keepingAtMost: nil,
                                           outbox: [Self.message("q", 1)])
            #expect(try await store.outboxCount("q") == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func pagingRemovalAndTrim(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let payload = Fixtures.allBytes + Fixtures.bytes(4096, seed: 7)
            try await store.enqueue((0..<10).map { Self.message("q", $0, payload: $0 == 4 ? payload : nil) }, at: F.at(1))
            let firstPage = try await store.outbox("q", after: nil, limit: 4)
            #expect(firstPage.map(\.message.topic) == (0..<4).map { "site/\($0)/temp" })
            let secondPage = try await store.outbox("q", after: firstPage.last?.sequence, limit: 4)
            #expect(secondPage.map(\.message.topic) == (4..<8).map { "site/\($0)/temp" })
            #expect(secondPage.first?.message.payload == payload)  // byte-exact
            #expect(secondPage.first?.enqueued == F.at(1))

            try await store.removeFromOutbox("q", through: try #require(firstPage.last?.sequence))
            #expect(try await store.outboxCount("q") == 6)
            #expect(try await store.outbox("q", after: nil, limit: 100).first?.message.topic == "site/4/temp")

            // The bound drops the oldest and says how many.
            #expect(try await store.trimOutbox("q", keepingAtMost: 4) == 2)
            #expect(try await store.outbox("q", after: nil, limit: 100).map(\.message.topic)
                    == (6..<10).map { "site/\($0)/temp" })
            #expect(try await store.trimOutbox("q", keepingAtMost: 4) == 0)
            // A sequence is never reused, even after the newest rows went.
            let newest = try #require(try await store.outbox("q", after: nil, limit: 100).last?.sequence)
            try await store.removeFromOutbox("q", through: newest)
            try await store.enqueue([Self.message("q", 99)], at: F.at(2))
            #expect(try #require(try await store.outbox("q", after: nil, limit: 1).first).sequence > newest)
        }
    }

    @Test(arguments: StoreKind.persistent)
    func outboxSurvivesReopen(_ kind: StoreKind) async throws {
        try await kind.withLocation { location async throws in
            let first = try await location.openPubSub()
            _ = try await first.store.createNode(F.makeNode("n"), owner: try JID(F.owner))
            _ = try await first.store.appendItem(F.item("a", 1), to: F.node("n"), keepingAtMost: nil,
                                                 outbox: [Self.message("q", 1), Self.message("q", 2)])
            try await first.close()
            let second = try await location.openPubSub()
            let entries = try await second.store.outbox("q", after: nil, limit: 10)
            #expect(entries.map(\.message) == [Self.message("q", 1), Self.message("q", 2)])
            try await second.close()
        }
    }
}
