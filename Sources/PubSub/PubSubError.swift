/// Every error a pubsub request can end in, named for the XEP-0060/XEP-0248 case that produces it.
///
/// PubSubXMPP turns each case into a stanza error with one exhaustive `switch`; the comment on each case
/// gives that mapping: RFC 6120 condition + `pubsub#errors` application condition, and the section.
public enum PubSubError: Error, Hashable, Sendable {
    /// item-not-found — the node does not exist (§6.1.3.12, §7.1.3.3, §8.2.3.5, …).
    case nodeNotFound
    /// item-not-found — retracting an item that does not exist (§7.2.3.2). Retrieving unknown items is not an
    /// error: §6.5.9.12 answers with an empty result.
    case itemNotFound
    /// conflict — the requested NodeID already exists (§8.1.1).
    case nodeExists
    /// not-acceptable + nodeid-required — instant nodes unsupported (§8.1.1). (A request that names no
    /// node where one is needed is bad-request + nodeid-required, §7.2.3.3; codecs catch that themselves.)
    case nodeIDRequired
    /// not-acceptable — the NodeID is empty or longer than ``NodeID/maximumLength`` (local policy).
    case invalidNodeID
    /// forbidden — insufficient privileges (§6.1.3.8 blocked, §7.1.3.1, §7.2.3.1, §8.x).
    case forbidden
    /// bad-request + invalid-jid — the subscribed JID is not the requester's (§6.1.3.1).
    case invalidJID
    /// not-authorized + presence-subscription-required (§6.1.3.2, §6.5.9.6).
    case presenceSubscriptionRequired
    /// not-authorized + not-in-roster-group (§6.1.3.3, §6.5.9.7).
    case notInRosterGroup
    /// not-allowed + closed-node — not on the whitelist (§6.1.3.4, §6.5.9.8).
    case closedNode
    /// not-authorized + pending-subscription (§6.1.3.7).
    case pendingSubscription
    /// policy-violation + too-many-subscriptions (§6.1.3.9).
    case tooManySubscriptions
    /// conflict — a second collection subscription of the same type (XEP-0248 §6.1.3).
    case alreadySubscribed
    /// bad-request + subid-required (§6.2.3.1, §6.3.4.4, §6.5.9.1).
    case subIDRequired
    /// not-acceptable + invalid-subid (§6.2.3.5, §6.3.4.5, §6.5.9.2).
    case invalidSubID
    /// unexpected-request + not-subscribed — unsubscribe/options without a subscription (§6.2.3.2, §6.3.4.2).
    case notSubscribed
    /// not-authorized + not-subscribed — retrieval on an `authorize` node without a subscription (§6.5.9.3).
    case retrievalRequiresSubscription
    /// bad-request + jid-required (§6.3.4.3).
    case jidRequired
    /// bad-request + invalid-options — subscription options rejected (§6.3.5.2).
    case invalidOptions
    /// not-acceptable — a node configuration value is invalid (§8.2.5.2).
    case invalidConfiguration
    /// not-allowed + invalid-options — the node graph change is illegal: a cycle, children on a leaf,
    /// collection to leaf (XEP-0248 §7.2.3).
    case invalidGraphChange
    /// not-allowed + max-nodes-exceeded — `pubsub#children_max` reached (XEP-0248 §7.2.3.3).
    case maxNodesExceeded
    /// not-acceptable + payload-too-big (§7.1.3.5).
    case payloadTooBig
    /// bad-request + invalid-payload — more than one payload (raised by codecs) or a root namespace other than
    /// `pubsub#type` (§7.1.3.6).
    case invalidPayload
    /// bad-request + item-required (§7.1.3.7, §7.2.3.4).
    case itemRequired
    /// bad-request + payload-required — an item without payload on a node that delivers payloads (§7.1.3.7).
    case payloadRequired
    /// bad-request + item-forbidden — an item published to a notification-only transient node (§7.1.3.7).
    case itemForbidden
    /// conflict + node-full — `pubsub#publish_node_full` is `reject` and the node holds `max_items` (§7.1.3.4).
    case nodeFull
    /// bad-request — dissociating a node that is not a child of the collection (XEP-0248 §7.6.3.1).
    case notAssociated
    /// bad-request — an ItemID longer than ``Item/maximumIDLength`` UTF-8 bytes (local policy; stores index ids).
    case invalidItemID
    /// conflict + precondition-not-met (§7.1.5).
    case preconditionNotMet
    /// feature-not-implemented + unsupported with `feature` (§6.1.3.10, §7.1.3.2, §8.1.1, XEP-0248 §4.1:
    /// publishing to a collection is `unsupported(.publish)`).
    case unsupported(Feature)
    /// not-allowed — e.g. creating collections is disabled (XEP-0248 §7.1.3.2).
    case notAllowed
    /// not-acceptable — the change would leave the node without an owner (§8.9.2.4).
    case lastOwner
    /// bad-request — one entity listed twice in an affiliation change (§8.9.2.4).
    case duplicateAffiliation
    /// internal-server-error — the store failed; the request may be retried.
    case storeFailure(String)
}

/// The `feature` attribute of `<unsupported/>` (XEP-0060 §11 Feature Summary).
public enum Feature: String, Hashable, Sendable, CaseIterable {
    case autoCreate = "auto-create"
    case collections
    case configNode = "config-node"
    case createNodes = "create-nodes"
    case deleteItems = "delete-items"
    case instantNodes = "instant-nodes"
    case persistentItems = "persistent-items"
    case publish
    case publishOptions = "publish-options"
    case purgeNodes = "purge-nodes"
    case retrieveItems = "retrieve-items"
    case subscribe
}
