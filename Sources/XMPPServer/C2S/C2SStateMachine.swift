import Accounts
import SASL
import XMPPCore
import XMPPStream

/// The negotiation of one client-to-server stream, RFC 6120 §4.3 (stream negotiation), §5 (STARTTLS),
/// §6 (SASL) and §7 (resource binding), as a pure value: inputs in, `C2SAction` out, no sockets, no
/// clocks. `C2SHandler` runs the actions.
///
/// ```
/// S: (stream header) <stream:features><starttls><required/></starttls></stream:features>
/// C: <starttls/>                      S: <proceed/>        (TLS, stream restart)
/// S: <stream:features><mechanisms>…   C: <auth mechanism='SCRAM-SHA-256'>…
/// S: <success>…</success>             (stream restart)
/// S: <stream:features><bind/>…        C: <iq type='set'><bind><resource>r</resource></bind></iq>
/// S: <iq type='result'><bind><jid>user@domain/r</jid></bind></iq>
/// ```
struct C2SStateMachine {
    struct Configuration: Sendable {
        enum TLSPolicy: Sendable, Equatable {
            /// No certificate: STARTTLS is not offered.
            case unavailable
            case optional
            /// RFC 6120 §5.3.1 mandatory-to-negotiate: nothing but STARTTLS before TLS.
            case required
        }

        var domain: String
        var tls: TLSPolicy
        /// SASL PLAIN over an unencrypted stream (off by default; RFC 6120 §13.8).
        var allowPlainWithoutTLS: Bool = false
        /// Advertise and accept XEP-0077 registration before authentication.
        var registrationEnabled: Bool = false
        /// SASL failures on one stream before it is closed with `<policy-violation/>` (RFC 6120 §6.4.5).
        var maxAuthenticationFailures: Int = 3
    }

    enum State {
        /// Waits for the client's stream header: at first, after TLS, or after SASL success.
        case awaitingStreamHeader(authenticatedAs: String?)
        /// Stream open, not authenticated: waits for `<starttls/>` or `<auth/>`.
        case negotiating
        /// A SASL exchange is running: waits for `<response/>`, `<abort/>` or the credential lookup.
        case authenticating(SASLServerStateMachine)
        /// Authenticated stream open: waits for the bind request.
        case awaitingBind(username: String)
        /// A bind request is being carried out.
        case binding(username: String)
        /// Resource bound: stanzas flow.
        case bound(JID)
        /// The stream is over.
        case closed
    }

    let configuration: Configuration
    private(set) var state: State = .awaitingStreamHeader(authenticatedAs: nil)
    /// True once TLS protects the stream (from the start for XEP-0368 direct TLS).
    private(set) var isSecure: Bool
    private(set) var headerSent = false
    private(set) var language: String?
    private var authenticationFailures = 0
    private let makeStreamID: () -> String

    init(configuration: Configuration, isSecure: Bool = false, makeStreamID: @escaping () -> String) {
        self.configuration = configuration
        self.isSecure = isSecure
        self.makeStreamID = makeStreamID
    }

    var boundJID: JID? {
        if case .bound(let jid) = state { return jid }
        return nil
    }

    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    // MARK: - Inputs

    mutating func received(_ event: StreamEvent) -> C2SAction {
        switch event {
        case .streamStart(let header):
            return streamStarted(header)
        case .streamEnd:
            // RFC 6120 §4.4: answer the closing tag with ours, then close.
            state = .closed
            return .close(openingIfNeeded() + [.raw(StreamOpening.closing)])
        case .element(let element):
            return receivedElement(element)
        }
    }

    /// The parser or a limit failed: answer with the stream error and close (RFC 6120 §4.9.1.1).
    mutating func streamFailed(_ error: StreamError) -> C2SAction {
        closeStream(error)
    }

    /// The server closes the stream on its own account (shutdown, conflict, ping timeout).
    mutating func serverClosing(_ error: StreamError?) -> C2SAction {
        guard !isClosed else { return .none }
        guard let error else {
            state = .closed
            return .close(openingIfNeeded() + [.raw(StreamOpening.closing)])
        }
        return closeStream(error)
    }

    mutating func credentialsLoaded(_ account: Account?) -> C2SAction {
        guard case .authenticating(var sasl) = state else { return .none }
        let action = sasl.credentialsLoaded(account)
        state = .authenticating(sasl)
        return saslAction(action)
    }

    /// The credential lookup could not be done (storage down, login throttled): fail the exchange
    /// with `failure` (RFC 6120 §6.5.12 temporary-auth-failure) without counting a wrong password.
    mutating func credentialsUnavailable(_ failure: SASLFailure) -> C2SAction {
        guard case .authenticating = state else { return .none }
        return saslFailed(failure)
    }

    mutating func bindCompleted(_ jid: JID, iq: IQ) -> C2SAction {
        guard case .binding = state else { return .none }
        state = .bound(jid)
        let payload = Element("bind", namespace: Namespace.bind, children: [
            Element("jid", namespace: Namespace.bind, text: jid.description)
        ])
        return .write([.element(iq.makeResult(payload: payload).element)])
    }

    mutating func bindFailed(_ error: StanzaError, iq: IQ) -> C2SAction {
        guard case .binding(let username) = state else { return .none }
        state = .awaitingBind(username: username)
        return .write([.element(Stanza.iq(iq).makeErrorReply(error))])
    }

    // MARK: - Stream header (RFC 6120 §4.7, §4.8)

    private mutating func streamStarted(_ header: StreamHeader) -> C2SAction {
        guard case .awaitingStreamHeader(let authenticatedAs) = state else {
            // A second header without a restart is not well-formed XML; the parser reports it.
            return closeStream(StreamError(.notWellFormed))
        }
        language = header.language ?? language
        guard header.namespace == Namespace.streams else {
            return closeStream(StreamError(.invalidNamespace, text: "stream namespace must be \(Namespace.streams)"))
        }
        guard header.name == "stream" else {
            return closeStream(StreamError(.badFormat, text: "the root element must be <stream:stream/>"))
        }
        guard header.contentNamespace == Namespace.client else {
            // §4.8.2: the content namespace of a client stream is jabber:client.
            return closeStream(StreamError(.invalidNamespace, text: "content namespace must be jabber:client"))
        }
        // The configured domain is already normalized, so the usual exact match needs no JID parse.
        if let to = header[attribute: "to"], to != configuration.domain {
            // §4.9.3.6: a domain this server does not serve.
            guard let jid = try? JID(to), jid.localpart == nil, jid.resourcepart == nil,
                  jid.domainpart == configuration.domain
            else {
                return closeStream(StreamError(.hostUnknown, text: "this server serves \(configuration.domain)"))
            }
        }
        // §4.7.5: no version means pre-1.0, which this server does not speak.
        guard let version = header[attribute: "version"], let major = Self.majorVersion(version), major == 1 else {
            return closeStream(StreamError(.unsupportedVersion, text: "XMPP 1.0 is required"))
        }
        var outputs = [C2SOutput.raw(streamHeader())]
        headerSent = true
        if let username = authenticatedAs {
            state = .awaitingBind(username: username)
            outputs.append(.element(features(authenticated: true)))
        } else {
            state = .negotiating
            outputs.append(.element(features(authenticated: false)))
        }
        return .write(outputs)
    }

    private static func majorVersion(_ version: String) -> Int? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), Int(parts[1]) != nil else { return nil }
        return major
    }

    private func streamHeader() -> String {
        StreamOpening.header(
            from: configuration.domain, to: nil, id: makeStreamID(), version: "1.0",
            language: language ?? "en", contentNamespace: Namespace.client
        )
    }

    /// RFC 6120 §4.3.2 stream features for the current stage.
    private func features(authenticated: Bool) -> Element {
        var features = Element(name: "features", namespace: Namespace.streams)
        if authenticated {
            features.append(Element(name: "bind", namespace: Namespace.bind))
            // RFC 3921 §3 session establishment, marked optional (RFC 6121 Appendix E) for old clients.
            features.append(Element("session", namespace: Namespace.session, children: [
                Element(name: "optional", namespace: Namespace.session)
            ]))
            // RFC 6121 §3.4.1: subscription pre-approval is supported.
            features.append(Element(name: "sub", namespace: Namespace.preApproval))
            return features
        }
        if !isSecure && configuration.tls != .unavailable {
            var starttls = Element(name: "starttls", namespace: Namespace.tls)
            if configuration.tls == .required {
                starttls.append(Element(name: "required", namespace: Namespace.tls))
            }
            features.append(starttls)
            if configuration.tls == .required { return features }
        }
        let mechanisms = offeredMechanisms
        if !mechanisms.isEmpty {
            features.append(Element(
                "mechanisms", namespace: Namespace.sasl,
                children: mechanisms.map { Element("mechanism", namespace: Namespace.sasl, text: $0.rawValue) }
            ))
        }
        if configuration.registrationEnabled {
            features.append(Element(name: "register", namespace: Namespace.registerFeature))
        }
        return features
    }

    /// Strongest first. PLAIN only under TLS unless configured otherwise (RFC 6120 §13.8.3).
    var offeredMechanisms: [SASLMechanism] {
        var mechanisms: [SASLMechanism] = [.scramSHA256, .scramSHA1]
        if isSecure || configuration.allowPlainWithoutTLS { mechanisms.append(.plain) }
        return mechanisms
    }

    // MARK: - Elements

    private mutating func receivedElement(_ element: Element) -> C2SAction {
        switch state {
        case .awaitingStreamHeader, .closed:
            return .none
        case .negotiating:
            return negotiate(element)
        case .authenticating(var sasl):
            guard element.namespace == Namespace.sasl else {
                return unexpectedBeforeAuthentication(element)
            }
            switch element.name {
            case "response":
                let data: [UInt8]
                do {
                    data = try SASLBase64.decode(element.text)
                } catch {
                    return saslFailed(error)
                }
                let action = sasl.receivedResponse(data)
                state = .authenticating(sasl)
                return saslAction(action)
            case "abort":
                let action = sasl.abort()
                state = .authenticating(sasl)
                return saslAction(action)
            default:
                // A new <auth/> while one runs is out of order (RFC 6120 §6.4).
                return saslFailed(.malformedRequest)
            }
        case .awaitingBind(let username):
            return awaitBind(element, username: username)
        case .binding:
            // The handler holds input while a bind runs; anything here is a client error.
            return closeStream(StreamError(.notAuthorized, text: "resource binding is not complete"))
        case .bound(let jid):
            return boundElement(element, jid: jid)
        }
    }

    private mutating func negotiate(_ element: Element) -> C2SAction {
        switch (element.namespace, element.name) {
        case (Namespace.tls, "starttls"):
            guard !isSecure, configuration.tls != .unavailable else {
                // RFC 6120 §5.4.2.2: failure, then close the stream.
                state = .closed
                return .close([.element(Element(name: "failure", namespace: Namespace.tls)),
                               .raw(StreamOpening.closing)])
            }
            isSecure = true
            state = .awaitingStreamHeader(authenticatedAs: nil)
            return .startTLS([.element(Element(name: "proceed", namespace: Namespace.tls))])
        case (Namespace.sasl, "auth"):
            return startAuthentication(element)
        case (Namespace.client, "iq") where configuration.registrationEnabled
            && (isSecure || configuration.tls != .required):
            do {
                guard case .iq(let iq)? = try Stanza(element),
                      iq.payload?.namespace == Namespace.register
                else { return unexpectedBeforeAuthentication(element) }
                return .unauthenticatedIQ(iq)
            } catch {
                return .write([.element(errorReply(to: element, error))])
            }
        default:
            return unexpectedBeforeAuthentication(element)
        }
    }

    private mutating func startAuthentication(_ auth: Element) -> C2SAction {
        if !isSecure && configuration.tls == .required {
            // RFC 6120 §6.5.3: nothing is accepted before the mandatory TLS layer.
            return saslFailed(.encryptionRequired)
        }
        guard let name = auth[attribute: "mechanism"], let mechanism = SASLMechanism(rawValue: name) else {
            return saslFailed(.invalidMechanism)
        }
        guard offeredMechanisms.contains(mechanism) else {
            // Known but not offered here: PLAIN on an unencrypted stream (RFC 6120 §6.5.3).
            return saslFailed(mechanism == .plain ? .encryptionRequired : .invalidMechanism)
        }
        // RFC 6120 §6.4.2: no text = no initial response, "=" = an empty one.
        var initialResponse: [UInt8]?
        let text = auth.text
        if !text.allSatisfy(\.isWhitespace) {
            do {
                initialResponse = try SASLBase64.decode(text)
            } catch {
                return saslFailed(error)
            }
        }
        var sasl = SASLServerStateMachine(mechanism: mechanism, domain: configuration.domain)
        let action = sasl.start(initialResponse: initialResponse)
        state = .authenticating(sasl)
        return saslAction(action)
    }

    private mutating func saslAction(_ action: SASLAction) -> C2SAction {
        switch action {
        case .challenge(let bytes):
            return .write([.element(Element("challenge", namespace: Namespace.sasl, text: SASLBase64.encode(bytes)))])
        case .lookupCredentials(let username):
            return .lookupCredentials(username: username)
        case .success(let username, let additionalData):
            state = .awaitingStreamHeader(authenticatedAs: username)
            authenticationFailures = 0
            // RFC 6120 §6.4.6: additional data with success, as base64 text.
            let success = Element(
                "success", namespace: Namespace.sasl,
                text: additionalData.map { SASLBase64.encode($0) }
            )
            return .restartStream([.element(success)])
        case .failure(let failure):
            return saslFailed(failure)
        }
    }

    private mutating func saslFailed(_ failure: SASLFailure) -> C2SAction {
        state = .negotiating
        let element = Element("failure", namespace: Namespace.sasl, children: [
            Element(name: failure.rawValue, namespace: Namespace.sasl)
        ])
        // Aborts and refusals before any credential check are not password guesses.
        let counts = failure == .notAuthorized || failure == .invalidAuthzid
        if counts { authenticationFailures += 1 }
        guard authenticationFailures >= configuration.maxAuthenticationFailures else {
            return counts ? .authenticationFailed([.element(element)], thenClose: false) : .write([.element(element)])
        }
        // RFC 6120 §6.4.5: too many retries close the stream, preferably with <policy-violation/>.
        state = .closed
        let error = StreamError(.policyViolation, text: "too many failed authentication attempts")
        return .authenticationFailed(
            [.element(element), .element(error.element), .raw(StreamOpening.closing)], thenClose: true
        )
    }

    private mutating func unexpectedBeforeAuthentication(_ element: Element, text: String = "authenticate first") -> C2SAction {
        if element.namespace == Namespace.client, ["message", "presence", "iq"].contains(element.name) {
            // RFC 6120 §4.9.3.12: stanzas before the stream is ready for them.
            return closeStream(StreamError(.notAuthorized, text: text))
        }
        return closeStream(StreamError(.unsupportedStanzaType))
    }

    // MARK: - Binding (RFC 6120 §7) and bound stanzas

    private mutating func awaitBind(_ element: Element, username: String) -> C2SAction {
        guard element.namespace == Namespace.client, element.name == "iq" else {
            // RFC 6120 §7.1: no stanzas before binding; anything else is unknown at this level.
            return unexpectedBeforeAuthentication(element, text: "bind a resource first")
        }
        let iq: IQ
        do {
            guard case .iq(let decoded)? = try Stanza(element) else {
                return closeStream(StreamError(.unsupportedStanzaType))
            }
            iq = decoded
        } catch {
            return .write([.element(errorReply(to: element, error))])
        }
        guard iq.type == .set, let bind = iq.payload, bind.namespace == Namespace.bind, bind.name == "bind" else {
            // RFC 6120 §7.1: no stanzas before binding.
            return closeStream(StreamError(.notAuthorized, text: "bind a resource first"))
        }
        let resource = bind.child("resource", namespace: Namespace.bind)?.text
        state = .binding(username: username)
        return .bind(username: username, requestedResource: resource.flatMap { $0.isEmpty ? nil : $0 }, iq: iq)
    }

    private mutating func boundElement(_ element: Element, jid: JID) -> C2SAction {
        guard element.namespace == Namespace.client else {
            return closeStream(StreamError(.unsupportedStanzaType))
        }
        var stanza: Stanza
        do {
            guard let decoded = try Stanza(element) else {
                return closeStream(StreamError(.unsupportedStanzaType))
            }
            stanza = decoded
        } catch {
            if element[attribute: "type"] == "error" { return .none }
            return .write([.element(errorReply(to: element, error))])
        }
        // RFC 6120 §8.1.2.1: a `from` other than the session's own JIDs is a spoofing attempt.
        if let from = stanza.from, from != jid, from != jid.bare {
            return closeStream(StreamError(.invalidFrom, text: "'from' does not match the session"))
        }
        stanza.from = jid
        return .stanza(stanza)
    }

    private func errorReply(to element: Element, _ error: StanzaError) -> Element {
        // The element failed to decode as a stanza, so build the reply from the raw element.
        var reply = Element(name: element.name, namespace: element.namespace)
        reply[attribute: "id"] = element[attribute: "id"]
        reply[attribute: "type"] = "error"
        if let to = element[attribute: "to"], (try? JID(to)) != nil { reply[attribute: "from"] = to }
        reply.append(error.element(namespace: element.namespace))
        return reply
    }

    // MARK: - Closing

    private func openingIfNeeded() -> [C2SOutput] {
        headerSent ? [] : [.raw(streamHeader())]
    }

    /// RFC 6120 §4.9.1.2: a stream error before our header still needs the header first.
    private mutating func closeStream(_ error: StreamError) -> C2SAction {
        let outputs = openingIfNeeded() + [.element(error.element), .raw(StreamOpening.closing)]
        headerSent = true
        state = .closed
        return .close(outputs)
    }
}
