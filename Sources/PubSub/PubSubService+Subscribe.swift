import Foundation
import XMPPCore

/// Subscriber use cases (XEP-0060 §6.1–§6.4), access models (§4.5), and the entity's own lists (§5.6, §5.7).
extension PubSubService {
    // MARK: §4.5 Access models

    /// Whether the actor may subscribe to, or retrieve items from, `node` (§6.1.3, §6.5.1, §6.5.9).
    /// Owners, publishers and members pass on their affiliation (Table 4; members are the whitelist);
    /// entities without an affiliation go through the access model.
    func checkAccess(to node: Node, for capability: Capability, as actor: Requester) async throws(PubSubError) {
        guard let jid = actor.bareJID else { return }
        let affiliation = try await affiliation(of: actor, on: node.id)
        switch affiliation {
        case .owner, .publisher, .member:
            guard CapabilityTable.allows(affiliation, capability) else { throw .forbidden }
            return
        case .publishOnly, .outcast:
            throw .forbidden
        case .none:
            break
        }
        switch node.configuration.accessModel {
        case .open:
            return
        case .presence:
            for owner in try await owners(of: node.id) {
                if await rosterLookup?.isSubscribedToPresence(of: owner, contact: jid) == true { return }
            }
            throw .presenceSubscriptionRequired
        case .roster:
            let allowed = Set(node.configuration.rosterGroupsAllowed)
            for owner in try await owners(of: node.id) {
                let groups = await rosterLookup?.groups(of: jid, inRosterOf: owner) ?? []
                if !groups.isDisjoint(with: allowed) { return }
            }
            throw .notInRosterGroup
        case .authorize:
            // Anyone may ask (the subscription goes pending); only subscribers may read (§6.5.1).
            if capability == .subscribe { return }
            let now = now()
            let subscribed = try await stored { try await store.subscriptions(on: node.id) }
                .contains { $0.jid.bare == jid && $0.isActive(at: now) }
            guard subscribed else { throw .retrievalRequiresSubscription }
        case .whitelist:
            throw .closedNode
        }
    }

    // MARK: §6.1 Subscribe

    func subscribe(_ id: NodeID, jid: JID, options requested: SubscriptionOptions?, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        let node = try await loadNode(id)
        guard node.configuration.subscribe else { throw .unsupported(.subscribe) }
        // §6.1.3.1: only the entity itself (bare JIDs compared) may be subscribed.
        if let actorJID = actor.bareJID, actorJID != jid.bare { throw .invalidJID }
        let options = requested ?? SubscriptionOptions()
        try options.validate()
        try await checkAccess(to: node, for: .subscribe, as: actor)

        // This entity's subscriptions to the node, through the bare-JID index: the cost of a subscribe
        // must not grow with the node's other subscribers (10,000 subscribers took minutes otherwise).
        let existing = try await stored { try await store.subscriptions(ofBare: jid) }.filter { $0.node == id }
        let mine = existing.filter { $0.jid == jid }
        if mine.contains(where: { $0.state == .pending }) { throw .pendingSubscription }
        // A repeated identical request returns the subscription it made before (clients resubscribe on reconnect).
        if let same = mine.first(where: { $0.options == options }) { return .subscription(same) }
        // XEP-0248 §6.1.3: no second collection subscription of the same type.
        if node.type == .collection,
           mine.contains(where: { $0.options.subscriptionType == options.subscriptionType }) { throw .alreadySubscribed }
        if existing.filter({ $0.jid.bare == jid.bare }).count >= configuration.maxSubscriptionsPerNode {
            throw .tooManySubscriptions
        }

        let affiliation = try await affiliation(of: actor, on: id)
        // §6.1.4: authorize nodes hold requests from unaffiliated entities for an owner's decision.
        let state: SubscriptionState = node.configuration.accessModel == .authorize && affiliation == .none
            ? .pending : .subscribed
        let subscription = Subscription(
            node: id, jid: jid, id: SubscriptionID(ids.next(at: now())), state: state, options: options
        )
        try await stored { try await store.putSubscription(subscription) }
        invalidateFanOut()
        if state == .pending {
            emit(.approvalRequested(subscription, owners: try await owners(of: id)))
        } else {
            if node.configuration.notifySub {
                emit(.subscriptionChanged(subscription, owners: try await owners(of: id)))
            }
            try await sendLastPublishedItem(of: node, to: subscription)
        }
        return .subscription(subscription)
    }

    /// §6.1.7: with `send_last_published_item` on_sub (or on_sub_and_presence), the new subscriber gets
    /// the last item at once. Presence-triggered sending stays with the XMPP layer.
    func sendLastPublishedItem(of node: Node, to subscription: Subscription) async throws(PubSubError) {
        guard node.type == .leaf, node.configuration.sendLastPublishedItem != .never,
              subscription.isActive(at: now()) else { return }
        let page = try await stored { try await store.items(in: node.id, query: .mostRecent(1)) }
        guard let item = page.items.last else { return }
        let recipient = Recipient(jid: subscription.jid, subscriptionIDs: [subscription.id], collections: [],
                                  includeBody: subscription.options.includeBody)
        emit(.lastPublished(node: node.id, item: item, delivery: Delivery(node.configuration), recipient: recipient))
    }

    /// `pubsub#send_last_published_item = on_sub_and_presence` (XEP-0060 §12.4 and the
    /// node_config field): `resource`, a full JID, just became available; each of its bare JID's
    /// (or its own) subscriptions on such leaf nodes gets the node's last item, addressed to that
    /// resource. Returns how many last items were sent.
    public func subscriberBecameAvailable(_ resource: JID) async throws(PubSubError) -> Int {
        let subscriptions = try await stored { try await store.subscriptions(ofBare: resource.bare) }
        var sent = 0
        for subscription in subscriptions where subscription.state == .subscribed
            && (subscription.jid == resource.bare || subscription.jid == resource)
        {
            guard let node = try await stored({ try await store.node(subscription.node) }),
                  node.configuration.sendLastPublishedItem == .onSubAndPresence
            else { continue }
            let addressed = Subscription(node: subscription.node, jid: resource, id: subscription.id,
                                         state: subscription.state, options: subscription.options)
            try await sendLastPublishedItem(of: node, to: addressed)
            sent += 1
        }
        return sent
    }

    // MARK: §6.2 Unsubscribe

    func unsubscribe(_ id: NodeID, jid: JID, subscriptionID: SubscriptionID?, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        var subscription = try await ownSubscription(id, jid: jid, subscriptionID: subscriptionID, as: actor)
        try await stored { try await store.removeSubscription(subscription.id, on: id) }
        invalidateFanOut()
        let node = try await loadNode(id)
        if node.configuration.notifySub {
            subscription.state = .none
            emit(.subscriptionChanged(subscription, owners: try await owners(of: id)))
        }
        return .done
    }

    /// Selects the actor's subscription by JID and optional subid, with the errors of §6.2.3 / §6.3.4:
    /// forbidden for someone else's JID, not-subscribed, subid-required, invalid-subid.
    func ownSubscription(_ id: NodeID, jid: JID, subscriptionID: SubscriptionID?, as actor: Requester)
        async throws(PubSubError) -> Subscription
    {
        _ = try await loadNode(id)
        if let actorJID = actor.bareJID, actorJID != jid.bare { throw .forbidden }
        let mine = try await stored { try await store.subscriptions(on: id) }.filter { $0.jid == jid }
        guard !mine.isEmpty else { throw .notSubscribed }
        if let subscriptionID {
            guard let match = mine.first(where: { $0.id == subscriptionID }) else { throw .invalidSubID }
            return match
        }
        guard mine.count == 1, let only = mine.first else { throw .subIDRequired }
        return only
    }

    // MARK: §6.3 Subscription options

    func setSubscriptionOptions(
        _ id: NodeID, jid: JID, subscriptionID: SubscriptionID?, options: SubscriptionOptions, as actor: Requester
    ) async throws(PubSubError) -> PubSubResult {
        var subscription = try await ownSubscription(id, jid: jid, subscriptionID: subscriptionID, as: actor)
        try options.validate()
        subscription.options = options
        let updated = subscription
        try await stored { try await store.putSubscription(updated) }
        invalidateFanOut()
        return .done
    }

    // MARK: §5.6, §5.7 The entity's own subscriptions and affiliations

    func entitySubscriptions(_ node: NodeID?, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        if let node { _ = try await loadNode(node) }
        guard let jid = actor.bareJID else {
            guard let node else { return .subscriptions([]) }
            return .subscriptions(try await stored { try await store.subscriptions(on: node) })
        }
        let all = try await stored { try await store.subscriptions(ofBare: jid) }
        return .subscriptions(node.map { node in all.filter { $0.node == node } } ?? all)
    }

    func entityAffiliations(_ node: NodeID?, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        if let node { _ = try await loadNode(node) }
        guard let jid = actor.bareJID else {
            guard let node else { return .affiliations([]) }
            return .affiliations(try await stored { try await store.affiliations(on: node) })
        }
        let all = try await stored { try await store.affiliations(of: jid) }
        return .affiliations(node.map { node in all.filter { $0.node == node } } ?? all)
    }
}
