/// What ``PubSubService/perform(_:as:)`` returns, one case per kind of IQ result payload.
public enum PubSubResult: Sendable, Equatable {
    /// An empty IQ result.
    case done
    /// §8.1: the created NodeID (MUST be returned for instant nodes).
    case created(NodeID)
    /// §8.2.1 / §8.3: a configuration, with the derived `pubsub#children`.
    case configuration(NodeConfiguration, children: [NodeID])
    /// §7.1.2: the ItemID stored (MUST be returned when generated).
    case published(node: NodeID, itemID: String)
    /// §6.1.2 / §6.3.1: one subscription (its state may be `pending`, §6.1.4).
    case subscription(Subscription)
    /// §6.4: default subscription options.
    case subscriptionOptions(SubscriptionOptions)
    /// §6.5.
    case items(node: NodeID, page: ItemPage)
    /// XEP-0248 §6.2: items of the leaves below a collection.
    case collectionItems(node: NodeID, page: CollectionItemPage)
    /// §5.5: the ItemIDs of a leaf, for disco#items.
    case itemIDs(node: NodeID, ids: [String])
    /// §5.6 / §8.8.1 / §8.7.
    case subscriptions([Subscription])
    /// §5.7 / §8.9.1.
    case affiliations([AffiliationEntry])
    /// §5.4.
    case metadata(NodeMetadata)
    /// §5.2.
    case nodes([NodeSummary])
}
