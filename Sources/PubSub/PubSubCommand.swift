import XMPPCore

/// One XEP-0060/XEP-0248 use case, decoded from the wire by PubSubXMPP and performed by
/// ``PubSubService/perform(_:as:)``. Section numbers are XEP-0060's unless noted.
public enum PubSubCommand: Sendable {
    // MARK: Owner (§8)
    /// §8.1: create a node; `node == nil` asks for an instant node. Type and parents come from `configuration`.
    case create(node: NodeID?, configuration: NodeConfiguration?)
    /// §8.2.1: the node's configuration form.
    case getConfiguration(node: NodeID)
    /// §8.2.4 (+ XEP-0248 §7.2): replace the configuration; `children`, when given, becomes the exact set of
    /// child nodes (the `pubsub#children` field).
    case configure(node: NodeID, configuration: NodeConfiguration, children: [NodeID]?)
    /// §8.3 (XEP-0248 §7.3): the default configuration for a node type.
    case defaultConfiguration(type: NodeType)
    /// §8.4: delete a node, optionally pointing subscribers at `redirect` (a URI).
    case delete(node: NodeID, redirect: String?)
    /// §8.5: remove every item.
    case purge(node: NodeID)
    /// §8.8.1: every subscription on the node.
    case ownerSubscriptions(node: NodeID)
    /// §8.8.2: apply subscription changes (a delta).
    case setOwnerSubscriptions(node: NodeID, changes: [SubscriptionChange])
    /// §8.9.1: every affiliation on the node except `none`.
    case ownerAffiliations(node: NodeID)
    /// §8.9.2: apply affiliation changes (a delta); `none` removes.
    case setOwnerAffiliations(node: NodeID, changes: [AffiliationChange])
    /// XEP-0248 §7.5: make `node` a child of `collection` without touching other configuration.
    case associate(collection: NodeID, node: NodeID)
    /// XEP-0248 §7.6: remove `node` from `collection`'s children.
    case dissociate(collection: NodeID, node: NodeID)
    /// §8.7: the pending subscriptions of a node.
    case pending(node: NodeID)
    /// §8.6: approve or deny one pending subscription.
    case approve(node: NodeID, subscriptionID: SubscriptionID, allow: Bool)

    // MARK: Publisher (§7)
    /// §7.1: publish `payload` as item `itemID` (generated when `nil`). `payloadNamespace` is the namespace
    /// of the payload's root element as the codec read it (`""` for none), checked against `pubsub#type`
    /// (§7.1.3.6); `nil` means the payload is not XML (e.g. raw bytes from a bridge) and is not checked.
    case publish(node: NodeID, itemID: String?, payload: [UInt8], options: PublishOptions?, payloadNamespace: String? = nil)
    /// §4.3 / §7.1.3.7: a `<publish/>` without `<item/>`, allowed only on a notification-only transient node
    /// (`deliver_payloads` and `persist_items` false): subscribers get an empty `<items/>` notification.
    case publishWithoutItem(node: NodeID, options: PublishOptions?)
    /// §7.2: delete items; `notify` is the request's `notify` attribute.
    case retract(node: NodeID, itemIDs: [String], notify: Bool)

    // MARK: Subscriber (§6)
    /// §6.1 (+ §6.3.7 subscribe-and-configure).
    case subscribe(node: NodeID, jid: JID, options: SubscriptionOptions?)
    /// §6.2.
    case unsubscribe(node: NodeID, jid: JID, subscriptionID: SubscriptionID?)
    /// §6.3.1.
    case getSubscriptionOptions(node: NodeID, jid: JID, subscriptionID: SubscriptionID?)
    /// §6.3.5.
    case setSubscriptionOptions(node: NodeID, jid: JID, subscriptionID: SubscriptionID?, options: SubscriptionOptions)
    /// §6.4: default subscription options, for a node or the service.
    case defaultSubscriptionOptions(node: NodeID?)
    /// §6.5: retrieve items; on a collection, XEP-0248 §6.2 (items of every leaf below it).
    case items(node: NodeID, query: ItemQuery)

    // MARK: Entity (§5)
    /// §5.2 / XEP-0248 §5.2: disco#items — top-level nodes (`nil`) or a collection's children;
    /// on a leaf, §5.5: its ItemIDs.
    case childNodes(of: NodeID?)
    /// §5.3/§5.4: disco#info and the meta-data form.
    case metadata(node: NodeID)
    /// §5.6: the requester's subscriptions, on one node or all.
    case subscriptions(node: NodeID?)
    /// §5.7: the requester's affiliations, on one node or all.
    case affiliations(node: NodeID?)
}
