import XMPPCore

/// Who may create nodes (XEP-0060 §8.1.1: "a service MAY disallow creation of nodes based on the
/// identity of the requesting entity").
public enum CreationPolicy: Hashable, Sendable {
    /// Any user of this domain (the default): `pubsub.example.org` serves `*@example.org`.
    case anyLocalUser(domain: String)
    /// Only these bare JIDs.
    case admins([JID])
    /// Nobody but the system (nodes are provisioned).
    case systemOnly

    func allows(_ jid: JID) -> Bool {
        switch self {
        case .anyLocalUser(let domain): jid.domainpart == domain && jid.localpart != nil
        case .admins(let admins): admins.contains(jid.bare)
        case .systemOnly: false
        }
    }
}

/// Service-wide settings; every limit has a safe default (DESIGN.md "Robustness rules").
public struct PubSubServiceConfiguration: Sendable {
    public var creationPolicy: CreationPolicy
    /// XEP-0060 §7.1.4: create a missing node on publish.
    public var autoCreate: Bool = true
    /// Whether instant nodes (no NodeID on create) are allowed (§8.1.1).
    public var instantNodes: Bool = true
    /// Whether collection nodes may be created (XEP-0248 §7.1.3.2).
    public var allowCollections: Bool = true
    /// The defaults of new leaf nodes (§8.3); a collection takes these with `nodeType = .collection`.
    public var defaultConfiguration: NodeConfiguration = NodeConfiguration()
    /// The service's own cap on `pubsub#max_items` ("max" means this); `nil` is none.
    public var maxItemsLimit: Int? = 10_000
    /// The service's own cap on payload bytes, whatever the node says.
    public var maxPayloadSizeLimit: Int = 1 << 20
    /// Subscriptions one bare JID may hold per node (§6.1.3.9).
    public var maxSubscriptionsPerNode: Int = 16

    public init(creationPolicy: CreationPolicy) {
        self.creationPolicy = creationPolicy
    }
}
