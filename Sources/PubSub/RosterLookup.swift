import XMPPCore

/// What the `presence` and `roster` access models need to know about node owners' rosters
/// (XEP-0060 §4.5, RFC 6121 §2). Implemented by the server over its roster store.
public protocol RosterLookup: Sendable {
    /// Whether `contact` may see `owner`'s presence: the owner's roster item for the contact has
    /// subscription `from` or `both`.
    func isSubscribedToPresence(of owner: JID, contact: JID) async -> Bool
    /// The groups `owner` put `contact` in; empty if the contact is not in the roster.
    func groups(of contact: JID, inRosterOf owner: JID) async -> Set<String>
}
