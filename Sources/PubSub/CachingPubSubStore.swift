import Foundation
import Synchronization
import XMPPCore

/// A ``PubSubStore`` that remembers nodes and affiliations, the two reads every publish makes
/// (the node's configuration, the publisher's affiliation): a steady stream of readings then costs
/// one store write per publish (batched by group commit) instead of three round trips.
///
/// Correct as long as every change goes through this wrapper, which is how Starling runs it: one
/// process owns the pubsub tables, and the service is the only writer. A write bumps a generation
/// after it completed; a read that started before the bump does not store what it read, so a stale
/// value is never cached across the `await` (the same rule as the service's fan-out cache).
/// Negative answers ("no such node") are cached too, for publishes to a missing node under
/// `auto_create: false`.
///
/// Creating a node changes nothing but that node, so it clears nothing else (devices auto-creating
/// their nodes must not flush everyone's entries) and records the new node's complete affiliation
/// list, its owner: the first publish by anyone else then learns "none" without a read. Updates,
/// deletions and affiliation changes clear everything (rare owner operations; a deletion orphans
/// children, which changes their nodes too).
public final class CachingPubSubStore: PubSubStore {
    public let base: any PubSubStore

    private struct Caches {
        var generation: UInt64 = 0
        var nodes: [NodeID: Node?] = [:]
        var affiliations: [NodeID: NodeAffiliations] = [:]
        /// JID entries across every node's `known`, so the bound holds for the total, not per node.
        var affiliationEntries = 0

        mutating func forgetAffiliations(of node: NodeID) {
            if let removed = affiliations.removeValue(forKey: node) { affiliationEntries -= max(removed.known.count, 1) }
        }

        /// Stores `entry` for `node` (replacing what was there); when the total would pass `capacity`,
        /// every node's entries go first.
        mutating func setAffiliations(_ entry: NodeAffiliations, of node: NodeID, capacity: Int) {
            forgetAffiliations(of: node)
            let added = max(entry.known.count, 1)   // an empty complete list still takes a slot
            if affiliationEntries + added > capacity {
                affiliations.removeAll(keepingCapacity: true)
                affiliationEntries = 0
            }
            affiliations[node] = entry
            affiliationEntries += added
        }
    }

    /// What is known of one node's affiliations, by bare JID.
    private struct NodeAffiliations {
        var known: [JID: Affiliation] = [:]
        /// `known` is the node's whole list: a JID not in it is `none`.
        var complete = false
    }

    private let caches = Mutex(Caches())
    /// Entries kept per cache before it starts over (a bound, not an eviction policy): nodes, and
    /// affiliation entries summed over all nodes.
    private let capacity: Int

    public init(_ base: any PubSubStore, capacity: Int = 100_000) {
        self.base = base
        self.capacity = max(capacity, 1)
    }

    private func invalidate() {
        caches.withLock { caches in
            caches.generation &+= 1
            caches.nodes.removeAll(keepingCapacity: true)
            caches.affiliations.removeAll(keepingCapacity: true)
            caches.affiliationEntries = 0
        }
    }

    // MARK: Cached reads

    public func node(_ id: NodeID) async throws -> Node? {
        let (cached, generation) = caches.withLock { ($0.nodes[id], $0.generation) }
        if let cached { return cached }
        let loaded = try await base.node(id)
        caches.withLock { caches in
            guard caches.generation == generation else { return }
            if caches.nodes.count >= capacity { caches.nodes.removeAll(keepingCapacity: true) }
            caches.nodes[id] = .some(loaded)
        }
        return loaded
    }

    public func affiliation(of jid: JID, on node: NodeID) async throws -> Affiliation {
        let bare = jid.bare
        let (cached, generation) = caches.withLock { caches -> (Affiliation?, UInt64) in
            guard let entry = caches.affiliations[node] else { return (nil, caches.generation) }
            return (entry.known[bare] ?? (entry.complete ? Affiliation.none : nil), caches.generation)
        }
        if let cached { return cached }
        let loaded = try await base.affiliation(of: jid, on: node)
        caches.withLock { caches in
            guard caches.generation == generation else { return }
            var entry = caches.affiliations[node] ?? NodeAffiliations()
            entry.known[bare] = loaded
            caches.setAffiliations(entry, of: node, capacity: capacity)
        }
        return loaded
    }

    // MARK: Writes that change what is cached

    public func createNode(_ node: Node, owner: JID?) async throws -> Bool {
        let before = caches.withLock { $0.generation }
        let created: Bool
        do {
            created = try await base.createNode(node, owner: owner)
        } catch {
            invalidate()   // it may or may not have been written
            throw error
        }
        guard created else { return false }   // nothing changed
        caches.withLock { caches in
            // Another write completed meanwhile (it may have touched this node once it existed):
            // this node's entries are unknown, so drop them; other nodes are unaffected by a creation.
            let undisturbed = caches.generation == before
            caches.generation &+= 1
            caches.nodes[node.id] = nil   // "no such node", or a deleted namesake
            caches.forgetAffiliations(of: node.id)
            guard undisturbed else { return }
            // The node as created is the node as stored, so its first publish reads nothing; only
            // when its date is whole microseconds, which every store keeps exactly (the service
            // creates nodes so), else the stored date may differ from this one.
            if Self.keptExactly(node.created) {
                if caches.nodes.count >= capacity { caches.nodes.removeAll(keepingCapacity: true) }
                caches.nodes[node.id] = .some(node)
            }
            caches.setAffiliations(
                NodeAffiliations(known: owner.map { [$0.bare: .owner] } ?? [:], complete: true), of: node.id, capacity: capacity)
        }
        return true
    }

    /// Whether a store's microsecond column gives back exactly this date.
    static func keptExactly(_ date: Date) -> Bool {
        Date(timeIntervalSince1970: Double(ItemCursor.microseconds(date)) / 1_000_000) == date
    }

    public func updateNode(_ node: Node) async throws {
        defer { invalidate() }
        try await base.updateNode(node)
    }

    public func deleteNode(_ id: NodeID) async throws -> Bool {
        // Children lose the parent from their collections, affiliations go: everything may change.
        defer { invalidate() }
        return try await base.deleteNode(id)
    }

    public func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) async throws {
        defer { invalidate() }
        try await base.setAffiliation(affiliation, of: jid, on: node)
    }

    // MARK: Pass-through

    public func childNodes(of parent: NodeID?) async throws -> [Node] { try await base.childNodes(of: parent) }
    public func nodesWithItemExpiry() async throws -> [Node] { try await base.nodesWithItemExpiry() }
    public func affiliations(on node: NodeID) async throws -> [AffiliationEntry] { try await base.affiliations(on: node) }
    public func affiliations(of jid: JID) async throws -> [AffiliationEntry] { try await base.affiliations(of: jid) }
    public func subscriptions(on node: NodeID) async throws -> [Subscription] { try await base.subscriptions(on: node) }
    public func subscriptions(ofBare jid: JID) async throws -> [Subscription] { try await base.subscriptions(ofBare: jid) }
    public func putSubscription(_ subscription: Subscription) async throws { try await base.putSubscription(subscription) }
    public func removeSubscription(_ id: SubscriptionID, on node: NodeID) async throws {
        try await base.removeSubscription(id, on: node)
    }
    public func appendItem(_ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage])
        async throws -> [String]
    {
        try await base.appendItem(item, to: node, keepingAtMost: limit, outbox: outbox)
    }
    public func appendItems(_ appends: [ItemAppend]) async -> [Result<[String], any Error>] {
        await base.appendItems(appends)
    }
    public func items(in node: NodeID, query: ItemQuery) async throws -> ItemPage { try await base.items(in: node, query: query) }
    public func retractItems(_ ids: [String], from node: NodeID) async throws -> [String] {
        try await base.retractItems(ids, from: node)
    }
    public func purgeItems(in node: NodeID) async throws -> [String] { try await base.purgeItems(in: node) }
    public func expireItems(in node: NodeID, publishedBefore cutoff: Date) async throws -> [String] {
        try await base.expireItems(in: node, publishedBefore: cutoff)
    }
    public func enqueue(_ messages: [OutboxMessage], at time: Date) async throws { try await base.enqueue(messages, at: time) }
    public func outbox(_ queue: String, after sequence: Int64?, limit: Int) async throws -> [OutboxEntry] {
        try await base.outbox(queue, after: sequence, limit: limit)
    }
    public func removeFromOutbox(_ queue: String, through sequence: Int64) async throws {
        try await base.removeFromOutbox(queue, through: sequence)
    }
    public func trimOutbox(_ queue: String, keepingAtMost limit: Int) async throws -> Int {
        try await base.trimOutbox(queue, keepingAtMost: limit)
    }
    public func outboxCount(_ queue: String) async throws -> Int { try await base.outboxCount(queue) }
}
