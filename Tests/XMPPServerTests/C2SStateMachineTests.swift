import Accounts
import SASL
import Testing
import XMPPCore
import XMPPStream
@testable import XMPPServer

/// RFC 6120 stream negotiation driven through the pure state machine: no sockets, no clocks.
@Suite struct C2SStateMachineTests {
    static let domain = "example.com"

    static func machine(tls: C2SStateMachine.Configuration.TLSPolicy = .required, secure: Bool = false,
                        plainWithoutTLS: Bool = false) -> C2SStateMachine {
        C2SStateMachine(
            configuration: .init(domain: domain, tls: tls, allowPlainWithoutTLS: plainWithoutTLS),
            isSecure: secure, makeStreamID: { "stream-id" }
        )
    }

    static func header(to: String? = domain, version: String? = "1.0", namespace: String = Namespace.streams,
                       name: String = "stream", content: String? = Namespace.client) -> StreamEvent {
        var attributes: [Element.Attribute] = []
        if let to { attributes.append(.init(name: "to", value: to)) }
        if let version { attributes.append(.init(name: "version", value: version)) }
        return .streamStart(StreamHeader(name: name, namespace: namespace, prefix: "stream",
                                         contentNamespace: content, attributes: attributes))
    }

    static func elements(_ outputs: [C2SOutput]) -> [Element] {
        outputs.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    static func streamErrorCondition(_ action: C2SAction) -> StreamError.Condition? {
        guard case .close(let outputs) = action else { return nil }
        return elements(outputs).compactMap(StreamError.init(element:)).first?.condition
    }

    static func saslFailure(_ action: C2SAction) -> String? {
        let outputs: [C2SOutput]
        switch action {
        case .write(let o), .authenticationFailed(let o, _): outputs = o
        default: return nil
        }
        return elements(outputs).first { $0.name == "failure" && $0.namespace == Namespace.sasl }?.elements.first?.name
    }

    static func features(_ action: C2SAction) -> Element? {
        guard case .write(let outputs) = action else { return nil }
        return elements(outputs).first { $0.name == "features" && $0.namespace == Namespace.streams }
    }

    static let account = Account(username: "juliet", credentials: SCRAMCredentials.Algorithm.allCases.map {
        SCRAM.makeCredentials(password: "r0m30", algorithm: $0)
    })

    // MARK: - Stream header

    @Test func requiredTLSOffersOnlySTARTTLS() throws {
        var m = Self.machine()
        let features = try #require(Self.features(m.received(Self.header())))
        #expect(features.elements.map(\.name) == ["starttls"])
        #expect(features.child("starttls", namespace: Namespace.tls)?.child("required", namespace: Namespace.tls) != nil)
    }

    @Test(arguments: [
        (header(namespace: "urn:wrong"), StreamError.Condition.invalidNamespace),
        (header(content: "jabber:server"), .invalidNamespace),
        (header(name: "strm"), .badFormat),
        (header(to: "other.example"), .hostUnknown),
        (header(version: nil), .unsupportedVersion),
        (header(version: "2.0"), .unsupportedVersion),
    ])
    func badHeadersCloseWithTheNamedCondition(event: StreamEvent, condition: StreamError.Condition) {
        var m = Self.machine()
        let action = m.received(event)
        #expect(Self.streamErrorCondition(action) == condition)
        // §4.9.1.2: our header goes out before the error.
        if case .close(let outputs) = action { #expect(outputs.first.map { if case .raw = $0 { true } else { false } } == true) }
        #expect(m.isClosed)
    }

    @Test func stanzaBeforeTLSIsNotAuthorized() {
        var m = Self.machine()
        _ = m.received(Self.header())
        let action = m.received(.element(Message(type: .chat, to: try! JID("a@example.com")).element))
        #expect(Self.streamErrorCondition(action) == .notAuthorized)
    }

    @Test func authBeforeRequiredTLSIsEncryptionRequired() {
        var m = Self.machine()
        _ = m.received(Self.header())
        let auth = Element("auth", namespace: Namespace.sasl, ["mechanism": "SCRAM-SHA-256"])
        #expect(Self.saslFailure(m.received(.element(auth))) == "encryption-required")
    }

    @Test func unknownTopLevelElementIsUnsupportedStanzaType() {
        var m = Self.machine()
        _ = m.received(Self.header())
        #expect(Self.streamErrorCondition(m.received(.element(Element(name: "foo", namespace: "urn:x")))) == .unsupportedStanzaType)
    }

    @Test func startTLSThenMechanismsIncludingPLAIN() throws {
        var m = Self.machine()
        _ = m.received(Self.header())
        let action = m.received(.element(Element(name: "starttls", namespace: Namespace.tls)))
        guard case .startTLS(let outputs) = action else {
            Issue.record("expected startTLS, got \(action)")
            return
        }
        #expect(Self.elements(outputs).map(\.name) == ["proceed"])
        #expect(m.isSecure)
        let features = try #require(Self.features(m.received(Self.header())))
        let mechanisms = features.child("mechanisms", namespace: Namespace.sasl)?.elements.map(\.text)
        #expect(mechanisms == ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"])
        #expect(features.child("starttls", namespace: Namespace.tls) == nil)  // RFC 6120 §5.4.3.3
    }

    @Test func plainRefusedWithoutTLS() throws {
        var m = Self.machine(tls: .optional)
        let features = try #require(Self.features(m.received(Self.header())))
        let mechanisms = features.child("mechanisms", namespace: Namespace.sasl)?.elements.map(\.text) ?? []
        #expect(!mechanisms.contains("PLAIN"))
        let auth = Element("auth", namespace: Namespace.sasl, ["mechanism": "PLAIN"], text: SASLBase64.encode(Array("\0juliet\0r0m30".utf8)))
        #expect(Self.saslFailure(m.received(.element(auth))) == "encryption-required")
    }

    @Test func unknownMechanismIsInvalidMechanism() {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        let auth = Element("auth", namespace: Namespace.sasl, ["mechanism": "X-MAGIC"])
        #expect(Self.saslFailure(m.received(.element(auth))) == "invalid-mechanism")
    }

    // MARK: - SASL and binding

    /// Runs a SCRAM exchange; returns the action after the client's final message.
    static func scram(_ m: inout C2SStateMachine, algorithm: SCRAMCredentials.Algorithm, password: String,
                      account: Account? = account) throws -> C2SAction {
        var client = SCRAMClient(algorithm: algorithm, username: "juliet", password: password)
        let auth = Element("auth", namespace: Namespace.sasl, ["mechanism": algorithm.rawValue],
                           text: SASLBase64.encode(client.clientFirstMessage()))
        #expect(m.received(.element(auth)) == .lookupCredentials(username: "juliet"))
        guard case .write(let outputs) = m.credentialsLoaded(account),
              let challenge = elements(outputs).first, challenge.name == "challenge"
        else { throw TestFailure("no challenge") }
        let final = try client.clientFinalMessage(serverFirst: try SASLBase64.decode(challenge.text))
        return m.received(.element(Element("response", namespace: Namespace.sasl, text: SASLBase64.encode(final))))
    }

    @Test(arguments: SCRAMCredentials.Algorithm.allCases)
    func scramLoginBindAndStanzas(algorithm: SCRAMCredentials.Algorithm) throws {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        let action = try Self.scram(&m, algorithm: algorithm, password: "r0m30")
        guard case .restartStream(let outputs) = action, let success = Self.elements(outputs).first,
              success.name == "success" else {
            Issue.record("expected success, got \(action)")
            return
        }
        #expect(!success.text.isEmpty)  // v=ServerSignature (RFC 5802 §5)
        let features = try #require(Self.features(m.received(Self.header())))
        #expect(features.child("bind", namespace: Namespace.bind) != nil)
        #expect(features.child("sub", namespace: Namespace.preApproval) != nil)

        let bindIQ = IQ(type: .set, id: "b1", payload: Element("bind", namespace: Namespace.bind, children: [
            Element("resource", namespace: Namespace.bind, text: "balcony")
        ]))
        let bindAction = m.received(.element(bindIQ.element))
        guard case .bind(let username, let resource, let iq) = bindAction else {
            Issue.record("expected bind, got \(bindAction)")
            return
        }
        #expect(username == "juliet")
        #expect(resource == "balcony")
        let jid = try JID("juliet@example.com/balcony")
        guard case .write(let result) = m.bindCompleted(jid, iq: iq) else { throw TestFailure("no bind result") }
        #expect(Self.elements(result).first?.child("bind", namespace: Namespace.bind)?.child("jid", namespace: Namespace.bind)?.text == jid.description)

        // §8.1.2.1: the server stamps 'from'.
        let message = Message(type: .chat, to: try JID("romeo@example.com"), payload: [Element("body", namespace: Namespace.client, text: "hi")])
        guard case .stanza(let stanza) = m.received(.element(message.element)) else { throw TestFailure("not routed") }
        #expect(stanza.from == jid)
        #expect(stanza.element[attribute: "from"] == jid.description)

        // A spoofed 'from' closes the stream.
        var spoofed = message.element
        spoofed[attribute: "from"] = "romeo@example.com/x"
        #expect(Self.streamErrorCondition(m.received(.element(spoofed))) == .invalidFrom)
    }

    @Test func iqWithTwoChildrenIsBadRequest() throws {
        var m = try Self.boundMachine()
        var iq = Element("iq", namespace: Namespace.client, ["type": "get", "id": "x"])
        iq.append(Element(name: "ping", namespace: Namespace.ping))
        iq.append(Element(name: "ping", namespace: Namespace.ping))
        guard case .write(let outputs) = m.received(.element(iq)) else { throw TestFailure("no reply") }
        let reply = try #require(Self.elements(outputs).first)
        #expect(reply[attribute: "type"] == "error")
        #expect(StanzaError(element: try #require(reply.child("error", namespace: Namespace.client))).condition == .badRequest)
    }

    static func boundMachine() throws -> C2SStateMachine {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        guard case .restartStream = try Self.scram(&m, algorithm: .sha256, password: "r0m30") else { throw TestFailure("login") }
        _ = m.received(Self.header())
        let bind = IQ(type: .set, id: "b", payload: Element(name: "bind", namespace: Namespace.bind))
        guard case .bind(_, nil, let iq) = m.received(.element(bind.element)) else { throw TestFailure("bind") }
        _ = m.bindCompleted(try JID("juliet@example.com/r"), iq: iq)
        return m
    }

    @Test func wrongPasswordIsNotAuthorizedAndThirdFailureCloses() throws {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        for attempt in 1...3 {
            let action = try Self.scram(&m, algorithm: .sha256, password: "wrong")
            #expect(Self.saslFailure(action) == "not-authorized")
            guard case .authenticationFailed(let outputs, let thenClose) = action else {
                Issue.record("failure not counted")
                return
            }
            #expect(thenClose == (attempt == 3))
            if attempt == 3 {
                #expect(Self.elements(outputs).compactMap(StreamError.init(element:)).first?.condition == .policyViolation)
            }
        }
        #expect(m.isClosed)
    }

    @Test func unknownUserIsNotAuthorized() throws {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        #expect(Self.saslFailure(try Self.scram(&m, algorithm: .sha1, password: "r0m30", account: nil)) == "not-authorized")
    }

    @Test func abortIsAborted() {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        let auth = Element("auth", namespace: Namespace.sasl, ["mechanism": "SCRAM-SHA-256"])
        _ = m.received(.element(auth))
        #expect(Self.saslFailure(m.received(.element(Element(name: "abort", namespace: Namespace.sasl)))) == "aborted")
    }

    @Test func stanzaBeforeBindIsNotAuthorized() throws {
        var m = Self.machine(secure: true)
        _ = m.received(Self.header())
        _ = try Self.scram(&m, algorithm: .sha256, password: "r0m30")
        _ = m.received(Self.header())
        let action = m.received(.element(Message(type: .chat, to: try JID("romeo@example.com")).element))
        #expect(Self.streamErrorCondition(action) == .notAuthorized)
    }

    @Test func closingTagIsAnsweredAndCloses() throws {
        var m = try Self.boundMachine()
        guard case .close(let outputs) = m.received(.streamEnd) else { throw TestFailure("no close") }
        #expect(outputs == [.raw(StreamOpening.closing)])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
