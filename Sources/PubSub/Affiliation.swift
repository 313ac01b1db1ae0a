import XMPPCore

/// An entity's affiliation with a node (XEP-0060 §4.1), keyed by bare JID.
/// Raw values are the wire names of the `affiliation` attribute.
public enum Affiliation: String, Sendable, CaseIterable {
    case owner
    case publisher
    case publishOnly = "publish-only"
    case member
    case none
    case outcast
}

/// One row of an affiliation list (XEP-0060 §5.7 entity view, §8.9 owner view).
public struct AffiliationEntry: Hashable, Sendable {
    public let node: NodeID
    public let jid: JID
    public let affiliation: Affiliation

    public init(node: NodeID, jid: JID, affiliation: Affiliation) {
        self.node = node
        self.jid = jid
        self.affiliation = affiliation
    }
}

/// An owner's change to one affiliation (XEP-0060 §8.9.2); `.none` removes the entity from the list.
public struct AffiliationChange: Hashable, Sendable {
    public let jid: JID
    public let affiliation: Affiliation

    public init(jid: JID, affiliation: Affiliation) {
        self.jid = jid
        self.affiliation = affiliation
    }
}
