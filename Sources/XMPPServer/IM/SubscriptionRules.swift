import Accounts
import XMPPCore

/// The presence subscription state machine of RFC 6121 §3 and its Appendix A tables, as pure
/// functions over one roster record.
///
/// A record's state is one of the nine defined states (Appendix A.1), read from `RosterItem`:
/// `subscription` gives None/To/From/Both, `askSubscribe` is "Pending Out" and `pendingIn` is
/// "Pending In". A missing record is "None". `preApproved` is the §3.4 pre-approval flag.
///
/// ```
/// alice's server: outbound(.subscribe, alice's item for bob)   -> None + Pending Out, route
/// bob's server:   inbound(.subscribe, bob's item for alice)    -> None + Pending In, deliver
/// bob's server:   outbound(.subscribed, bob's item for alice)  -> From, route, send presence
/// alice's server: inbound(.subscribed, alice's item for bob)   -> To, deliver
/// ```
public enum SubscriptionRules {
    /// The user's server processing a subscription stanza the user sent to `contact`
    /// (RFC 6121 §3.1.2, §3.1.5, §3.2.2, §3.3.2, §3.4.2; Appendix A.2). `item` is the user's
    /// record for the contact.
    ///
    /// `preApproval` says whether the server supports pre-approval (§3.4, advertised with the
    /// `urn:xmpp:features:pre-approval` stream feature); without it a `subscribed` that answers no
    /// request is ignored, as Appendix A.2.3 says.
    public static func outbound(
        _ event: SubscriptionEvent,
        item: RosterItem?,
        contact: JID,
        preApproval: Bool = true
    ) -> SubscriptionOutcome {
        var state = State(item)
        var record = item ?? RosterItem(jid: contact.bare, inRoster: false)
        var route = false
        var sendCurrentPresence = false
        var sendUnavailable = false

        switch event {
        case .subscribe:
            // A.2.1: always routed. None -> None + Pending Out, None + Pending In -> None + Pending
            // Out+In, From -> From + Pending Out; To, Both and the pending-out states keep theirs.
            // §3.1.2: the contact appears in the user's roster (roster push with ask='subscribe').
            route = true
            if !state.to { state.pendingOut = true }
            record.inRoster = true
        case .unsubscribe:
            // A.2.2: always routed. Drops To and Pending Out: None + Pending Out -> None, To -> None,
            // None + Pending Out+In and To + Pending In -> None + Pending In, From + Pending Out and
            // Both -> From; None, None + Pending In and From keep theirs.
            route = true
            state.to = false
            state.pendingOut = false
        case .subscribed:
            if state.from {
                // §3.4.2 rule 1, A.2.3 From/From + Pending Out/Both rows: ignored, not routed.
            } else if state.pendingIn {
                // §3.1.5, A.2.3: None + Pending In -> From, None + Pending Out+In -> From + Pending
                // Out, To + Pending In -> Both; routed, then the user's presence goes to the contact.
                state.from = true
                state.pendingIn = false
                record.preApproved = false
                record.inRoster = true
                route = true
                sendCurrentPresence = true
            } else if preApproval {
                // §3.4.2 rules 3 and 4 (A.2.3 None, None + Pending Out, To rows): note the
                // pre-approval, creating the item when there is none; never routed.
                record.preApproved = true
                record.inRoster = true
            }
        case .unsubscribed:
            if state.from {
                // §3.2.2, A.2.4: From -> None, From + Pending Out -> None + Pending Out, Both -> To;
                // routed after unavailable presence from the user's resources.
                state.from = false
                record.preApproved = false
                route = true
                sendUnavailable = true
            } else if state.pendingIn {
                // §3.1.4 (denial), A.2.4: None + Pending In -> None, None + Pending Out+In -> None +
                // Pending Out, To + Pending In -> To; routed.
                state.pendingIn = false
                record.preApproved = false
                route = true
            } else if record.preApproved {
                // §3.4.2: cancels a pre-approval; MUST NOT be routed.
                record.preApproved = false
            }
            // A.2.4 None, None + Pending Out, To rows without pre-approval: not routed, no change.
        }

        return outcome(
            old: item, new: state.apply(to: record),
            route: route, sendCurrentPresence: sendCurrentPresence, sendUnavailable: sendUnavailable
        )
    }

    /// The contact's server processing a subscription stanza that `user` sent to the contact
    /// (RFC 6121 §3.1.3, §3.1.6, §3.2.3, §3.3.3, §3.4; Appendix A.3). `item` is the contact's
    /// record for the user; the caller has already checked that the contact exists (§3.1.3 rule 1).
    public static func inbound(_ event: SubscriptionEvent, item: RosterItem?, from user: JID) -> SubscriptionOutcome {
        var state = State(item)
        var record = item ?? RosterItem(jid: user.bare, inRoster: false)
        var route = false
        var autoReply: SubscriptionEvent?
        var sendCurrentPresence = false
        var sendUnavailable = false

        switch event {
        case .subscribe:
            if state.from {
                // §3.1.3 rule 2, A.3.1 From/From + Pending Out/Both rows: not delivered, no change,
                // answered 'subscribed' on the contact's behalf. The RFC does not ask for presence
                // here, but the user's server has just entered To and would otherwise see none
                // until the contact's next broadcast.
                autoReply = .subscribed
                sendCurrentPresence = true
            } else if record.preApproved {
                // §3.1.3 rule 2 and §3.4: a pre-approved request is approved at once, as if the
                // contact had sent 'subscribed' (§3.1.5): None -> From, None + Pending Out ->
                // From + Pending Out, To -> Both.
                state.from = true
                state.pendingIn = false
                record.preApproved = false
                record.inRoster = true
                autoReply = .subscribed
                sendCurrentPresence = true
            } else if state.pendingIn {
                // A.3.1 None + Pending In, None + Pending Out+In, To + Pending In: a duplicate
                // request is neither delivered nor stored again (§3.1.3 rule 4: only one kept).
            } else {
                // §3.1.3 rules 3-4, A.3.1: None -> None + Pending In, None + Pending Out -> None +
                // Pending Out+In, To -> To + Pending In; delivered, or kept until the contact is
                // available. A record created here stays out of the roster (`inRoster` false).
                state.pendingIn = true
                route = true
            }
        case .subscribed:
            if state.pendingOut {
                // §3.1.6, A.3.3: None + Pending Out -> To, None + Pending Out+In -> To + Pending In,
                // From + Pending Out -> Both; delivered and pushed.
                state.to = true
                state.pendingOut = false
                route = true
                sendCurrentPresence = true
            }
            // A.3.3 other rows: nothing was asked for, so the stanza is dropped.
        case .unsubscribe:
            if state.from {
                // §3.3.3, A.3.2: From -> None, From + Pending Out -> None + Pending Out, Both -> To;
                // delivered, pushed, and the user gets unavailable presence from the contact.
                state.from = false
                route = true
                sendUnavailable = true
            } else if state.pendingIn {
                // §3.3.3, A.3.2: the user withdraws a request: None + Pending In -> None, None +
                // Pending Out+In -> None + Pending Out, To + Pending In -> To. A record kept only
                // for the request is removed.
                state.pendingIn = false
                route = true
            }
            // A.3.2 None, None + Pending Out, To rows: not delivered, no change.
        case .unsubscribed:
            if state.to || state.pendingOut {
                // §3.2.3, A.3.4: None + Pending Out -> None, None + Pending Out+In -> None + Pending
                // In, To -> None, To + Pending In -> None + Pending In, From + Pending Out and
                // Both -> From; delivered and pushed.
                state.to = false
                state.pendingOut = false
                route = true
            }
            // A.3.4 None, None + Pending In, From rows: not delivered, no change.
        }

        return outcome(
            old: item, new: state.apply(to: record),
            route: route, autoReply: autoReply,
            sendCurrentPresence: sendCurrentPresence, sendUnavailable: sendUnavailable
        )
    }

    // MARK: - Helpers

    private static func outcome(
        old: RosterItem?,
        new: RosterItem?,
        route: Bool,
        autoReply: SubscriptionEvent? = nil,
        sendCurrentPresence: Bool,
        sendUnavailable: Bool
    ) -> SubscriptionOutcome {
        SubscriptionOutcome(
            item: new,
            itemChanged: old != new,
            rosterPush: isVisibleChange(from: old, to: new),
            route: route,
            autoReply: autoReply,
            sendCurrentPresence: sendCurrentPresence,
            sendUnavailable: sendUnavailable
        )
    }

    /// A roster push shows jid, name, subscription, ask, approved and groups (RFC 6121 §2.1.2);
    /// pending-in and hidden records are not part of it.
    private static func isVisibleChange(from old: RosterItem?, to new: RosterItem?) -> Bool {
        guard let new, new.inRoster else { return false }
        guard let old, old.inRoster else { return true }
        return RosterQuery.itemElement(old) != RosterQuery.itemElement(new)
    }

    /// One of the nine defined states of RFC 6121 Appendix A.1, as four flags.
    private struct State {
        var to: Bool
        var from: Bool
        var pendingOut: Bool
        var pendingIn: Bool

        init(_ item: RosterItem?) {
            to = item?.subscription.hasTo ?? false
            from = item?.subscription.hasFrom ?? false
            // "Pending Out" only exists without To, "Pending In" only without From (A.1); a stored
            // flag beside the subscription it asks for is stale and read as absent.
            pendingOut = (item?.askSubscribe ?? false) && !to
            pendingIn = (item?.pendingIn ?? false) && !from
        }

        /// The record with this state, or nil when it no longer carries anything: a record outside
        /// the roster exists only to hold a pending request or a pre-approval.
        func apply(to record: RosterItem) -> RosterItem? {
            var record = record
            record.subscription = RosterItem.Subscription(to: to, from: from)
            record.askSubscribe = pendingOut
            record.pendingIn = pendingIn
            if !record.inRoster && !pendingIn && !pendingOut && !record.preApproved
                && record.subscription == .none {
                return nil
            }
            return record
        }
    }
}
