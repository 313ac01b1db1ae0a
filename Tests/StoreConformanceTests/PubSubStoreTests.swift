import Foundation
import PubSub
import Testing
import XMPPCore

/// `PubSubStore` semantics, identical on every backend (reference: `InMemoryPubSubStore`; the
/// first six cases are `Tests/PubSubTests/StoreContractTests.swift` run over every StoreKind).
@Suite struct PubSubStoreTests {
    typealias F = PubSubFixtures

    @Test(arguments: StoreKind.available)
    func createIsAtomicAndRecordsTheOwner(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let owner = try JID(F.owner), alice = try JID(F.alice)
            #expect(try await store.createNode(F.makeNode("n"), owner: owner))
            #expect(try await !store.createNode(F.makeNode("n"), owner: alice))
            #expect(try await store.affiliation(of: owner, on: F.node("n")) == .owner)
            #expect(try await store.affiliation(of: alice, on: F.node("n")) == .none)
            // Concurrent creates of one NodeID: exactly one wins (§8.1.1).
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.createNode(F.makeNode("race"), owner: owner) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteCascadesAndOrphansChildren(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let owner = try JID(F.owner), alice = try JID(F.alice)
            _ = try await store.createNode(F.makeNode("col", type: .collection), owner: owner)
            _ = try await store.createNode(F.makeNode("leaf", parents: ["col"]), owner: owner)
            _ = try await store.appendItem(F.item("a", 1), to: F.node("col"), keepingAtMost: nil)
            try await store.putSubscription(Subscription(
                node: F.node("col"), jid: alice, id: SubscriptionID("s"), state: .subscribed,
                options: SubscriptionOptions()))
            #expect(try await store.childNodes(of: F.node("col")).map(\.id) == [F.node("leaf")])
            #expect(try await store.deleteNode(F.node("col")))
            #expect(try await !store.deleteNode(F.node("col")))
            #expect(try await store.node(F.node("leaf"))?.parents == [])
            #expect(try await store.childNodes(of: nil).map(\.id) == [F.node("leaf")])
            #expect(try await store.subscriptions(ofBare: alice).isEmpty)
            #expect(try await store.affiliations(of: owner).map(\.node) == [F.node("leaf")])
            // A node re-created with the same id starts empty.
            _ = try await store.createNode(F.makeNode("col", type: .collection), owner: owner)
            #expect(try await store.items(in: F.node("col"), query: .all).count == 0)
            #expect(try await store.childNodes(of: F.node("col")).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func appendTrimsAndReplaces(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let n = try F.node("n")
            _ = try await store.createNode(F.makeNode("n"), owner: try JID(F.owner))
            for index in 0..<4 { _ = try await store.appendItem(F.item("\(index)", Double(index)), to: n, keepingAtMost: 4) }
            #expect(try await store.appendItem(F.item("4", 4), to: n, keepingAtMost: 4) == ["0"])
            #expect(try await store.appendItem(F.item("2", 5), to: n, keepingAtMost: 4) == [])
            #expect(try await store.items(in: n, query: .all).items.map(\.id) == ["1", "3", "4", "2"])
            #expect(try await store.appendItem(F.item("5", 6), to: n, keepingAtMost: 2) == ["1", "3", "4"])
            // The overwrite carries its new payload and time.
            let replaced = try F.item("5", 7, payload: [9, 9])
            _ = try await store.appendItem(replaced, to: n, keepingAtMost: nil)
            #expect(try await store.items(in: n, query: .ids(["5"])).items == [replaced])
            // No node, nothing stored.
            #expect(try await store.appendItem(F.item("x", 8), to: F.node("missing"), keepingAtMost: 1) == [])
            #expect(try await store.items(in: F.node("missing"), query: .all).count == 0)
        }
    }

    /// Texts go in and come back byte for byte through the append and its eviction (node, id and
    /// publisher are bound as UTF-8 by length: multi-byte characters, whitespace and an empty id).
    @Test(arguments: StoreKind.available)
    func appendKeepsTextsExact(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let n = try F.node("étage-2/température")
            _ = try await store.createNode(F.makeNode("étage-2/température"), owner: try JID(F.owner))
            let ids = ["ü€😀", "", "a b\tc", "plain"]
            for (index, id) in ids.enumerated() {
                _ = try await store.appendItem(
                    Item(id: id, publisher: try JID("jörg@example.org/capteur"), payload: [], published: F.at(Double(index))),
                    to: n, keepingAtMost: 10)
            }
            let stored = try await store.items(in: n, query: .all).items
            #expect(stored.map(\.id) == ids)
            #expect(stored.allSatisfy { $0.publisher == (try? JID("jörg@example.org/capteur")) && $0.payload.isEmpty })
            #expect(try await store.appendItem(F.item("last", 9), to: n, keepingAtMost: 1) == ids)
        }
    }

    /// `appendItems`: the same outcomes as the appends one by one, in order per node, each its own.
    @Test(arguments: StoreKind.available)
    func manyAppendsAtOnceActAsOneByOne(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let (a, b) = (try F.node("a"), try F.node("b"))
            for name in ["a", "b"] { _ = try await store.createNode(F.makeNode(name), owner: try JID(F.owner)) }
            let appends = try [
                ItemAppend(item: F.item("a1", 1), node: a, limit: 2, outbox: []),
                ItemAppend(item: F.item("b1", 2), node: b, limit: nil, outbox: []),
                ItemAppend(item: F.item("a2", 3), node: a, limit: 2, outbox: []),
                ItemAppend(item: F.item("a3", 4), node: a, limit: 2, outbox: []),
                ItemAppend(item: F.item("x", 5), node: F.node("missing"), limit: 1, outbox: []),
                ItemAppend(item: F.item("a4", 6), node: a, limit: 2, outbox: []),
            ]
            let outcomes = try await store.appendItems(appends).map { try $0.get() }
            #expect(outcomes == [[], [], [], ["a1"], [], ["a2"]])
            #expect(try await store.items(in: a, query: .all).items.map(\.id) == ["a3", "a4"])
            #expect(try await store.items(in: b, query: .all).items.map(\.id) == ["b1"])
            #expect(await store.appendItems([]).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func queriesFollowCursorOrder(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let n = try F.node("n")
            _ = try await store.createNode(F.makeNode("n"), owner: try JID(F.owner))
            // Two items share a timestamp: the id breaks the tie.
            for (id, seconds) in [("a", 1.0), ("c", 2.0), ("b", 2.0), ("d", 3.0)] {
                _ = try await store.appendItem(F.item(id, seconds), to: n, keepingAtMost: nil)
            }
            func ids(_ query: ItemQuery) async throws -> [String] {
                try await store.items(in: n, query: query).items.map(\.id)
            }
            #expect(try await ids(.all) == ["a", "b", "c", "d"])
            #expect(try await ids(.mostRecent(2)) == ["c", "d"])
            #expect(try await ids(ItemQuery(limit: 2, fromOldest: true)) == ["a", "b"])
            let b = ItemCursor(published: F.at(2), id: "b")
            #expect(try await ids(ItemQuery(limit: 1, after: b)) == ["c"])
            #expect(try await ids(ItemQuery(after: b)) == ["c", "d"])
            #expect(try await ids(ItemQuery(limit: 5, before: b)) == ["a"])
            #expect(try await ids(.ids(["d", "a", "x"])) == ["a", "d"])
            #expect(try await store.items(in: n, query: .mostRecent(1)).count == 4)
            // Cursors survive their string form (RSM <after/>, XEP-0059 §2.5).
            let page = try await store.items(in: n, query: ItemQuery(limit: 2, fromOldest: true))
            let token = try #require(page.last?.token)
            #expect(try await ids(ItemQuery(limit: 2, after: ItemCursor(token: token))) == ["c", "d"])
            #expect(try await ids(ItemQuery(limit: 0)) == [])
            #expect(try await ids(ItemQuery(limit: 1, after: b, before: ItemCursor(published: F.at(3), id: "d"))) == ["c"])
        }
    }

    @Test(arguments: StoreKind.available)
    func retractPurgeExpire(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let n = try F.node("n")
            _ = try await store.createNode(F.makeNode("n"), owner: try JID(F.owner))
            for index in 0..<5 { _ = try await store.appendItem(F.item("\(index)", Double(index)), to: n, keepingAtMost: nil) }
            #expect(try await store.retractItems(["1", "x"], from: n) == ["1"])
            // A cutoff a fraction of a microsecond after item 3: strictly-before still excludes it.
            #expect(try await store.expireItems(in: n, publishedBefore: F.at(3).addingTimeInterval(-1e-7)) == ["0", "2"])
            #expect(try await store.expireItems(in: n, publishedBefore: F.at(3)) == [])
            #expect(try await store.purgeItems(in: n) == ["3", "4"])
            #expect(try await store.items(in: n, query: .all).count == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func affiliationsAndSubscriptions(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let owner = try JID(F.owner), alice = try JID(F.alice), n = try F.node("n")
            _ = try await store.createNode(F.makeNode("n"), owner: owner)
            try await store.setAffiliation(.publisher, of: try alice.with(resource: "r"), on: n)
            #expect(try await store.affiliation(of: alice, on: n) == .publisher)
            try await store.setAffiliation(.none, of: alice, on: n)
            #expect(try await store.affiliations(on: n).map(\.jid) == [owner])
            try await store.setAffiliation(.outcast, of: alice, on: F.node("missing"))
            #expect(try await store.affiliations(of: alice).isEmpty)

            let full = try alice.with(resource: "phone")
            var subscription = Subscription(node: n, jid: full, id: SubscriptionID("1"), state: .pending,
                                            options: SubscriptionOptions(subscriptionDepth: .all))
            try await store.putSubscription(subscription)
            subscription.state = .subscribed
            try await store.putSubscription(subscription)
            #expect(try await store.subscriptions(ofBare: alice) == [subscription])
            try await store.removeSubscription(SubscriptionID("1"), on: n)
            #expect(try await store.subscriptions(on: n).isEmpty)
        }
    }
}
