/// The affiliation × action table of XEP-0060 §4.1 (Table 4), as one explicit literal.
///
/// Footnote choices, read from the table's "*" note:
/// - publisher: "Yes *" for delete-single-item and purge — Starling lets publishers retract any item and
///   purge, as the table's cells say.
/// - publish-only: "Yes *" for delete-single-item but SHOULD only delete its own items, and "No *" for
///   purge — so `retractOwnItem` yes, `retractAnyItem` no, `purge` no.
/// - Manage subscriptions/affiliations (§8.8, §8.9) are owner-only ("If the requesting entity is not a node
///   owner, the service MUST return a forbidden error").
///
/// Access models (§4.5) and publish models (`pubsub#publish_model`) widen or narrow this at the service;
/// the table is the affiliation part only.
public enum CapabilityTable {
    public static func allows(_ affiliation: Affiliation, _ capability: Capability) -> Bool {
        row(affiliation).contains(capability)
    }

    /// The row of Table 4 for `affiliation`.
    public static func row(_ affiliation: Affiliation) -> Set<Capability> {
        switch affiliation {
        //              subscribe  retrieve        publish   own item         any item         purge   configure   delete       owner-only
        case .owner:       [.subscribe, .retrieveItems, .publish, .retractOwnItem, .retractAnyItem, .purge, .configure, .deleteNode, .manageSubscriptions, .manageAffiliations]
        case .publisher:   [.subscribe, .retrieveItems, .publish, .retractOwnItem, .retractAnyItem, .purge]
        case .publishOnly: [.publish, .retractOwnItem]
        case .member:      [.subscribe, .retrieveItems]
        case .none:        [.subscribe]
        case .outcast:     []
        }
    }
}
