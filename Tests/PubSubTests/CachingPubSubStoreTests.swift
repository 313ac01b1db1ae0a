import Foundation
import PubSub
import Synchronization
import Testing
import XMPPCore

/// `CachingPubSubStore`: the reads every publish makes are served from memory, every write through it
/// clears them, and a read that was in flight across a write never caches what it read before.
@Suite struct CachingPubSubStoreTests {
    @Test func repeatedReadsHitTheCacheAndWritesClearIt() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(ProbedStore(probe: probe))
        let n = node("n")
        _ = try await cache.createNode(Node(id: n, configuration: NodeConfiguration(), creator: nil, created: Date()), owner: owner)
        for _ in 0..<5 {
            #expect(try await cache.node(n)?.id == n)
            #expect(try await cache.affiliation(of: owner, on: n) == .owner)
            #expect(try await cache.node(node("missing")) == nil)   // negative answers too
        }
        #expect(probe.nodeReads.withLock { $0 } == 2)
        #expect(probe.affiliationReads.withLock { $0 } == 1)

        var changed = NodeConfiguration()
        changed.title = "changed"
        try await cache.updateNode(Node(id: n, configuration: changed, creator: nil, created: Date()))
        #expect(try await cache.node(n)?.configuration.title == "changed")
        try await cache.setAffiliation(.outcast, of: alice, on: n)
        #expect(try await cache.affiliation(of: alice, on: n) == .outcast)
        #expect(try await cache.deleteNode(n))
        #expect(try await cache.node(n) == nil)
        #expect(try await cache.affiliation(of: owner, on: n) == .none)
    }

    @Test func aReadInFlightAcrossAWriteDoesNotCacheTheOldValue() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(ProbedStore(probe: probe))
        let n = node("n")
        _ = try await cache.createNode(Node(id: n, configuration: NodeConfiguration(), creator: nil, created: Date()), owner: owner)
        await probe.gate.close()
        let stale = Task { try await cache.node(n) }
        while probe.nodeReads.withLock({ $0 }) == 0 { await Task.yield() }   // the read has its old value
        var changed = NodeConfiguration()
        changed.title = "new"
        try await cache.updateNode(Node(id: n, configuration: changed, creator: nil, created: Date()))
        await probe.gate.open()
        #expect(try await stale.value?.configuration.title == "")   // it returns what it read …
        #expect(try await cache.node(n)?.configuration.title == "new")   // … but did not cache it
    }
}

/// Counts the cached reads of ``ProbedStore`` and can hold `node(_:)` reads.
final class Probe: Sendable {
    let nodeReads = Mutex(0)
    let affiliationReads = Mutex(0)
    let gate = Gate()
}

/// A gate reads wait at while it is closed.
actor Gate {
    private var closed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func close() { closed = true }
    func open() {
        closed = false
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
    func wait() async {
        guard closed else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// An ``InMemoryPubSubStore`` whose node and affiliation reads are counted (and node reads gated).
struct ProbedStore: PubSubStore {
    let base = InMemoryPubSubStore()
    let probe: Probe

    func items(in node: NodeID, query: ItemQuery) async throws -> ItemPage { await base.items(in: node, query: query) }
    func createNode(_ node: Node, owner: JID?) async throws -> Bool { await base.createNode(node, owner: owner) }
    func node(_ id: NodeID) async throws -> Node? {
        let value = await base.node(id)   // read now, hand over later: a read that started before a write
        probe.nodeReads.withLock { $0 += 1 }
        await probe.gate.wait()
        return value
    }
    func updateNode(_ node: Node) async throws { await base.updateNode(node) }
    func deleteNode(_ id: NodeID) async throws -> Bool { await base.deleteNode(id) }
    func childNodes(of parent: NodeID?) async throws -> [Node] { await base.childNodes(of: parent) }
    func nodesWithItemExpiry() async throws -> [Node] { await base.nodesWithItemExpiry() }
    func affiliation(of jid: JID, on node: NodeID) async throws -> Affiliation {
        probe.affiliationReads.withLock { $0 += 1 }
        return await base.affiliation(of: jid, on: node)
    }
    func affiliations(on node: NodeID) async throws -> [AffiliationEntry] { await base.affiliations(on: node) }
    func affiliations(of jid: JID) async throws -> [AffiliationEntry] { await base.affiliations(of: jid) }
    func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) async throws {
        await base.setAffiliation(affiliation, of: jid, on: node)
    }
    func subscriptions(on node: NodeID) async throws -> [Subscription] { await base.subscriptions(on: node) }
    func subscriptions(ofBare jid: JID) async throws -> [Subscription] { await base.subscriptions(ofBare: jid) }
    func putSubscription(_ subscription: Subscription) async throws { await base.putSubscription(subscription) }
    func removeSubscription(_ id: SubscriptionID, on node: NodeID) async throws { await base.removeSubscription(id, on: node) }
    func appendItem(_ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage])
        async throws -> [String]
    {
        await base.appendItem(item, to: node, keepingAtMost: limit, outbox: outbox)
    }
    func retractItems(_ ids: [String], from node: NodeID) async throws -> [String] { await base.retractItems(ids, from: node) }
    func purgeItems(in node: NodeID) async throws -> [String] { await base.purgeItems(in: node) }
    func expireItems(in node: NodeID, publishedBefore cutoff: Date) async throws -> [String] {
        await base.expireItems(in: node, publishedBefore: cutoff)
    }
    func enqueue(_ messages: [OutboxMessage], at time: Date) async throws { await base.enqueue(messages, at: time) }
    func outbox(_ queue: String, after sequence: Int64?, limit: Int) async throws -> [OutboxEntry] {
        await base.outbox(queue, after: sequence, limit: limit)
    }
    func removeFromOutbox(_ queue: String, through sequence: Int64) async throws {
        await base.removeFromOutbox(queue, through: sequence)
    }
    func trimOutbox(_ queue: String, keepingAtMost limit: Int) async throws -> Int {
        await base.trimOutbox(queue, keepingAtMost: limit)
    }
    func outboxCount(_ queue: String) async throws -> Int { await base.outboxCount(queue) }
}
