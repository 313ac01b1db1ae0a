import Accounts

/// What a server does after processing one subscription stanza (RFC 6121 §3, Appendix A).
/// Produced by `SubscriptionRules`; the session and router carry it out.
public struct SubscriptionOutcome: Equatable, Sendable {
    /// The owner's record for the other party after the stanza: nil when no record exists or the
    /// record must be deleted (a pending-in-only record that was answered or withdrawn).
    public var item: RosterItem?
    /// The record differs from the one passed in: store it (or delete it when `item` is nil).
    public var itemChanged: Bool
    /// The change is visible in the owner's roster: send a roster push of `item` to the owner's
    /// interested resources (RFC 6121 §2.1.6). False for changes to hidden records and to the
    /// pending-in flag, which rosters do not show (§3.1.3).
    public var rosterPush: Bool
    /// Outbound: stamp the user's bare JID as `from`, the contact's bare JID as `to`, and route
    /// the stanza to the other party (RFC 6121 §3.1.2).
    /// Inbound: deliver it to the owner. A `subscribe` goes to the owner's available resources,
    /// or waits until one is available (`pendingIn` in `item` is that record, §3.1.3 rule 4);
    /// `subscribed`, `unsubscribe` and `unsubscribed` go to the interested resources (§3.1.6,
    /// §3.2.3, §3.3.3).
    public var route: Bool
    /// A stanza the server sends back to the other party on the owner's behalf (RFC 6121 §3.1.3
    /// rule 2 and §3.4.1: `subscribed` when the subscription exists already or was pre-approved).
    public var autoReply: SubscriptionEvent?
    /// Outbound `subscribed` that created a From subscription (RFC 6121 §3.1.5), or an inbound
    /// `subscribe` answered on the owner's behalf: send the owner's current presence from each
    /// available resource to the other party. Inbound `subscribed` that created a To subscription
    /// (§3.1.6): the owner should now get the other party's available presence (a probe, §4.3,
    /// when that party is remote).
    public var sendCurrentPresence: Bool
    /// A From subscription ended (outbound `unsubscribed`, RFC 6121 §3.2.2; inbound `unsubscribe`,
    /// §3.3.3): send `unavailable` presence from each of the owner's available resources to the
    /// other party, before routing the stanza.
    public var sendUnavailable: Bool

    public init(
        item: RosterItem?,
        itemChanged: Bool = false,
        rosterPush: Bool = false,
        route: Bool = false,
        autoReply: SubscriptionEvent? = nil,
        sendCurrentPresence: Bool = false,
        sendUnavailable: Bool = false
    ) {
        self.item = item
        self.itemChanged = itemChanged
        self.rosterPush = rosterPush
        self.route = route
        self.autoReply = autoReply
        self.sendCurrentPresence = sendCurrentPresence
        self.sendUnavailable = sendUnavailable
    }
}
