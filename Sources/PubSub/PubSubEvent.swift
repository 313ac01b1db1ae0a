import XMPPCore

/// One subscriber to notify, once, however many of its subscriptions matched (XEP-0060 §6.1.6,
/// §13.16: a single notification carrying SHIM `SubID` headers).
public struct Recipient: Hashable, Sendable {
    public let jid: JID
    /// Every matching subscription id, for the SHIM `SubID` headers.
    public let subscriptionIDs: [SubscriptionID]
    /// The collections whose subscriptions matched, for the SHIM `Collection` header (XEP-0248 §5.3);
    /// empty when only subscriptions on the node itself matched.
    public let collections: [NodeID]
    /// `pubsub#include_body` (§13.8): true when any matching subscription asked for a message body
    /// ("the service SHOULD include a body with all notifications").
    public let includeBody: Bool

    public init(jid: JID, subscriptionIDs: [SubscriptionID], collections: [NodeID], includeBody: Bool = false) {
        self.jid = jid
        self.subscriptionIDs = subscriptionIDs
        self.collections = collections
        self.includeBody = includeBody
    }
}

/// How the leaf's configuration says to deliver (XEP-0248 §5.3: delivery options come from the leaf).
public struct Delivery: Hashable, Sendable {
    public let deliverPayloads: Bool
    public let notificationType: NotificationType
    public let presenceBased: Bool
    /// `pubsub#title` of the leaf, for the §13.8 message body.
    public let title: String

    public init(deliverPayloads: Bool, notificationType: NotificationType, presenceBased: Bool, title: String = "") {
        self.deliverPayloads = deliverPayloads
        self.notificationType = notificationType
        self.presenceBased = presenceBased
        self.title = title
    }

    init(_ configuration: NodeConfiguration) {
        self.init(
            deliverPayloads: configuration.deliverPayloads,
            notificationType: configuration.notificationType,
            presenceBased: configuration.presenceBasedDelivery,
            title: configuration.title
        )
    }
}

/// Why items left a node without a retract request.
public enum RemovalReason: String, Hashable, Sendable {
    /// `pubsub#max_items` evicted the oldest (§13.1).
    case evicted
    /// `pubsub#item_expire` ran out.
    case expired
}

/// What happened in the pubsub domain. XMPP notifications, the MQTT bridge and WebSocket push all consume
/// these. Every event is emitted after the store committed the change; `recipients` is already filtered by
/// subscription state, `pubsub#deliver`, expiry and the node's notify settings (it may be empty).
public enum PubSubEvent: Sendable, Equatable {
    /// §7.1.2: an item was published (or overwritten).
    case published(node: NodeID, item: Item, delivery: Delivery, recipients: [Recipient])
    /// §4.3: a publish without item on a notification-only transient node: an empty `<items/>` event.
    case notified(node: NodeID, delivery: Delivery, recipients: [Recipient])
    /// §7.2.2.1: items were retracted; recipients are empty unless notification was asked for.
    case retracted(node: NodeID, itemIDs: [String], recipients: [Recipient])
    /// Items were removed by retention (no notification per XEP-0060; stores of uploads and bridges care).
    case itemsRemoved(node: NodeID, itemIDs: [String], reason: RemovalReason)
    /// §8.5.2: the node was purged.
    case purged(node: NodeID, recipients: [Recipient])
    /// §8.4.2: the node was deleted. Children left without a parent are now top-level (XEP-0248 §8.2).
    case deleted(node: NodeID, redirect: String?, recipients: [Recipient])
    /// §8.2.5.3: the configuration changed (recipients only with `pubsub#notify_config`).
    case configured(node: NodeID, configuration: NodeConfiguration, recipients: [Recipient])
    /// XEP-0248 §5.3: a node was created below collections with `subscription_type` nodes/all subscribers.
    case nodeCreated(node: NodeID, recipients: [Recipient])
    /// XEP-0248 §5.3.2: `node` became a child of `collection` (by `<associate/>` or configuration);
    /// recipients are the collection's `nodes`/`all` subscribers.
    case associated(collection: NodeID, node: NodeID, recipients: [Recipient])
    /// XEP-0248 §5.3.2: `node` stopped being a child of `collection`.
    case dissociated(collection: NodeID, node: NodeID, recipients: [Recipient])
    /// §13.14: a subscription changed state (approved, denied, removed by an owner, new).
    /// `owners` are to be told as well when the node has `pubsub#notify_sub`.
    case subscriptionChanged(Subscription, owners: [JID])
    /// §8.6: a subscription waits for approval; send the authorization form to `owners`.
    case approvalRequested(Subscription, owners: [JID])
    /// §6.1.7: the last published item, for one new subscriber (`send_last_published_item` = on_sub…).
    case lastPublished(node: NodeID, item: Item, delivery: Delivery, recipient: Recipient)
}
