import Accounts
import Logging
import NIOCore
import Synchronization
import XMPPCore
import XMPPStream

/// RFC 6121 for local users: stanza routing (§8), presence (§4), rosters (§2), subscriptions (§3),
/// plus the server's own IQs (disco, ping, version, registration). Stateless apart from the
/// session registry and the store; every method is safe from any event loop.
///
/// Deliberate choices (docs/CONFORMANCE.md): no offline storage — a chat or normal message for a
/// user with no available resource is bounced with `<service-unavailable/>` (RFC 6121 §8.5.2.2.1
/// option b); no server-to-server, so other domains get `<remote-server-not-found/>`.
final class InstantMessaging: Sendable {
    let domain: JID
    let sessions: SessionRegistry
    let storage: any AccountStorage
    let logger: Logger
    let presenceObservers = Mutex<[any PresenceObserver]>([])

    init(domain: JID, sessions: SessionRegistry, storage: any AccountStorage, logger: Logger) {
        self.domain = domain
        self.sessions = sessions
        self.storage = storage
        self.logger = logger
    }

    func isLocal(_ jid: JID) -> Bool { jid.domainpart == domain.domainpart }

    func handle(_ stanza: Stanza, from session: Session, core: ServerCore) -> EventLoopFuture<Void>? {
        switch stanza {
        case .message(let message):
            routeMessage(message, from: session)
            return nil
        case .presence(let presence):
            return handlePresence(presence, from: session)
        case .iq(let iq):
            return handleIQ(iq, from: session, core: core)
        }
    }

    /// Sends the error reply for `stanza` back to its sender, unless it is itself an error or result.
    func bounce(_ stanza: Stanza, _ error: StanzaError, to session: Session) {
        guard !stanza.isErrorOrResult else { return }
        session.send(stanza.makeErrorReply(error))
    }

    /// Runs `body` as a task whose completion releases the session's input.
    func async(_ session: Session, _ body: @escaping @Sendable () async throws -> Void) -> EventLoopFuture<Void> {
        let logger = self.logger
        return session.eventLoop.makeFutureWithTask {
            do {
                try await body()
            } catch {
                logger.error("stanza processing failed: \(error)", metadata: ["jid": "\(session.jid)"])
            }
        }
    }

    // MARK: - Messages (RFC 6121 §8.5)

    func routeMessage(_ message: Message, from session: Session) {
        let stanza = Stanza.message(message)
        // RFC 6120 §10.3.1: no 'to' means the sender's own bare JID.
        let to = message.to ?? session.jid.bare
        guard isLocal(to) else {
            bounce(stanza, StanzaError(.remoteServerNotFound), to: session)
            return
        }
        guard let username = to.localpart else {
            // Messages to the server itself: nothing handles them here.
            if message.type != .headline { bounce(stanza, .serviceUnavailable(), to: session) }
            return
        }
        if to.isFull, let target = sessions.session(to) {
            target.send(message.element)
            return
        }
        // §8.5.3.2.1: a full JID without that resource is handled like the bare JID, except groupchat.
        if message.type == .groupchat {
            bounce(stanza, .serviceUnavailable(), to: session)
            return
        }
        let available = sessions.sessions(of: username).filter {
            let presence = $0.presence
            return presence.isAvailable && presence.priority >= 0
        }
        if available.isEmpty {
            // §8.5.2.2.1 (and §8.5.1 for unknown accounts): headlines are dropped, others bounced.
            if message.type != .headline && message.type != .error {
                bounce(stanza, .serviceUnavailable(), to: session)
            }
            return
        }
        let targets: [Session]
        if message.type == .headline {
            targets = available  // §8.5.2.1.1: every available resource with non-negative priority
        } else {
            let top = available.map(\.presence.priority).max() ?? 0
            targets = available.filter { $0.presence.priority == top }
        }
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        message.element.write(to: &buffer, streamNamespace: Namespace.client)
        for target in targets { target.send(buffer) }
    }

    // MARK: - IQ (RFC 6120 §8.2.3, §10.3.3; RFC 6121 §8.5)

    func handleIQ(_ iq: IQ, from session: Session, core: ServerCore) -> EventLoopFuture<Void>? {
        let stanza = Stanza.iq(iq)
        guard let to = iq.to, to != session.jid.bare else {
            // No 'to' or the user's own bare JID: the server answers on the account's behalf.
            return accountIQ(iq, from: session, core: core)
        }
        guard isLocal(to) else {
            bounce(stanza, StanzaError(.remoteServerNotFound), to: session)
            return nil
        }
        if to.localpart == nil {
            guard to.resourcepart == nil else {
                bounce(stanza, .serviceUnavailable(), to: session)
                return nil
            }
            return serverIQ(iq, from: session, core: core)
        }
        if to.isFull, let target = sessions.session(to) {
            target.send(iq.element)
            return nil
        }
        // Another user's bare JID, or a resource that is not connected (§8.5.2.1.3, §8.5.3.2.3).
        bounce(stanza, .serviceUnavailable(), to: session)
        return nil
    }

    private func accountIQ(_ iq: IQ, from session: Session, core: ServerCore) -> EventLoopFuture<Void>? {
        guard iq.type == .get || iq.type == .set, let payload = iq.payload else { return nil }
        switch payload.namespace {
        case Namespace.roster:
            return rosterIQ(iq, payload: payload, from: session)
        case Namespace.register:
            return registrationIQ(iq, payload: payload, from: session, core: core)
        case Namespace.session, Namespace.ping, Namespace.discoInfo, Namespace.discoItems, Namespace.version:
            return serverIQ(iq, from: session, core: core)
        default:
            bounce(.iq(iq), .serviceUnavailable(), to: session)
            return nil
        }
    }
}
