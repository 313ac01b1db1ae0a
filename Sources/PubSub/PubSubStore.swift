import Foundation
import XMPPCore

/// Persistence for the pubsub domain: narrow async methods per aggregate (nodes, affiliations,
/// subscriptions, items). Every method is atomic on its own; the service never needs a transaction that
/// spans two calls. Implementations throw their own errors; the service reports them as
/// ``PubSubError/storeFailure(_:)``.
///
/// Every backend must pass the shared store suite (STYLE.md §7) — the rules documented here are what it checks.
public protocol PubSubStore: OutboxStore {
    // MARK: Nodes

    /// Inserts `node` with `owner` affiliated as owner; returns `false` (and changes nothing) when the
    /// NodeID exists. Atomic, so two concurrent creates of one NodeID cannot both succeed (§8.1.1 conflict).
    func createNode(_ node: Node, owner: JID?) async throws -> Bool
    func node(_ id: NodeID) async throws -> Node?
    /// Replaces the stored configuration of an existing node.
    func updateNode(_ node: Node) async throws
    /// Deletes the node with its items, subscriptions and affiliations, and removes it from the
    /// `collections` of its children (XEP-0248 §8.2: they stay, orphaned if it was their only parent).
    /// Returns whether the node existed.
    func deleteNode(_ id: NodeID) async throws -> Bool
    /// Nodes whose `collections` contain `parent`, or the top-level nodes (no parents) when `nil`.
    /// Sorted by NodeID.
    func childNodes(of parent: NodeID?) async throws -> [Node]
    /// Nodes with `itemExpire` set, for the expiry sweep.
    func nodesWithItemExpiry() async throws -> [Node]

    // MARK: Affiliations (bare JIDs)

    /// `.none` when the entity has no stored affiliation.
    func affiliation(of jid: JID, on node: NodeID) async throws -> Affiliation
    /// Every affiliation except `none` on the node, sorted by JID.
    func affiliations(on node: NodeID) async throws -> [AffiliationEntry]
    /// Every affiliation except `none` held by the entity, sorted by node.
    func affiliations(of jid: JID) async throws -> [AffiliationEntry]
    /// Sets one affiliation; `.none` deletes the row.
    func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) async throws

    // MARK: Subscriptions

    /// Every subscription on the node, in creation order.
    func subscriptions(on node: NodeID) async throws -> [Subscription]
    /// Every subscription whose JID has this bare JID, on any node.
    func subscriptions(ofBare jid: JID) async throws -> [Subscription]
    /// Inserts or replaces (by node and id).
    func putSubscription(_ subscription: Subscription) async throws
    func removeSubscription(_ id: SubscriptionID, on node: NodeID) async throws

    // MARK: Items

    /// In one transaction: stores `item` (replacing an item with the same id, which then counts as the
    /// newest, XEP-0060 §13.1), then deletes the oldest items beyond `keepingAtMost` (`nil` keeps all).
    /// Returns the ids evicted by the limit, oldest first (a replaced id is not "evicted").
    ///
    /// `outbox` messages are enqueued in the same transaction (``OutboxStore``): the item and its
    /// outbound copies are durable together or not at all.
    func appendItem(_ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage])
        async throws -> [String]
    /// Several ``appendItem(_:to:keepingAtMost:outbox:)`` calls made at once; each has its own
    /// outcome (one failing does not fail the others) and appends to one node happen in the order
    /// given. Stores that group-commit take them as one submission, so the caller waits once.
    func appendItems(_ appends: [ItemAppend]) async -> [Result<[String], any Error>]
    /// Items in `(published, id)` order, per ``ItemQuery``.
    func items(in node: NodeID, query: ItemQuery) async throws -> ItemPage
    /// Deletes the listed items; returns the ids that existed.
    func retractItems(_ ids: [String], from node: NodeID) async throws -> [String]
    /// Deletes every item; returns their ids.
    func purgeItems(in node: NodeID) async throws -> [String]
    /// Deletes items published strictly before `cutoff`; returns their ids.
    func expireItems(in node: NodeID, publishedBefore cutoff: Date) async throws -> [String]
}

/// One ``PubSubStore/appendItems(_:)`` entry: the arguments of an `appendItem` call.
public struct ItemAppend: Sendable {
    public let item: Item
    public let node: NodeID
    public let limit: Int?
    public let outbox: [OutboxMessage]

    public init(item: Item, node: NodeID, limit: Int?, outbox: [OutboxMessage]) {
        self.item = item
        self.node = node
        self.limit = limit
        self.outbox = outbox
    }
}

extension PubSubStore {
    /// One `appendItem` after the other (stores without group commit).
    public func appendItems(_ appends: [ItemAppend]) async -> [Result<[String], any Error>] {
        var results: [Result<[String], any Error>] = []
        results.reserveCapacity(appends.count)
        for append in appends {
            do {
                results.append(.success(try await appendItem(
                    append.item, to: append.node, keepingAtMost: append.limit, outbox: append.outbox)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// ``appendItem(_:to:keepingAtMost:outbox:)`` with nothing to forward.
    public func appendItem(_ item: Item, to node: NodeID, keepingAtMost limit: Int?) async throws -> [String] {
        try await appendItem(item, to: node, keepingAtMost: limit, outbox: [])
    }
}
