import Foundation
import XMPPCore

/// Retrieval through the node tree: XEP-0248 §6.2 items on a collection, and XEP-0060 §5.5 disco#items
/// on a leaf (its ItemIDs).
extension PubSubService {
    // MARK: XEP-0248 §6.2 Retrieving items on collection nodes

    /// "The service SHOULD return the items on any leaf nodes associated with it subject to the access
    /// model of the collection node." Starling reads every leaf below the collection, at any depth (the
    /// `subscription_depth` = all semantic; a leaf reached twice in the DAG counts once), checks the
    /// collection's access model (its error is the answer) and each leaf's (a leaf the requester may not
    /// read is left out, so a collection never widens access to a leaf), then applies `query` across the
    /// merged items: `max_items` N gives the newest N of the whole subtree, RSM pages by cursor.
    func collectionItems(_ collection: Node, query: ItemQuery, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        try await checkAccess(to: collection, for: .retrieveItems, as: actor)
        var merged: [LeafItem] = []
        var count = 0
        for leaf in try await leaves(below: collection.id) where leaf.configuration.persistItems {
            do {
                try await checkAccess(to: leaf, for: .retrieveItems, as: actor)
            } catch {
                if case .storeFailure = error { throw error }
                continue
            }
            // Each leaf's own page under the same query contains every item the merged page can need.
            let page = try await stored { try await store.items(in: leaf.id, query: query) }
            count += page.count
            merged += page.items.map { LeafItem(node: leaf.id, item: $0) }
        }
        merged.sort { ($0.item.cursor, $0.node.rawValue) < ($1.item.cursor, $1.node.rawValue) }
        if let requested = query.limit {
            // The same rule as a leaf's query: without `after`, a limit keeps the most recent items.
            let limit = max(requested, 0)
            let forward = query.after != nil || (query.fromOldest && query.before == nil)
            merged = forward ? Array(merged.prefix(limit)) : Array(merged.suffix(limit))
        }
        return .collectionItems(node: collection.id, page: CollectionItemPage(items: merged, count: count))
    }

    /// Every leaf below `collection`, breadth first, each once.
    func leaves(below collection: NodeID) async throws(PubSubError) -> [Node] {
        var seen: Set<NodeID> = [collection]
        var frontier = [collection]
        var leaves: [Node] = []
        var index = 0
        while index < frontier.count {
            let current = frontier[index]
            index += 1
            for child in try await stored({ try await store.childNodes(of: current) })
            where seen.insert(child.id).inserted {
                if child.type == .leaf { leaves.append(child) } else { frontier.append(child.id) }
            }
        }
        return leaves
    }

    // MARK: XEP-0060 §5.5 Discover items for a node

    /// disco#items on a leaf lists its ItemIDs (§5.5), under the same access rules as retrieving them
    /// (§6.5.9); a transient leaf has none. Bounded by the node's `max_items`.
    func itemIDs(of leaf: Node, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        try await checkAccess(to: leaf, for: .retrieveItems, as: actor)
        guard leaf.configuration.persistItems else { return .itemIDs(node: leaf.id, ids: []) }
        let page = try await stored { try await store.items(in: leaf.id, query: .all) }
        return .itemIDs(node: leaf.id, ids: page.items.map(\.id))
    }
}
