import Foundation
import XMPPCore

/// XEP-0248 §7.5 / §7.6: associating and dissociating a node with a collection without a configure
/// form, and the §5.3.2 notifications every association change sends (these requests, and the
/// `pubsub#collection` / `pubsub#children` fields of a configure).
extension PubSubService {
    // MARK: §7.5 Associate

    /// ```
    /// C: <pubsub xmlns='…#owner'><collection node='site-a'><associate node='temp'/></collection></pubsub>
    /// ```
    /// Owners of the collection may adopt any node, as with its `pubsub#children` (§7.2); anyone else must
    /// own the child, as with the child's `pubsub#collection`, and pass the collection's
    /// `children_association_policy` (§7.5.3.1 forbidden). `checkAssociation` adds §7.5.3.2 (max children)
    /// and §7.5.3.3 (cycle), shared with configure. Associating an existing edge changes nothing.
    func associate(_ childID: NodeID, with collectionID: NodeID, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        let collection = try await loadNode(collectionID)
        var child = try await loadNode(childID)
        if try await affiliation(of: actor, on: collectionID) != .owner {
            try await require(.configure, on: childID, as: actor)
        }
        if child.parents.contains(collectionID) { return .done }
        try await checkAssociation(of: childID, with: collectionID, as: actor)
        child.configuration.collections.append(collectionID)
        let updated = child
        try await stored { try await store.updateNode(updated) }
        invalidateFanOut()
        try await emitGraphChange(of: childID, added: [collection], removed: [])
        return .done
    }

    // MARK: §7.6 Dissociate

    /// Owners of either end may remove the edge (§7.6.3.2 forbidden otherwise); an edge that does not
    /// exist is bad-request (§7.6.3.1). A child left without parents becomes top-level (§8.2, like deletion).
    func dissociate(_ childID: NodeID, from collectionID: NodeID, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        let collection = try await loadNode(collectionID)
        var child = try await loadNode(childID)
        if !CapabilityTable.allows(try await affiliation(of: actor, on: collectionID), .configure) {
            try await require(.configure, on: childID, as: actor)
        }
        guard child.parents.contains(collectionID) else { throw .notAssociated }
        child.configuration.collections.removeAll { $0 == collectionID }
        let updated = child
        try await stored { try await store.updateNode(updated) }
        invalidateFanOut()
        try await emitGraphChange(of: childID, added: [], removed: [collection])
        return .done
    }

    // MARK: §5.3.2 Notifications

    /// Emits ``PubSubEvent/associated(collection:node:recipients:)`` per collection `child` joined and
    /// ``PubSubEvent/dissociated(collection:node:recipients:)`` per collection it left. Call after the
    /// store holds the new graph and the fan-out cache is invalidated.
    func emitGraphChange(of child: NodeID, added: [Node], removed: [Node]) async throws(PubSubError) {
        for collection in added {
            let recipients = try await associationRecipients(collection)
            emit(.associated(collection: collection.id, node: child, recipients: recipients))
        }
        for collection in removed {
            let recipients = try await associationRecipients(collection)
            emit(.dissociated(collection: collection.id, node: child, recipients: recipients))
        }
    }

    /// Who hears that a node joined or left `collection`: its `nodes`/`all` subscribers (XEP-0248 §6.1
    /// `subscription_type`; `items` subscribers are not told about nodes), and those of its ancestors whose
    /// `subscription_depth` reaches the child, one level below the collection (these get a `Collection`
    /// header naming their ancestor, §5.3.1).
    func associationRecipients(_ collection: Node) async throws(PubSubError) -> [Recipient] {
        var matched: [(subscription: Subscription, via: NodeID?)] = []
        for subscription in try await cachedSubscriptions(on: collection.id)
        where NotificationKind.nodes.accepts(subscription.options.subscriptionType) {
            matched.append((subscription, nil))
        }
        let ancestors = try await cachedAncestors(of: collection)
        for (ancestor, distance) in ancestors.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            for subscription in try await cachedSubscriptions(on: ancestor)
            where NotificationKind.nodes.accepts(subscription.options.subscriptionType)
                && subscription.options.subscriptionDepth.includes(distance: distance + 1)
            {
                matched.append((subscription, ancestor))
            }
        }
        return group(matched, at: now())
    }
}
