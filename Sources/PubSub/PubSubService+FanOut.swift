import Foundation
import XMPPCore

/// Cached inputs of the fan-out computation. Every subscription or graph change clears it and bumps
/// `generation`; a computation that awaited the store stores its result only if the generation is
/// unchanged, so a stale answer can never be cached across an actor suspension.
struct FanOutCache: Sendable {
    var generation: UInt64 = 0
    /// Subscriptions per node, as stored.
    var subscriptions: [NodeID: [Subscription]] = [:]
    /// Per node, its ancestors with their shortest distance (XEP-0248 graphs are DAGs, so paths may differ).
    var ancestors: [NodeID: [NodeID: Int]] = [:]
    /// The finished recipient lists, so a publish to a node with 10,000 subscribers does no per-subscriber
    /// work here: valid until the generation changes or the earliest `expire` among them passes.
    var recipients: [RecipientsKey: (list: [Recipient], validUntil: Date?)] = [:]
}

/// What a recipient list depends on besides the subscriptions and the graph.
struct RecipientsKey: Hashable, Sendable {
    let node: NodeID
    let kind: NotificationKind
    let includeNode: Bool
}

/// Which notifications a collection subscription asked for (XEP-0248 §6.1 `pubsub#subscription_type`).
enum NotificationKind: Hashable, Sendable {
    /// Publish, retract, purge.
    case items
    /// Create, delete, configure.
    case nodes

    func accepts(_ type: SubscriptionType) -> Bool {
        switch (self, type) {
        case (_, .all), (.items, .items), (.nodes, .nodes): true
        default: false
        }
    }
}

extension PubSubService {
    /// Who to notify about an event on `node`: active subscribers of the node itself (when `includeNode`)
    /// and subscribers of its ancestor collections whose type accepts `kind` and whose depth reaches the
    /// node (XEP-0248 §6.1). One ``Recipient`` per subscriber JID, carrying every matching subid
    /// (XEP-0060 §13.16), in first-subscribed order.
    func recipients(for node: Node, kind: NotificationKind, includeNode: Bool) async throws(PubSubError) -> [Recipient] {
        let key = RecipientsKey(node: node.id, kind: kind, includeNode: includeNode)
        let now = now()
        if let cached = fanOutCache.recipients[key], cached.validUntil.map({ now < $0 }) ?? true {
            return cached.list
        }
        let generation = fanOutCache.generation
        var matched: [(subscription: Subscription, via: NodeID?)] = []
        if includeNode {
            matched += try await cachedSubscriptions(on: node.id).map { ($0, nil) }
        }
        let (ancestors, complete) = try await ancestorsWithCompleteness(of: node)
        for (ancestor, distance) in ancestors.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            for subscription in try await cachedSubscriptions(on: ancestor)
            where kind.accepts(subscription.options.subscriptionType)
                && subscription.options.subscriptionDepth.includes(distance: distance)
            {
                matched.append((subscription, ancestor))
            }
        }
        let list = group(matched, at: now)
        // A list built over a missing ancestor is not kept: creating that ancestor later would not
        // clear it (see `cachedAncestors(of:)`).
        if complete, fanOutCache.generation == generation {
            // The list changes by itself only when one of its subscriptions expires (§6.3.7 `expire`).
            let validUntil = matched.compactMap { $0.subscription.options.expire }.filter { $0 > now }.min()
            fanOutCache.recipients[key] = (list, validUntil)
        }
        return list
    }

    /// One ``Recipient`` per JID of the active subscriptions in `matched`, in first-match order, with every
    /// subid and every collection (`via`) it matched through.
    func group(_ matched: [(subscription: Subscription, via: NodeID?)], at now: Date) -> [Recipient] {
        var order: [JID] = []
        var matches: [JID: (ids: [SubscriptionID], collections: [NodeID], body: Bool)] = [:]
        for (subscription, collection) in matched where subscription.isActive(at: now) {
            if matches[subscription.jid] == nil {
                order.append(subscription.jid)
                matches[subscription.jid] = ([], [], false)
            }
            matches[subscription.jid]?.ids.append(subscription.id)
            // §13.8: one subscription with include_body is enough for a body on the notification.
            if subscription.options.includeBody { matches[subscription.jid]?.body = true }
            if let collection, matches[subscription.jid]?.collections.contains(collection) == false {
                matches[subscription.jid]?.collections.append(collection)
            }
        }
        return order.compactMap { jid in
            matches[jid].map {
                Recipient(jid: jid, subscriptionIDs: $0.ids, collections: $0.collections, includeBody: $0.body)
            }
        }
    }

    /// Merges two recipient lists, keeping one entry per JID.
    func merge(_ first: [Recipient], _ second: [Recipient]) -> [Recipient] {
        var result = first
        for recipient in second {
            if let index = result.firstIndex(where: { $0.jid == recipient.jid }) {
                let existing = result[index]
                result[index] = Recipient(
                    jid: existing.jid,
                    subscriptionIDs: existing.subscriptionIDs + recipient.subscriptionIDs.filter { !existing.subscriptionIDs.contains($0) },
                    collections: existing.collections + recipient.collections.filter { !existing.collections.contains($0) },
                    includeBody: existing.includeBody || recipient.includeBody
                )
            } else {
                result.append(recipient)
            }
        }
        return result
    }

    func invalidateFanOut() {
        fanOutCache = FanOutCache(generation: fanOutCache.generation &+ 1)
    }

    /// After `node` was created: nothing cached about other nodes changes (a new node has no
    /// children and no subscriptions, so it is nobody's ancestor and adds no recipients; nothing is
    /// cached that was computed while a parent id named no node, see `ancestorsWithCompleteness`), so only
    /// entries under its own id go, which could be left from a deleted namesake by a computation
    /// that was in flight across the deletion. The generation moves on, so computations in flight
    /// now store nothing. With `subscriptionsKnownEmpty` (no subscription or graph change finished
    /// while the creation was awaited) its empty subscription list is recorded, so the node's first
    /// publish reads nothing: a fleet of devices auto-creating their nodes costs no flush and no reads.
    func forgetFanOut(of node: NodeID, subscriptionsKnownEmpty: Bool) {
        fanOutCache.generation &+= 1
        fanOutCache.ancestors[node] = nil
        for kind in [NotificationKind.items, .nodes] {
            for includeNode in [false, true] {
                fanOutCache.recipients[RecipientsKey(node: node, kind: kind, includeNode: includeNode)] = nil
            }
        }
        fanOutCache.subscriptions[node] = subscriptionsKnownEmpty ? [] : nil
    }

    func cachedSubscriptions(on node: NodeID) async throws(PubSubError) -> [Subscription] {
        if let cached = fanOutCache.subscriptions[node] { return cached }
        let generation = fanOutCache.generation
        let loaded = try await stored { try await store.subscriptions(on: node) }
        if fanOutCache.generation == generation { fanOutCache.subscriptions[node] = loaded }
        return loaded
    }

    /// Ancestors of `node` with their shortest distance, by breadth-first search up `collections`.
    func cachedAncestors(of node: Node) async throws(PubSubError) -> [NodeID: Int] {
        try await ancestorsWithCompleteness(of: node).distances
    }

    /// Ancestors of `node` with their shortest distance, and whether every one of them was found in
    /// the store. A parent id can name no node for a moment (a create naming a collection that is
    /// being deleted, a graph change racing a deletion); such a search is not cached, because the
    /// missing node, once created with parents of its own, would add ancestors that a cached answer
    /// lacks, and `forgetFanOut(of:)` clears only entries under the created node's own id.
    func ancestorsWithCompleteness(of node: Node) async throws(PubSubError) -> (distances: [NodeID: Int], complete: Bool) {
        if let cached = fanOutCache.ancestors[node.id] { return (cached, true) }
        let generation = fanOutCache.generation
        var distances: [NodeID: Int] = [:]
        var complete = true
        var frontier = node.parents.map { ($0, 1) }
        var index = 0
        while index < frontier.count {
            let (id, distance) = frontier[index]
            index += 1
            guard id != node.id, distances[id] == nil else { continue }
            distances[id] = distance
            if let parent = try await stored({ try await store.node(id) }) {
                frontier.append(contentsOf: parent.parents.map { ($0, distance + 1) })
            } else {
                complete = false
            }
        }
        if complete, fanOutCache.generation == generation { fanOutCache.ancestors[node.id] = distances }
        return (distances, complete)
    }
}
