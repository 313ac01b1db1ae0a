import XMPPCore

/// One contact in a user's roster (RFC 6121 §2.1.2), with the subscription state of RFC 6121 §3
/// and the pending flags its Appendix A state tables use.
public struct RosterItem: Hashable, Sendable {
    /// RFC 6121 §2.1.2.5 `subscription` attribute.
    public enum Subscription: String, Hashable, Sendable, CaseIterable {
        case none, to, from, both

        /// The user receives the contact's presence.
        public var hasTo: Bool { self == .to || self == .both }
        /// The contact receives the user's presence.
        public var hasFrom: Bool { self == .from || self == .both }

        public init(to: Bool, from: Bool) {
            switch (to, from) {
            case (false, false): self = .none
            case (true, false): self = .to
            case (false, true): self = .from
            case (true, true): self = .both
            }
        }
    }

    /// The contact's bare JID.
    public var jid: JID
    public var name: String?
    public var subscription: Subscription
    /// Outbound subscription request awaiting the contact's answer (`ask='subscribe'`, "Pending Out").
    public var askSubscribe: Bool
    /// Inbound subscription request the user has not answered yet ("Pending In", RFC 6121 §3.1.3).
    /// Kept even when the item is not visible in the roster (RFC 6121 §3.1.3 stores the request).
    public var pendingIn: Bool
    /// The user pre-approved the contact's subscription (RFC 6121 §3.4).
    public var preApproved: Bool
    public var groups: [String]
    /// False for a record that exists only to remember a pending inbound request from someone the
    /// user never added (RFC 6121 §3.1.3: the request is stored, no roster item is created); such
    /// records are hidden from roster gets and pushes until the user adds or approves the contact.
    public var inRoster: Bool

    public init(
        jid: JID,
        name: String? = nil,
        subscription: Subscription = .none,
        askSubscribe: Bool = false,
        pendingIn: Bool = false,
        preApproved: Bool = false,
        groups: [String] = [],
        inRoster: Bool = true
    ) {
        self.jid = jid
        self.name = name
        self.subscription = subscription
        self.askSubscribe = askSubscribe
        self.pendingIn = pendingIn
        self.preApproved = preApproved
        self.groups = groups
        self.inRoster = inRoster
    }
}
