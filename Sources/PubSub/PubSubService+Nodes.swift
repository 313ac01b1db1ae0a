import Foundation
import XMPPCore

/// Owner use cases on nodes (XEP-0060 §8.1–§8.5) and the XEP-0248 node graph.
extension PubSubService {
    // MARK: §8.1 Create

    func create(_ requested: NodeID?, configuration requestedConfiguration: NodeConfiguration?, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        if let jid = actor.bareJID, !configuration.creationPolicy.allows(jid) { throw .forbidden }
        let id: NodeID
        if let requested {
            id = requested
        } else {
            // §8.1.1: instant nodes get a NodeID unique within the service.
            guard configuration.instantNodes else { throw .nodeIDRequired }
            id = try NodeID(ids.next(at: now()))
        }
        let nodeConfiguration = requestedConfiguration ?? defaultConfiguration(for: .leaf)
        try checkConfiguration(nodeConfiguration)
        if nodeConfiguration.nodeType == .collection, !configuration.allowCollections { throw .notAllowed }
        for parent in nodeConfiguration.collections {
            try await checkAssociation(of: id, with: parent, as: actor)
        }
        // Whole microseconds, as items' times: every store keeps the date exactly, so the node the
        // caching store remembers from this creation equals the one a later read returns.
        let created = Date(timeIntervalSince1970: Double(ItemCursor.microseconds(now())) / 1_000_000)
        let node = Node(id: id, configuration: nodeConfiguration, creator: actor.bareJID, created: created)
        let generation = fanOutCache.generation
        guard try await stored({ try await store.createNode(node, owner: actor.bareJID) }) else { throw .nodeExists }
        forgetFanOut(of: id, subscriptionsKnownEmpty: fanOutCache.generation == generation)
        if !node.parents.isEmpty {
            let recipients = try await recipients(for: node, kind: .nodes, includeNode: false)
            emit(.nodeCreated(node: id, recipients: recipients))
        }
        return .created(id)
    }

    // MARK: §8.2 Configure

    func getConfiguration(_ id: NodeID, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        let node = try await loadNode(id)
        try await require(.configure, on: id, as: actor)
        let children = try await stored { try await store.childNodes(of: id) }.map(\.id)
        return .configuration(node.configuration, children: children)
    }

    func configure(_ id: NodeID, configuration new: NodeConfiguration, children: [NodeID]?, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        var node = try await loadNode(id)
        try await require(.configure, on: id, as: actor)
        try checkConfiguration(new)
        let old = node.configuration
        // XEP-0248 §7.2.3.4: collection → leaf is never allowed; leaf → collection purges (§7.2.4).
        if old.nodeType == .collection, new.nodeType == .leaf { throw .invalidGraphChange }
        if new.nodeType == .leaf, let children, !children.isEmpty { throw .invalidGraphChange }
        let currentChildren = try await stored { try await store.childNodes(of: id) }
        if new.nodeType == .leaf, !currentChildren.isEmpty { throw .invalidGraphChange }

        for parent in new.collections where !old.collections.contains(parent) {
            try await checkAssociation(of: id, with: parent, as: actor)
        }
        var childUpdates: [Node] = []
        var adopted: [NodeID] = [], released: [NodeID] = []
        if let children {
            if let childrenMax = new.childrenMax, children.count > childrenMax { throw .maxNodesExceeded }
            let current = Set(currentChildren.map(\.id))
            for childID in children where !current.contains(childID) {
                var child = try await loadNode(childID)
                if try await isAncestor(childID, of: id) || childID == id { throw .invalidGraphChange }
                child.configuration.collections.append(id)
                childUpdates.append(child)
                adopted.append(childID)
            }
            for var child in currentChildren where !children.contains(child.id) {
                child.configuration.collections.removeAll { $0 == id }
                childUpdates.append(child)
                released.append(child.id)
            }
        }

        node.configuration = new
        let updated = node
        try await stored { try await store.updateNode(updated) }
        for child in childUpdates { try await stored { try await store.updateNode(child) } }
        if old.nodeType == .leaf, new.nodeType == .collection {
            let removed = try await stored { try await store.purgeItems(in: id) }
            if !removed.isEmpty { emit(.itemsRemoved(node: id, itemIDs: removed, reason: .evicted)) }
        }
        invalidateFanOut()
        // XEP-0248 §5.3.2: every edge this configuration added or removed is announced, both when this
        // node's pubsub#collection changed and when its pubsub#children did.
        var joined: [Node] = [], left: [Node] = []
        for parent in new.collections where !old.collections.contains(parent) {
            if let loaded = try await stored({ try await store.node(parent) }) { joined.append(loaded) }
        }
        for parent in old.collections where !new.collections.contains(parent) {
            if let loaded = try await stored({ try await store.node(parent) }) { left.append(loaded) }
        }
        try await emitGraphChange(of: id, added: joined, removed: left)
        for child in adopted { try await emitGraphChange(of: child, added: [updated], removed: []) }
        for child in released { try await emitGraphChange(of: child, added: [], removed: [updated]) }
        let recipients = new.notifyConfig ? try await recipients(for: updated, kind: .nodes, includeNode: true) : []
        emit(.configured(node: id, configuration: new, recipients: recipients))
        return .done
    }

    /// Rules a form cannot express (§8.2.5.2 not-acceptable), against the service's own limits too.
    func checkConfiguration(_ new: NodeConfiguration) throws(PubSubError) {
        try new.validate()
        if let limit = configuration.maxItemsLimit, let maxItems = new.maxItems, maxItems > limit {
            throw .invalidConfiguration
        }
        if let size = new.maxPayloadSize, size > configuration.maxPayloadSizeLimit { throw .invalidConfiguration }
    }

    /// XEP-0248 §7.2.3 / §7.5.3: `parent` must exist and be a collection with room, the actor must be
    /// allowed to associate children, and the edge must not close a cycle (§4.1: the graph is a DAG).
    func checkAssociation(of child: NodeID, with parentID: NodeID, as actor: Requester) async throws(PubSubError) {
        guard parentID != child else { throw .invalidGraphChange }
        let parent = try await loadNode(parentID)
        guard parent.type == .collection else { throw .invalidGraphChange }
        if let jid = actor.bareJID {
            let allowed: Bool
            switch parent.configuration.childrenAssociationPolicy {
            case .all:
                allowed = try await affiliation(of: actor, on: parentID) != .outcast
            case .owners:
                allowed = try await affiliation(of: actor, on: parentID) == .owner
            case .whitelist:
                allowed = try await affiliation(of: actor, on: parentID) == .owner
                    || parent.configuration.childrenAssociationWhitelist.contains(jid)
            }
            guard allowed else { throw .forbidden }
        }
        if let childrenMax = parent.configuration.childrenMax {
            let count = try await stored { try await store.childNodes(of: parentID) }.count
            if count >= childrenMax { throw .maxNodesExceeded }
        }
        if try await isAncestor(child, of: parentID) { throw .invalidGraphChange }
    }

    /// Whether `candidate` is reachable from `node` by following `collections` upwards.
    func isAncestor(_ candidate: NodeID, of node: NodeID) async throws(PubSubError) -> Bool {
        var seen: Set<NodeID> = []
        var frontier = [node]
        while let current = frontier.popLast() {
            guard seen.insert(current).inserted,
                  let loaded = try await stored({ try await store.node(current) }) else { continue }
            if loaded.parents.contains(candidate) { return true }
            frontier.append(contentsOf: loaded.parents)
        }
        return false
    }

    // MARK: §8.4 Delete

    func delete(_ id: NodeID, redirect: String?, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        let node = try await loadNode(id)
        try await require(.deleteNode, on: id, as: actor)
        // Recipients are computed before the subscriptions go with the node. XEP-0248 §8.2: children of a
        // deleted collection are kept; those with no other parent become top-level (the store does this).
        let subscribers = node.configuration.notifyDelete
            ? try await recipients(for: node, kind: .items, includeNode: true) : []
        let nodeWatchers = try await recipients(for: node, kind: .nodes, includeNode: false)
        _ = try await stored { try await store.deleteNode(id) }
        invalidateFanOut()
        emit(.deleted(node: id, redirect: redirect, recipients: merge(subscribers, nodeWatchers)))
        return .done
    }

    // MARK: §8.5 Purge

    func purge(_ id: NodeID, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        let node = try await loadNode(id)
        // §8.5.3.3; XEP-0248 §4.1: collections hold no items.
        guard node.type == .leaf, node.configuration.persistItems else { throw .unsupported(.persistentItems) }
        try await require(.purge, on: id, as: actor)
        _ = try await stored { try await store.purgeItems(in: id) }
        let recipients = try await recipients(for: node, kind: .items, includeNode: true)
        emit(.purged(node: id, recipients: recipients))
        return .done
    }

    // MARK: §5.2, §5.4 Discovery

    func childNodes(of parent: NodeID?, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        if let parent {
            // §5.5: disco#items on a leaf lists its items; on a collection its children (XEP-0248 §5.2).
            let node = try await loadNode(parent)
            if node.type == .leaf { return try await itemIDs(of: node, as: actor) }
        }
        let nodes = try await stored { try await store.childNodes(of: parent) }
        return .nodes(nodes.map { NodeSummary(id: $0.id, title: $0.configuration.title, type: $0.type) })
    }

    func metadata(_ id: NodeID) async throws(PubSubError) -> PubSubResult {
        let node = try await loadNode(id)
        let children = try await stored { try await store.childNodes(of: id) }.map(\.id)
        let affiliations = try await stored { try await store.affiliations(on: id) }
        let subscriptions = try await stored { try await store.subscriptions(on: id) }
        return .metadata(NodeMetadata(
            node: node,
            children: children,
            owners: affiliations.filter { $0.affiliation == .owner }.map(\.jid),
            publishers: affiliations.filter { $0.affiliation == .publisher }.map(\.jid),
            subscriberCount: subscriptions.filter { $0.state == .subscribed || $0.state == .unconfigured }.count
        ))
    }
}
