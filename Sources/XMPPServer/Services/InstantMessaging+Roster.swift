import Accounts
import NIOCore
import XMPPCore

/// RFC 6121 §2: roster get, set, remove, and pushes to interested resources.
extension InstantMessaging {
    func rosterIQ(_ iq: IQ, payload: Element, from session: Session) -> EventLoopFuture<Void>? {
        guard let username = session.jid.localpart else { return nil }
        let user = session.jid.bare
        switch iq.type {
        case .get:
            session.updatePresence { $0.isInterested = true }
            return async(session) { [self] in
                let items = try await storage.rosterItems(of: username)
                session.send(iq.makeResult(payload: RosterQuery.result(items: items)).element)
            }
        case .set:
            let request: RosterSetRequest
            do {
                request = try RosterQuery.decodeSet(payload)
            } catch {
                bounce(.iq(iq), error, to: session)
                return nil
            }
            return async(session) { [self] in
                switch request {
                case .update(let jid, let name, let groups):
                    guard jid != user else {
                        // §2.3.3: the user's own JID is not a contact.
                        bounce(.iq(iq), .notAllowed("you cannot add yourself"), to: session)
                        return
                    }
                    var item = try await storage.rosterItem(of: username, jid: jid) ?? RosterItem(jid: jid)
                    item.name = name
                    item.groups = groups
                    item.inRoster = true
                    try await storage.setRosterItem(item, of: username)
                    session.send(iq.makeResult().element)
                    pushRoster(item: item, to: username)
                case .remove(let jid):
                    guard let item = try await storage.rosterItem(of: username, jid: jid), item.inRoster else {
                        bounce(.iq(iq), .itemNotFound(), to: session)  // §2.5.3
                        return
                    }
                    // §2.5.2: cancel both directions before removing.
                    if item.subscription.hasFrom || item.pendingIn {
                        try await subscription(.unsubscribed, from: user, to: jid, original: nil)
                    }
                    if item.subscription.hasTo || item.askSubscribe {
                        try await subscription(.unsubscribe, from: user, to: jid, original: nil)
                    }
                    _ = try await storage.removeRosterItem(jid: jid, of: username)
                    session.send(iq.makeResult().element)
                    pushRoster(removal: jid, to: username)
                }
            }
        default:
            return nil
        }
    }

    /// §2.1.6 roster push to every interested resource of `username`.
    func pushRoster(item: RosterItem, to username: String) {
        guard item.inRoster else { return }
        push(RosterQuery.push(item: item), to: username)
    }

    func pushRoster(removal jid: JID, to username: String) {
        push(RosterQuery.pushRemoval(jid: jid), to: username)
    }

    private func push(_ query: Element, to username: String) {
        for session in sessions.sessions(of: username) where session.presence.isInterested {
            let push = IQ(type: .set, id: "push-" + ServerCore.makeID(), to: session.jid, payload: query)
            session.send(push.element)
        }
    }
}
