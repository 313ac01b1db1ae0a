import Foundation
import PubSub
import Testing
import XMPPCore

/// Pubsub data survives a restart, payloads come back byte-exact, `max_items` trimming is atomic,
/// and the documented orders hold on every backend.
@Suite struct PubSubPersistenceTests {
    typealias F = PubSubFixtures

    /// A configuration with every field away from its default.
    static func fullConfiguration(parents: [NodeID]) throws -> NodeConfiguration {
        var c = NodeConfiguration.defaults(for: .leaf)
        c.title = "Température — étage 2"
        c.description = "°C, every 10 s\n'quoted' \"double\""
        c.payloadType = "urn:example:reading"
        c.maxItems = nil
        c.publishNodeFull = .reject
        c.itemExpire = .seconds(86_400)
        c.accessModel = .whitelist
        c.publishModel = .open
        c.deliverPayloads = false
        c.deliverNotifications = false
        c.notifyConfig = true
        c.notifyDelete = true
        c.notifyRetract = true
        c.notifySub = true
        c.persistItems = false
        c.presenceBasedDelivery = true
        c.sendLastPublishedItem = .onSubAndPresence
        c.notificationType = .normal
        c.maxPayloadSize = nil
        c.rosterGroupsAllowed = ["Friends", "友達", ""]
        c.subscribe = false
        c.collections = parents
        c.childrenAssociationPolicy = .whitelist
        c.childrenAssociationWhitelist = [try JID("bob@example.org"), try JID("sensors.example.org")]
        c.childrenMax = 7
        return c
    }

    @Test(arguments: StoreKind.persistent)
    func everythingSurvivesReopen(_ kind: StoreKind) async throws {
        try await kind.withLocation { location async throws in
            let owner = try JID(F.owner), alice = try JID(F.alice)
            let site = try F.makeNode("site-a", type: .collection)
            var floorConfiguration = NodeConfiguration.defaults(for: .collection)
            floorConfiguration.collections = [site.id]
            floorConfiguration.maxItems = 0
            let floor = Node(id: try F.node("site-a/floor-2"), configuration: floorConfiguration,
                             creator: nil, created: F.at(-100))
            let other = try F.makeNode("other", type: .collection)
            // Two parents, order kept (XEP-0248 §4.1: a DAG).
            let temp = Node(id: try F.node("site-a/floor-2/temp"),
                            configuration: try Self.fullConfiguration(parents: [floor.id, other.id]),
                            creator: alice, created: F.at(5.000_001))
            let subscriptions = [
                Subscription(node: temp.id, jid: try alice.with(resource: "dash"), id: SubscriptionID("s1"),
                             state: .subscribed,
                             options: SubscriptionOptions(deliver: false, expire: F.at(3600.5), includeBody: true,
                                                          showValues: ["away", "chat"], subscriptionType: .items,
                                                          subscriptionDepth: .levels(3))),
                Subscription(node: site.id, jid: alice, id: SubscriptionID("s2"), state: .unconfigured,
                             options: SubscriptionOptions(subscriptionType: .all, subscriptionDepth: .all)),
                Subscription(node: temp.id, jid: alice, id: SubscriptionID("s3"), state: .none,
                             options: SubscriptionOptions(subscriptionDepth: .levels(0))),
            ]
            let items = try (0..<5).map { try F.item("reading-\($0)", 10 + Double($0) * 0.000_001,
                                                     payload: Fixtures.bytes(64 + $0, seed: UInt8($0))) }
            let system = Item(id: "system", publisher: nil, payload: [], published: F.at(20))

            let first = try await location.openPubSub()
            for node in [site, floor, other, temp] { #expect(try await first.store.createNode(node, owner: owner)) }
            try await first.store.setAffiliation(.publishOnly, of: alice, on: temp.id)
            try await first.store.setAffiliation(.member, of: try JID("bob@example.org"), on: temp.id)
            try await first.store.setAffiliation(.outcast, of: try JID("eve@example.org"), on: site.id)
            for subscription in subscriptions { try await first.store.putSubscription(subscription) }
            for item in items + [system] { _ = try await first.store.appendItem(item, to: temp.id, keepingAtMost: 5) }
            try await first.close()

            let second = try await location.openPubSub()
            let store = second.store
            #expect(try await store.node(temp.id) == temp)
            #expect(try await store.node(floor.id) == floor)
            #expect(try await store.node(site.id) == site)
            #expect(try await store.childNodes(of: nil).map(\.id) == [other.id, site.id])
            #expect(try await store.childNodes(of: floor.id) == [temp])
            #expect(try await store.childNodes(of: other.id) == [temp])
            #expect(try await store.nodesWithItemExpiry() == [temp])
            #expect(try await store.affiliations(on: temp.id).map(\.affiliation) == [.publishOnly, .member, .owner])
            #expect(try await store.affiliation(of: try JID("eve@example.org"), on: site.id) == .outcast)
            #expect(try await store.subscriptions(on: temp.id) == [subscriptions[0], subscriptions[2]])
            #expect(try await store.subscriptions(ofBare: alice) == [subscriptions[1], subscriptions[0], subscriptions[2]])
            let page = try await store.items(in: temp.id, query: .all)
            #expect(page.items == Array(items.dropFirst()) + [system])
            #expect(page.count == 5)
            // Cursor paging continues across the restart.
            let cursor = ItemCursor(published: items[2].published, id: items[2].id)
            #expect(try await store.items(in: temp.id, query: ItemQuery(limit: 2, after: cursor)).items
                == [items[3], items[4]])
            // Updates and deletes persist too.
            var updated = temp
            updated.configuration.collections = [other.id]
            updated.configuration.itemExpire = nil
            try await store.updateNode(updated)
            #expect(try await store.deleteNode(site.id))
            try await second.close()

            let third = try await location.openPubSub()
            #expect(try await third.store.node(updated.id) == updated)
            #expect(try await third.store.node(floor.id)?.parents == [])
            #expect(try await third.store.nodesWithItemExpiry() == [])
            #expect(try await third.store.subscriptions(ofBare: alice) == [subscriptions[0], subscriptions[2]])
            try await third.close()
        }
    }

    @Test(arguments: StoreKind.available)
    func payloadsAreByteExact(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let n = try F.node("bytes")
            _ = try await store.createNode(F.makeNode("bytes"), owner: try JID(F.owner))
            let mebibyte = Fixtures.bytes(1 << 20, seed: 17)
            let payloads: [[UInt8]] = [
                Fixtures.allBytes, Fixtures.allBytes.reversed(), [], [0], mebibyte,
                Array("<reading xmlns='urn:x'>  21.5\t</reading>".utf8),
            ]
            let items = try payloads.enumerated().map { try F.item("p\($0.offset)", Double($0.offset), payload: $0.element) }
            for item in items { _ = try await store.appendItem(item, to: n, keepingAtMost: nil) }
            let stored = try await store.items(in: n, query: .all).items
            #expect(stored.map(\.payload) == payloads)
            #expect(stored == items)
        }
    }

    /// `max_items` is enforced in the append's own transaction: many concurrent publishes never
    /// leave more than the limit, and every evicted id is reported exactly once.
    @Test(arguments: StoreKind.available)
    func concurrentAppendsTrimAtomically(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let n = try F.node("busy")
            _ = try await store.createNode(F.makeNode("busy"), owner: try JID(F.owner))
            let count = 60, limit = 5
            let evicted = try await withThrowingTaskGroup(of: [String].self) { group in
                for index in 0..<count {
                    group.addTask {
                        let item = try F.item(String(format: "i%03d", index), Double(index))
                        let evicted = try await store.appendItem(item, to: n, keepingAtMost: limit)
                        #expect(evicted.count <= 1)
                        return evicted
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let remaining = try await store.items(in: n, query: .all)
            #expect(remaining.count == limit)
            #expect(Set(evicted).count == evicted.count)
            #expect(evicted.count == count - limit)
            #expect(Set(evicted).union(remaining.items.map(\.id)).count == count)
        }
    }

    @Test(arguments: StoreKind.available)
    func listsKeepTheirDocumentedOrder(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let owner = try JID(F.owner), alice = try JID(F.alice)
            for id in ["b", "a", "c", "B", "é"] { _ = try await store.createNode(F.makeNode(id), owner: owner) }
            #expect(try await store.childNodes(of: nil).map(\.id.rawValue) == ["B", "a", "b", "c", "é"])
            #expect(try await store.affiliations(of: owner).map(\.node.rawValue) == ["B", "a", "b", "c", "é"])
            for name in ["zed", "bob", "carol"] {
                try await store.setAffiliation(.member, of: try JID("\(name)@example.org"), on: F.node("a"))
            }
            #expect(try await store.affiliations(on: F.node("a")).map(\.jid.localpart)
                == ["bob", "carol", "owner", "zed"])
            // Creation order within a node, kept by a replacement; removal and re-adding moves to the end.
            func subscription(_ node: String, _ id: String, _ state: SubscriptionState = .subscribed) throws -> Subscription {
                Subscription(node: try F.node(node), jid: try alice.with(resource: id), id: SubscriptionID(id),
                             state: state, options: SubscriptionOptions())
            }
            for (node, id) in [("c", "1"), ("a", "2"), ("a", "3"), ("a", "4"), ("b", "5")] {
                try await store.putSubscription(try subscription(node, id, .pending))
            }
            try await store.putSubscription(try subscription("a", "2"))
            try await store.removeSubscription(SubscriptionID("3"), on: F.node("a"))
            try await store.putSubscription(try subscription("a", "3"))
            #expect(try await store.subscriptions(on: F.node("a")).map(\.id.rawValue) == ["2", "4", "3"])
            #expect(try await store.subscriptions(on: F.node("a")).first?.state == .subscribed)
            #expect(try await store.subscriptions(ofBare: alice).map(\.id.rawValue) == ["2", "4", "3", "5", "1"])
            // A subscription to a node that does not exist is not stored.
            try await store.putSubscription(try subscription("missing", "9"))
            #expect(try await store.subscriptions(ofBare: alice).count == 5)
        }
    }

    @Test(arguments: StoreKind.persistent)
    func pubsubMigrationIsKnown(_ kind: StoreKind) async throws {
        try await kind.withLocation { location async throws in
            #expect(try location.knownMigrations() == ["001_accounts", "002_pubsub", "003_outbox", "004_publish_node_full"])
        }
    }
}

extension PubSubPersistenceTests {
    /// Whatever order concurrent publishes to several nodes arrive in (and however group commit
    /// batches them), each node ends with its `limit` newest items by `(published, id)`.
    @Test(arguments: StoreKind.available)
    func concurrentAppendsToManyNodesKeepTheNewest(_ kind: StoreKind) async throws {
        try await kind.withPubSubStore { store async throws in
            let names = ["n1", "n2", "n3", "n4"], perNode = 40, limit = 3
            for name in names { _ = try await store.createNode(F.makeNode(name), owner: try JID(F.owner)) }
            let evicted = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
                for index in 0..<perNode {
                    for name in names {
                        group.addTask {
                            let item = try F.item("\(name)-" + String(format: "%03d", index), Double(index))
                            return (name, try await store.appendItem(item, to: F.node(name), keepingAtMost: limit))
                        }
                    }
                }
                return try await group.reduce(into: [String: [String]]()) { $0[$1.0, default: []] += $1.1 }
            }
            for name in names {
                let page = try await store.items(in: F.node(name), query: .all)
                #expect(page.items.map(\.id) == (perNode - limit..<perNode).map { "\(name)-" + String(format: "%03d", $0) })
                #expect(Set(evicted[name] ?? []).count == perNode - limit)
            }
        }
    }
}
