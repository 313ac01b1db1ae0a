import XMPPCore

/// XEP-0060 §4.4 Node Types; XEP-0248 adds the tree semantics of `collection`.
public enum NodeType: String, Sendable {
    case leaf
    case collection
}

/// `pubsub#access_model` (XEP-0060 §4.5).
public enum AccessModel: String, Sendable, CaseIterable {
    case open, presence, roster, authorize, whitelist
}

/// `pubsub#publish_model` (XEP-0060 §17.4.4).
public enum PublishModel: String, Sendable, CaseIterable {
    case publishers, subscribers, open
}

/// `pubsub#send_last_published_item` (XEP-0060 §13.10 Item Caching).
public enum SendLastPublishedItem: String, Sendable, CaseIterable {
    case never
    case onSub = "on_sub"
    case onSubAndPresence = "on_sub_and_presence"
}

/// `pubsub#notification_type`: the `<message/>` type of notifications (XEP-0060 §17.4.4).
public enum NotificationType: String, Sendable, CaseIterable {
    case normal, headline
}

/// `pubsub#publish_node_full` (XEP-0060 §7.1.2.5, §7.1.3.4, §17.4.4): what a publish to a node holding
/// `max_items` items does.
public enum PublishNodeFull: String, Sendable, CaseIterable {
    /// Evict the oldest; with `pubsub#notify_retract`, subscribers get a retraction for it (§7.1.2.5 MAY).
    case retractOldest = "retract-oldest"
    /// Evict the oldest silently.
    case discardOldest = "discard-oldest"
    /// Refuse the publish: conflict + node-full (§7.1.3.4).
    case reject
}

/// `pubsub#children_association_policy` (XEP-0248 §12.2.2): who may associate children with a collection.
public enum ChildrenAssociationPolicy: String, Sendable, CaseIterable {
    case all, owners, whitelist
}

/// A node's configuration: every field of the `pubsub#node_config` FORM_TYPE (XEP-0060 §17.4.4, XEP-0248
/// §12.2.2) that Starling supports, typed. The data form lives in PubSubXMPP; the domain sees this struct.
///
/// Defaults follow the XEP-0060 §8.3 "Request Default Node Configuration Options" example except where
/// noted: `itemExpire` defaults to no expiry (the example's 604800 is illustrative), and
/// `maxPayloadSize` is the example's 9216 bytes; services override both with `defaultConfiguration`.
///
/// `pubsub#children` is not stored here: it is derived from the other nodes' `collections`
/// (XEP-0248 §8.3 "Node configuration MUST always reflect the current state of the node graph").
public struct NodeConfiguration: Hashable, Sendable {
    /// `pubsub#node_type`.
    public var nodeType: NodeType = .leaf
    /// `pubsub#title`.
    public var title: String = ""
    /// `pubsub#description`.
    public var description: String = ""
    /// `pubsub#type`: the payload namespace (opaque to the domain).
    public var payloadType: String? = nil
    /// `pubsub#max_items`; `nil` is `max` (no limit but the service's own).
    public var maxItems: Int? = 10
    /// `pubsub#publish_node_full`; the default is `retract-oldest` (§7.1.2.5).
    public var publishNodeFull: PublishNodeFull = .retractOldest
    /// `pubsub#item_expire`; `nil` means items never expire. Enforced by ``PubSubService/expireItems()``.
    public var itemExpire: Duration? = nil
    /// `pubsub#access_model`.
    public var accessModel: AccessModel = .open
    /// `pubsub#publish_model`.
    public var publishModel: PublishModel = .publishers
    /// `pubsub#deliver_payloads`.
    public var deliverPayloads: Bool = true
    /// `pubsub#deliver_notifications`.
    public var deliverNotifications: Bool = true
    /// `pubsub#notify_config`.
    public var notifyConfig: Bool = false
    /// `pubsub#notify_delete`.
    public var notifyDelete: Bool = false
    /// `pubsub#notify_retract`: notify on retraction even without `notify='true'` on the request.
    public var notifyRetract: Bool = false
    /// `pubsub#notify_sub`: notify owners of subscription changes.
    public var notifySub: Bool = false
    /// `pubsub#persist_items`.
    public var persistItems: Bool = true
    /// `pubsub#presence_based_delivery`: the XMPP layer delivers only to available subscribers.
    public var presenceBasedDelivery: Bool = false
    /// `pubsub#send_last_published_item`.
    public var sendLastPublishedItem: SendLastPublishedItem = .never
    /// `pubsub#notification_type`.
    public var notificationType: NotificationType = .headline
    /// `pubsub#max_payload_size` in bytes; `nil` means the service limit only.
    public var maxPayloadSize: Int? = 9216
    /// `pubsub#roster_groups_allowed` (used by the `roster` access model).
    public var rosterGroupsAllowed: [String] = []
    /// `pubsub#subscribe`: whether subscriptions are allowed at all.
    public var subscribe: Bool = true
    /// `pubsub#collection`: the parents of this node in the XEP-0248 graph (a DAG, §4.1).
    public var collections: [NodeID] = []
    /// `pubsub#children_association_policy` (collections only).
    public var childrenAssociationPolicy: ChildrenAssociationPolicy = .owners
    /// `pubsub#children_association_whitelist` (collections only).
    public var childrenAssociationWhitelist: [JID] = []
    /// `pubsub#children_max`; `nil` is no limit.
    public var childrenMax: Int? = nil

    public init() {}

    /// The default configuration for a node type (XEP-0060 §8.3, XEP-0248 §7.3).
    public static func defaults(for type: NodeType) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.nodeType = type
        return configuration
    }

    /// The §4.3 "notification-only, transient" event type (`deliver_payloads` and `persist_items` false):
    /// publishes carry no `<item/>` and notifications an empty `<items/>` (§7.1.3.7).
    public var isNotificationOnlyTransient: Bool { !deliverPayloads && !persistItems }

    /// Checks the values a form cannot type (XEP-0060 §8.2.5.2: invalid values give `not-acceptable`).
    func validate() throws(PubSubError) {
        if let maxItems, maxItems < 0 { throw .invalidConfiguration }
        if let maxPayloadSize, maxPayloadSize < 0 { throw .invalidConfiguration }
        if let childrenMax, childrenMax < 0 { throw .invalidConfiguration }
        if let itemExpire, itemExpire <= .zero { throw .invalidConfiguration }
        if Set(collections).count != collections.count { throw .invalidConfiguration }
    }
}
