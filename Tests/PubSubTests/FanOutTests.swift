import Foundation
import PubSub
import Synchronization
import Testing
import XMPPCore

/// Recipients of a publish to a leaf across the XEP-0248 tree site-a > site-a/floor-2 > site-a/floor-2/temp.
@Suite struct FanOutTests {
    let dave = jid("dave@example.org")

    func tree() async throws -> Fixture {
        let f = Fixture()
        try await f.createNode("site-a", type: .collection)
        try await f.createNode("site-a/floor-2", type: .collection, parents: ["site-a"])
        try await f.createNode("site-a/floor-2/temp", parents: ["site-a/floor-2"])
        return f
    }

    func recipients(of events: [PubSubEvent]) -> [Recipient] {
        for event in events {
            if case .published(_, _, _, let recipients) = event { return recipients }
        }
        return []
    }

    @Test func depthOneReachesDirectChildrenOnly() async throws {
        let f = try await tree()
        let floor = try await f.subscribe("site-a/floor-2", alice, options: SubscriptionOptions(subscriptionType: .items))
        let site = try await f.subscribe("site-a", bob, options: SubscriptionOptions(subscriptionType: .items))
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events) == [
            Recipient(jid: alice, subscriptionIDs: [floor.id], collections: [node("site-a/floor-2")]),
        ])
        _ = site
    }

    @Test func depthAllReachesEveryDescendant() async throws {
        let f = try await tree()
        let site = try await f.subscribe("site-a", bob, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        let deep = try await f.subscribe("site-a", dave, options: SubscriptionOptions(subscriptionType: .all, subscriptionDepth: .levels(2)))
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events) == [
            Recipient(jid: bob, subscriptionIDs: [site.id], collections: [node("site-a")]),
            Recipient(jid: dave, subscriptionIDs: [deep.id], collections: [node("site-a")]),
        ])
    }

    @Test func nodesSubscriptionsGetNoItems() async throws {
        let f = try await tree()
        try await f.subscribe("site-a/floor-2", alice) // default subscription_type is nodes (XEP-0248 §6.1)
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events).isEmpty)
    }

    @Test func oneRecipientPerJIDWithEverySubID() async throws {
        let f = try await tree()
        let leaf = try await f.subscribe("site-a/floor-2/temp", alice)
        let leafAgain = try await f.subscribe("site-a/floor-2/temp", alice, options: SubscriptionOptions(includeBody: true))
        let floor = try await f.subscribe("site-a/floor-2", alice, options: SubscriptionOptions(subscriptionType: .items))
        let site = try await f.subscribe("site-a", alice, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events) == [
            Recipient(jid: alice, subscriptionIDs: [leaf.id, leafAgain.id, floor.id, site.id],
                      collections: [node("site-a/floor-2"), node("site-a")], includeBody: true),
        ])
    }

    @Test func inactiveSubscriptionsAreSkipped() async throws {
        let f = try await tree()
        try await f.subscribe("site-a/floor-2/temp", alice, options: SubscriptionOptions(deliver: false))
        try await f.subscribe("site-a/floor-2/temp", bob, options: SubscriptionOptions(expire: f.clock.now().addingTimeInterval(60)))
        f.clock.advance(seconds: 61)
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events).isEmpty)
    }

    @Test func cachedRecipientsDropASubscriptionWhenItExpires() async throws {
        let f = try await tree()
        try await f.subscribe("site-a/floor-2/temp", alice)
        try await f.subscribe("site-a/floor-2/temp", bob, options: SubscriptionOptions(expire: f.clock.now().addingTimeInterval(60)))
        let before = try await f.events { try await f.publish("site-a/floor-2/temp") } // cached with both
        #expect(Set(recipients(of: before).map(\.jid)) == [alice, bob])
        f.clock.advance(seconds: 61)
        let after = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: after).map(\.jid) == [alice])
    }

    @Test func deliverNotificationsOffMeansNoRecipients() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.deliverNotifications = false }
        try await f.subscribe("n", alice)
        let events = try await f.events { try await f.publish("n") }
        #expect(recipients(of: events).isEmpty)
        #expect(events.count == 1)
    }

    @Test func cacheFollowsSubscriptionChanges() async throws {
        let f = try await tree()
        try await f.publish("site-a/floor-2/temp") // warms the cache
        let late = try await f.subscribe("site-a", bob, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events).map(\.subscriptionIDs) == [[late.id]])
        _ = try await f.service.perform(.unsubscribe(node: node("site-a"), jid: bob, subscriptionID: nil), as: .entity(bob))
        let after = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: after).isEmpty)
    }

    @Test func cacheFollowsGraphChanges() async throws {
        let f = try await tree()
        try await f.createNode("site-b", type: .collection)
        let watcher = try await f.subscribe("site-b", bob, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        try await f.publish("site-a/floor-2/temp")
        var configuration = NodeConfiguration.defaults(for: .collection)
        configuration.collections = [node("site-a"), node("site-b")]
        _ = try await f.service.perform(.configure(node: node("site-a/floor-2"), configuration: configuration, children: nil), as: .entity(owner))
        let events = try await f.events { try await f.publish("site-a/floor-2/temp") }
        #expect(recipients(of: events) == [Recipient(jid: bob, subscriptionIDs: [watcher.id], collections: [node("site-b")])])
    }

    @Test func nodeCreationNotifiesNodesSubscribersOfAncestors() async throws {
        let f = try await tree()
        let watcher = try await f.subscribe("site-a", alice, options: SubscriptionOptions(subscriptionType: .nodes, subscriptionDepth: .all))
        try await f.subscribe("site-a", bob, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        let events = try await f.events { try await f.createNode("site-a/floor-2/humidity", parents: ["site-a/floor-2"]) }
        #expect(events == [.nodeCreated(node: node("site-a/floor-2/humidity"), recipients: [
            Recipient(jid: alice, subscriptionIDs: [watcher.id], collections: [node("site-a")]),
        ])])
    }

    /// A creation changes no other node's fan-out and records the new node's empty subscription
    /// list: devices auto-creating nodes neither flush the cache nor cost a read at first publish.
    @Test func creatingANodeKeepsTheFanOutCacheOfOthers() async throws {
        let reads = Mutex(0)
        let f = Fixture(store: HookedStore(hooks: HookedStore.Hooks(
            beforeSubscriptionsRead: { reads.withLock { $0 += 1 } })))
        try await f.createNode("a")
        try await f.subscribe("a", alice)
        try await f.publish("a")
        #expect(reads.withLock { $0 } == 1)   // the subscription emptied a's entry
        try await f.createNode("b")
        let events = try await f.events {
            try await f.publish("b")
            try await f.publish("a")
        }
        #expect(reads.withLock { $0 } == 1)
        let recipients = events.compactMap { event -> [JID]? in
            if case .published(_, _, _, let recipients) = event { return recipients.map(\.jid) }
            return nil
        }
        #expect(recipients == [[], [alice]])
        // A later subscription to the new node is seen at once.
        try await f.subscribe("b", bob)
        let later = try await f.events { try await f.publish("b") }
        #expect(later.contains { if case .published(_, _, _, let r) = $0 { r.map(\.jid) == [bob] } else { false } })
    }
    /// A node whose parent id names no node for a moment (a create racing the parent's deletion) must
    /// not keep a fan-out computed without that parent: once the parent is created under a collection,
    /// the collection's subscribers hear the node's publishes.
    @Test func aMissingAncestorIsNotCachedAcrossItsCreation() async throws {
        let f = Fixture()
        try await f.createNode("q", type: .collection)
        try await f.subscribe("q", bob, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        var configuration = NodeConfiguration.defaults(for: .leaf)
        configuration.collections = [node("p")]
        #expect(await f.store.createNode(
            Node(id: node("x"), configuration: configuration, creator: owner, created: f.clock.now()), owner: owner))
        let before = try await f.events { try await f.publish("x") }
        #expect(before.contains { if case .published(_, _, _, let r) = $0 { r.isEmpty } else { false } })
        try await f.createNode("p", type: .collection, parents: ["q"])
        let after = try await f.events { try await f.publish("x") }
        #expect(after.contains { if case .published(_, _, _, let r) = $0 { r.map(\.jid) == [bob] } else { false } })
    }
}
