import Accounts
import NIOCore
import SASL
import XMPPCore

/// IQs the server answers itself: XEP-0030 disco, XEP-0199 ping, XEP-0092 version, the RFC 3921
/// session IQ, and XEP-0077 in-band registration.
extension InstantMessaging {
    func serverIQ(_ iq: IQ, from session: Session, core: ServerCore) -> EventLoopFuture<Void>? {
        guard iq.type == .get || iq.type == .set, let payload = iq.payload else {
            return nil  // results and errors to the server (e.g. answers to our pings)
        }
        let reply: Element
        switch (iq.type, payload.namespace, payload.name) {
        case (.get, Namespace.ping, "ping"), (.set, Namespace.session, "session"):
            reply = iq.makeResult().element
        case (.get, Namespace.version, "query"):
            reply = iq.makeResult(payload: SoftwareVersion.result(
                name: "Starling", version: core.configuration.softwareVersion, os: nil
            )).element
        case (.get, Namespace.discoInfo, "query"):
            if payload[attribute: "node"] != nil {
                reply = Stanza.iq(iq).makeErrorReply(.itemNotFound())
            } else {
                let info = ServerFeatures.discoInfo(registration: core.configuration.registrationEnabled)
                reply = iq.makeResult(payload: info.element).element
            }
        case (.get, Namespace.discoItems, "query"):
            if payload[attribute: "node"] != nil {
                reply = Stanza.iq(iq).makeErrorReply(.itemNotFound())
            } else {
                let items = DiscoItems(items: core.componentDomains.map { DiscoItems.Item(jid: $0) })
                reply = iq.makeResult(payload: items.element).element
            }
        default:
            reply = Stanza.iq(iq).makeErrorReply(.serviceUnavailable())
        }
        session.send(withServerFrom(reply, iq: iq))
        return nil
    }

    /// Replies to IQs sent without 'to' carry no 'from' (they come from the account, RFC 6120 §8.1.2.1).
    private func withServerFrom(_ reply: Element, iq: IQ) -> Element {
        var reply = reply
        if iq.to == nil { reply[attribute: "from"] = nil }
        return reply
    }

    // MARK: - XEP-0077

    /// Registration before authentication (§3.1): form, then username + password.
    func registration(_ iq: IQ, ip: String, core: ServerCore) async -> Element {
        let stanza = Stanza.iq(iq)
        guard core.configuration.registrationEnabled, let payload = iq.payload else {
            return stanza.makeErrorReply(.serviceUnavailable())
        }
        if iq.type == .get {
            return iq.makeResult(payload: InBandRegistration.form(
                instructions: "Choose a username and password for use with this service."
            )).element
        }
        guard iq.type == .set else { return stanza.makeErrorReply(.badRequest()) }
        let request: RegistrationRequest
        do {
            request = try InBandRegistration.decodeSet(payload)
        } catch {
            return stanza.makeErrorReply(error)
        }
        guard case .register(let username, let password) = request else {
            // §3.2: cancelling needs an authenticated stream.
            return stanza.makeErrorReply(StanzaError(.notAuthorized))
        }
        guard core.limits.takeRegistration(ip: ip) else {
            return stanza.makeErrorReply(.resourceConstraint("too many registrations from this address"))
        }
        guard let localpart = (try? JID(localpart: username, domainpart: domain.domainpart))?.localpart else {
            return stanza.makeErrorReply(StanzaError(.notAcceptable, text: "invalid username"))
        }
        do {
            let created = try await storage.createAccount(Self.makeAccount(username: localpart, password: password))
            return created ? iq.makeResult().element : stanza.makeErrorReply(StanzaError(.conflict))
        } catch {
            logger.error("registration failed: \(error)")
            return stanza.makeErrorReply(.internalServerError())
        }
    }

    /// Registration IQs from a bound session: the registered form, password change (§3.3),
    /// account removal (§3.2).
    func registrationIQ(_ iq: IQ, payload: Element, from session: Session, core: ServerCore) -> EventLoopFuture<Void>? {
        guard let username = session.jid.localpart else { return nil }
        if iq.type == .get {
            session.send(iq.makeResult(payload: InBandRegistration.registeredForm(username: username)).element)
            return nil
        }
        let request: RegistrationRequest
        do {
            request = try InBandRegistration.decodeSet(payload)
        } catch {
            bounce(.iq(iq), error, to: session)
            return nil
        }
        return async(session) { [self] in
            switch request {
            case .register(let requested, let password):
                guard (try? JID(localpart: requested, domainpart: domain.domainpart))?.localpart == username else {
                    bounce(.iq(iq), StanzaError(.notAllowed, text: "username differs from the session's"), to: session)
                    return
                }
                let account = Self.makeAccount(username: username, password: password)
                _ = try await storage.updateCredentials(username: username, credentials: account.credentials)
                session.send(iq.makeResult().element)
            case .remove:
                _ = try await storage.deleteAccount(username: username)
                session.send(iq.makeResult().element)
                for other in sessions.sessions(of: username) {
                    other.close(with: StreamError(.notAuthorized, text: "account removed"))
                }
            }
        }
    }

    static func makeAccount(username: String, password: String) -> Account {
        Account(username: username, credentials: SCRAMCredentials.Algorithm.allCases.map {
            SCRAM.makeCredentials(password: password, algorithm: $0)
        })
    }
}
