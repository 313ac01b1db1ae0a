import Foundation
import XMPPCore

/// A ``PubSubStore`` in memory: for tests and for running without persistence. An actor, so each method
/// is atomic like a transaction of the SQL stores.
public actor InMemoryPubSubStore: PubSubStore {
    private var nodes: [NodeID: Node] = [:]
    private var affiliationRows: [NodeID: [JID: Affiliation]] = [:]
    private var subscriptionRows: [NodeID: [Subscription]] = [:]
    /// Per node, sorted by `(published, id)`.
    private var itemRows: [NodeID: [Item]] = [:]
    private var outboxRows: [OutboxEntry] = []
    private var lastSequence: Int64 = 0

    public init() {}

    // MARK: Nodes

    public func createNode(_ node: Node, owner: JID?) -> Bool {
        guard nodes[node.id] == nil else { return false }
        nodes[node.id] = node
        if let owner { affiliationRows[node.id, default: [:]][owner.bare] = .owner }
        return true
    }

    public func node(_ id: NodeID) -> Node? { nodes[id] }

    public func updateNode(_ node: Node) {
        guard nodes[node.id] != nil else { return }
        nodes[node.id] = node
    }

    public func deleteNode(_ id: NodeID) -> Bool {
        guard nodes.removeValue(forKey: id) != nil else { return false }
        affiliationRows[id] = nil
        subscriptionRows[id] = nil
        itemRows[id] = nil
        for (childID, var child) in nodes where child.configuration.collections.contains(id) {
            child.configuration.collections.removeAll { $0 == id }
            nodes[childID] = child
        }
        return true
    }

    public func childNodes(of parent: NodeID?) -> [Node] {
        nodes.values
            .filter { node in parent.map { node.parents.contains($0) } ?? node.parents.isEmpty }
            .sorted { $0.id < $1.id }
    }

    public func nodesWithItemExpiry() -> [Node] {
        nodes.values.filter { $0.configuration.itemExpire != nil }.sorted { $0.id < $1.id }
    }

    // MARK: Affiliations

    public func affiliation(of jid: JID, on node: NodeID) -> Affiliation {
        affiliationRows[node]?[jid.bare] ?? .none
    }

    public func affiliations(on node: NodeID) -> [AffiliationEntry] {
        (affiliationRows[node] ?? [:])
            .map { AffiliationEntry(node: node, jid: $0.key, affiliation: $0.value) }
            .sorted { $0.jid < $1.jid }
    }

    public func affiliations(of jid: JID) -> [AffiliationEntry] {
        affiliationRows.compactMap { node, rows in
            rows[jid.bare].map { AffiliationEntry(node: node, jid: jid.bare, affiliation: $0) }
        }.sorted { $0.node < $1.node }
    }

    public func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) {
        guard nodes[node] != nil else { return }
        affiliationRows[node, default: [:]][jid.bare] = affiliation == .none ? nil : affiliation
    }

    // MARK: Subscriptions

    public func subscriptions(on node: NodeID) -> [Subscription] { subscriptionRows[node] ?? [] }

    public func subscriptions(ofBare jid: JID) -> [Subscription] {
        subscriptionRows.keys.sorted().flatMap { node in
            (subscriptionRows[node] ?? []).filter { $0.jid.bare == jid.bare }
        }
    }

    public func putSubscription(_ subscription: Subscription) {
        guard nodes[subscription.node] != nil else { return }
        var rows = subscriptionRows[subscription.node] ?? []
        if let index = rows.firstIndex(where: { $0.id == subscription.id }) {
            rows[index] = subscription
        } else {
            rows.append(subscription)
        }
        subscriptionRows[subscription.node] = rows
    }

    public func removeSubscription(_ id: SubscriptionID, on node: NodeID) {
        subscriptionRows[node]?.removeAll { $0.id == id }
    }

    // MARK: Items

    public func appendItem(_ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage]) -> [String] {
        guard nodes[node] != nil else { return [] }
        enqueue(outbox, at: item.published)
        var rows = itemRows[node] ?? []
        rows.removeAll { $0.id == item.id }
        let index = rows.lastIndex { $0.cursor < item.cursor }.map { $0 + 1 } ?? 0
        rows.insert(item, at: index)
        var evicted: [String] = []
        if let limit, rows.count > limit {
            let excess = rows.count - max(limit, 0)
            evicted = rows.prefix(excess).map(\.id)
            rows.removeFirst(excess)
        }
        itemRows[node] = rows
        return evicted
    }

    public func items(in node: NodeID, query: ItemQuery) -> ItemPage {
        let rows = itemRows[node] ?? []
        return ItemPage(items: Self.select(rows, query), count: rows.count)
    }

    /// The reference semantics of ``ItemQuery`` over rows sorted by cursor.
    static func select(_ rows: [Item], _ query: ItemQuery) -> [Item] {
        var selected = rows
        if let ids = query.ids {
            let wanted = Set(ids)
            selected = selected.filter { wanted.contains($0.id) }
        }
        if let after = query.after { selected = selected.filter { $0.cursor > after } }
        if let before = query.before { selected = selected.filter { $0.cursor < before } }
        guard let requested = query.limit else { return selected }
        let limit = max(requested, 0)
        // Without `after`, a limit means the most recent items (§6.5.7; RSM `<before/>` pages backwards).
        let forward = query.after != nil || (query.fromOldest && query.before == nil)
        return forward ? Array(selected.prefix(limit)) : Array(selected.suffix(limit))
    }

    public func retractItems(_ ids: [String], from node: NodeID) -> [String] {
        let wanted = Set(ids)
        let removed = (itemRows[node] ?? []).filter { wanted.contains($0.id) }.map(\.id)
        itemRows[node]?.removeAll { wanted.contains($0.id) }
        return removed
    }

    public func purgeItems(in node: NodeID) -> [String] {
        let removed = (itemRows[node] ?? []).map(\.id)
        itemRows[node] = nil
        return removed
    }

    public func expireItems(in node: NodeID, publishedBefore cutoff: Date) -> [String] {
        let removed = (itemRows[node] ?? []).filter { $0.published < cutoff }.map(\.id)
        itemRows[node]?.removeAll { $0.published < cutoff }
        return removed
    }

    // MARK: Outbox

    public func enqueue(_ messages: [OutboxMessage], at time: Date) {
        for message in messages {
            lastSequence += 1
            outboxRows.append(OutboxEntry(sequence: lastSequence, message: message, enqueued: time))
        }
    }

    public func outbox(_ queue: String, after sequence: Int64?, limit: Int) -> [OutboxEntry] {
        Array(outboxRows.lazy
            .filter { $0.message.queue == queue && $0.sequence > (sequence ?? .min) }
            .prefix(max(limit, 0)))
    }

    public func removeFromOutbox(_ queue: String, through sequence: Int64) {
        outboxRows.removeAll { $0.message.queue == queue && $0.sequence <= sequence }
    }

    public func trimOutbox(_ queue: String, keepingAtMost limit: Int) -> Int {
        let inQueue = outboxRows.filter { $0.message.queue == queue }
        let excess = inQueue.count - max(limit, 0)
        guard excess > 0, let cut = inQueue.prefix(excess).last?.sequence else { return 0 }
        removeFromOutbox(queue, through: cut)
        return excess
    }

    public func outboxCount(_ queue: String) -> Int {
        outboxRows.count { $0.message.queue == queue }
    }
}
