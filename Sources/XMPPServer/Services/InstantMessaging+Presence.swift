import Accounts
import NIOCore
import XMPPCore
import XMPPStream

/// RFC 6121 §4 presence broadcast and directed presence, and §3 subscription processing for local
/// users (both the user's and the contact's server are this one).
extension InstantMessaging {
    func handlePresence(_ presence: Presence, from session: Session) -> EventLoopFuture<Void>? {
        if let to = presence.to {
            if let event = SubscriptionEvent(presence.type) {
                return async(session) { [self] in
                    try await subscription(event, from: session.jid.bare, to: to.bare, original: presence)
                }
            }
            if presence.type == .available || presence.type == .unavailable {
                directed(presence, to: to)
            }
            // Probes are server-generated (§4.3); errors need no answer.
            return nil
        }
        switch presence.type {
        case .available:
            let wasAvailable = session.updatePresence { state in
                let was = state.isAvailable
                state.isAvailable = true
                state.priority = presence.priority
                state.lastPresence = presence.element
                return was
            }
            if !wasAvailable {
                for observer in presenceObservers.withLock({ $0 }) { observer.resourceBecameAvailable(session.jid) }
            }
            return async(session) { [self] in
                try await broadcast(presence.element, from: session)
                if !wasAvailable { try await initialPresence(of: session) }
            }
        case .unavailable:
            session.updatePresence { state in
                state.isAvailable = false
                state.lastPresence = nil
            }
            return async(session) { [self] in try await broadcast(presence.element, from: session) }
        default:
            return nil
        }
    }

    /// §4.5.2: a session that ends while available is announced unavailable.
    func sessionEnded(_ session: Session) {
        guard session.presence.isAvailable else { return }
        session.updatePresence { $0.isAvailable = false }
        let unavailable = Presence(type: .unavailable, from: session.jid).element
        let logger = self.logger
        Task { [self] in
            do {
                try await broadcast(unavailable, from: session)
            } catch {
                logger.error("unavailable broadcast failed: \(error)")
            }
        }
    }

    /// §4.2.2 / §4.4.2: to contacts with a 'from' subscription and to the user's own available resources.
    private func broadcast(_ presence: Element, from session: Session) async throws {
        guard let username = session.jid.localpart else { return }
        for own in sessions.sessions(of: username) where own.presence.isAvailable || own === session {
            own.send(presence)
        }
        for item in try await storage.rosterItems(of: username) where item.subscription.hasFrom {
            deliverToAvailable(presence, to: item.jid)
        }
    }

    /// §4.2.3 (probes answered locally) and §3.1.3 (stored subscription requests delivered).
    private func initialPresence(of session: Session) async throws {
        guard let username = session.jid.localpart else { return }
        for item in try await storage.rosterItems(of: username) {
            if item.subscription.hasTo, let contact = item.jid.localpart, isLocal(item.jid) {
                for other in sessions.sessions(of: contact) {
                    if let last = other.presence.lastPresence { session.send(last) }
                }
            }
            if item.pendingIn {
                session.send(Presence(type: .subscribe, from: item.jid, to: session.jid.bare).element)
            }
        }
        // Presence of the user's other resources (§4.2.2 includes the user's own resources).
        for other in sessions.sessions(of: username) where other !== session {
            if let last = other.presence.lastPresence { session.send(last) }
        }
    }

    /// §4.6 directed presence: a full JID reaches that session, a bare JID every available one.
    private func directed(_ presence: Presence, to: JID) {
        guard isLocal(to), to.localpart != nil else { return }
        if to.isFull {
            sessions.session(to)?.send(presence.element)
        } else {
            deliverToAvailable(presence.element, to: to)
        }
    }

    /// Delivers to every available resource of a local bare JID, with 'to' set to that bare JID.
    func deliverToAvailable(_ element: Element, to contact: JID) {
        guard isLocal(contact), let username = contact.localpart else { return }
        let targets = sessions.sessions(of: username).filter(\.presence.isAvailable)
        guard !targets.isEmpty else { return }
        var addressed = element
        addressed[attribute: "to"] = contact.bare.description
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        addressed.write(to: &buffer, streamNamespace: Namespace.client)
        for target in targets { target.send(buffer) }
    }

    // MARK: - Subscriptions (§3, Appendix A)

    /// Processes `event` from `user` to `contact` at the user's server (outbound) and, for local
    /// contacts, at the contact's server (inbound), following the outcomes of `SubscriptionRules`.
    func subscription(_ event: SubscriptionEvent, from user: JID, to contact: JID, original: Presence?) async throws {
        guard let username = user.localpart else { return }
        let outbound = SubscriptionRules.outbound(event, item: try await storage.rosterItem(of: username, jid: contact), contact: contact)
        try await apply(outbound, owner: username, contact: contact)
        guard outbound.route, isLocal(contact), let contactName = contact.localpart,
              try await storage.account(username: contactName) != nil
        else { return }
        if outbound.sendUnavailable { sendPresence(of: username, to: contact, unavailable: true) }
        // §3.1.2: the user's server stamps the user's bare JID.
        let stanza = Presence(type: event.presenceType, from: user, to: contact,
                              id: original?.element[attribute: "id"], payload: original?.element.elements ?? [])
        let inbound = SubscriptionRules.inbound(event, item: try await storage.rosterItem(of: contactName, jid: user), from: user)
        try await apply(inbound, owner: contactName, contact: user)
        if inbound.sendUnavailable { sendPresence(of: contactName, to: user, unavailable: true) }
        if inbound.route {
            // A subscribe waits for an available resource (stored as pending-in); the others go to
            // interested resources (§3.1.6, §3.2.3, §3.3.3).
            let targets = sessions.sessions(of: contactName).filter {
                event == .subscribe ? $0.presence.isAvailable : ($0.presence.isInterested || $0.presence.isAvailable)
            }
            for target in targets { target.send(stanza.element) }
        }
        // §3.1.5: a new From subscription sends the approving user's presence to the subscriber.
        // (The subscriber's inbound outcome asks for the same delivery; both ends are local, so once.)
        if outbound.sendCurrentPresence { sendPresence(of: username, to: contact, unavailable: false) }
        if let reply = inbound.autoReply {
            // §3.1.3 rule 2, §3.4: the contact's server answers on the contact's behalf, straight
            // to the user's server, whose inbound rules apply.
            let back = SubscriptionRules.inbound(reply, item: try await storage.rosterItem(of: username, jid: contact), from: contact)
            try await apply(back, owner: username, contact: contact)
            if back.route {
                let answer = Presence(type: reply.presenceType, from: contact, to: user).element
                for target in sessions.sessions(of: username) where target.presence.isInterested || target.presence.isAvailable {
                    target.send(answer)
                }
            }
            if inbound.sendCurrentPresence { sendPresence(of: contactName, to: user, unavailable: false) }
        }
    }

    /// The current presence of each of `owner`'s available resources (or `unavailable` from each),
    /// delivered to `other`'s available resources.
    private func sendPresence(of owner: String, to other: JID, unavailable: Bool) {
        for own in sessions.sessions(of: owner) where own.presence.isAvailable {
            if unavailable {
                deliverToAvailable(Presence(type: .unavailable, from: own.jid, to: other).element, to: other)
            } else if let last = own.presence.lastPresence {
                deliverToAvailable(last, to: other)
            }
        }
    }

    private func apply(_ outcome: SubscriptionOutcome, owner: String, contact: JID) async throws {
        guard outcome.itemChanged else { return }
        if let item = outcome.item {
            try await storage.setRosterItem(item, of: owner)
            if outcome.rosterPush { pushRoster(item: item, to: owner) }
        } else {
            _ = try await storage.removeRosterItem(jid: contact, of: owner)
            if outcome.rosterPush { pushRoster(removal: contact, to: owner) }
        }
    }
}

extension SubscriptionEvent {
    /// The event a subscription-management presence type carries; nil for the others (RFC 6121 §3).
    init?(_ type: Presence.PresenceType) {
        switch type {
        case .subscribe: self = .subscribe
        case .subscribed: self = .subscribed
        case .unsubscribe: self = .unsubscribe
        case .unsubscribed: self = .unsubscribed
        case .available, .error, .probe, .unavailable: return nil
        }
    }

    var presenceType: Presence.PresenceType {
        switch self {
        case .subscribe: .subscribe
        case .subscribed: .subscribed
        case .unsubscribe: .unsubscribe
        case .unsubscribed: .unsubscribed
        }
    }
}
