/// An action gated by affiliation: the columns of XEP-0060 §4.1 Table 4, with "Delete Single Item" split
/// by the table's footnote (own items vs any item), plus the owner-only use cases of §8.
public enum Capability: Sendable, CaseIterable {
    /// §6.1 Subscribe.
    case subscribe
    /// §6.5 Retrieve Items.
    case retrieveItems
    /// §7.1 Publish Items.
    case publish
    /// §7.2 Delete Single Item, for items the entity itself published.
    case retractOwnItem
    /// §7.2 Delete Single Item, for items anyone published.
    case retractAnyItem
    /// §8.5 Purge Node.
    case purge
    /// §8.2 Configure Node.
    case configure
    /// §8.4 Delete Node.
    case deleteNode
    /// §8.8 Manage Subscriptions (and §8.6/§8.7 pending approval).
    case manageSubscriptions
    /// §8.9 Manage Affiliations.
    case manageAffiliations
}
