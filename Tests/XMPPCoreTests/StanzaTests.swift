import Testing
import XMPPCore

/// Stanza decoding and replies: RFC 6120 §8 (stanza semantics), RFC 6121 §4.7 (presence) and
/// §5.2 (message).
@Suite struct StanzaTests {
    static let client = Namespace.client
    static let ping = Element("ping", namespace: Namespace.ping)

    static func stanza(_ name: String, _ attributes: KeyValuePairs<String, String?>, _ children: [Element] = [],
                       namespace: String = client) -> Element {
        Element(name, namespace: namespace, attributes, children: children)
    }

    static func decode(_ element: Element) throws(StanzaError) -> Stanza {
        guard let stanza = try Stanza(element) else {
            throw StanzaError(.undefinedCondition, text: "not a stanza")
        }
        return stanza
    }

    // MARK: - Kinds and addresses

    @Test func decodesTheThreeKindsInBothContentNamespaces() throws {
        for namespace in [Namespace.client, Namespace.server] {
            let message = try Self.decode(Self.stanza("message", ["type": "chat"], namespace: namespace))
            let presence = try Self.decode(Self.stanza("presence", [:], namespace: namespace))
            let iq = try Self.decode(Self.stanza("iq", ["type": "get", "id": "1"], [Self.ping], namespace: namespace))
            guard case .message(let m) = message, case .presence(let p) = presence, case .iq(let i) = iq else {
                Issue.record("wrong kinds in \(namespace)")
                continue
            }
            #expect(m.type == .chat && p.type == .available && i.type == .get)
        }
    }

    static let notStanzas: [Element] = [
        Element("foo", namespace: Namespace.client),
        Element("message", namespace: "urn:other"),
        Element("iq", namespace: Namespace.streams, ["type": "get"]),
        Element("features", namespace: Namespace.streams),
    ]

    /// RFC 6120 §4.9.3.24: anything else is not a stanza (the stream answers unsupported-stanza-type).
    @Test(arguments: notStanzas)
    func nonStanzaElementsAreNil(_ element: Element) throws {
        #expect(try Stanza(element) == nil)
    }

    @Test func fromAndToAreParsedAndNormalized() throws {
        let stanza = try Self.decode(Self.stanza("message", ["from": "Romeo@Example.NET/Orchard", "to": "JULIET@example.com"]))
        #expect(stanza.from == (try JID("romeo@example.net/Orchard")))
        #expect(stanza.to == (try JID("juliet@example.com")))
        #expect(stanza.id == nil)
        let bare = try Self.decode(Self.stanza("presence", ["id": "p1"]))
        #expect(bare.from == nil && bare.to == nil && bare.id == "p1")
    }

    static let malformedAddresses: [Element] = [
        stanza("message", ["to": "@example.com"]),
        stanza("presence", ["to": "juliet@example.com/"]),
        stanza("iq", ["to": "foo bar@example.com", "type": "get", "id": "1"], [ping]),
        stanza("message", ["from": "juliet@"]),
        stanza("iq", ["from": "", "type": "result", "id": "1"]),
    ]

    /// RFC 6120 §8.3.3.8: a malformed `to` or `from` is jid-malformed (type modify).
    @Test(arguments: malformedAddresses)
    func malformedAddressesAreJIDMalformed(_ element: Element) {
        let error = #expect(throws: StanzaError.self) { try Stanza(element) }
        #expect(error?.condition == .jidMalformed)
        #expect(error?.type == .modify)
    }

    @Test func settingFromAndToRewritesTheAttributes() throws {
        var stanza = try Self.decode(Self.stanza("message", ["to": "juliet@example.com", "id": "m1"], [
            Element("body", namespace: Self.client, text: "hi"),
        ]))
        stanza.from = try JID("Romeo@Example.net/Orchard")
        stanza.to = try JID("juliet@example.com/balcony")
        #expect(stanza.element[attribute: "from"] == "romeo@example.net/Orchard")
        #expect(stanza.element[attribute: "to"] == "juliet@example.com/balcony")
        #expect(stanza.from == (try JID("romeo@example.net/Orchard")))
        stanza.to = nil
        #expect(stanza.element[attribute: "to"] == nil && stanza.to == nil)
        #expect(stanza.element[attribute: "id"] == "m1")
        #expect(stanza.element.child("body", namespace: Self.client)?.text == "hi")

        for element in [Self.stanza("presence", [:]), Self.stanza("iq", ["type": "get", "id": "1"], [Self.ping])] {
            var other = try Self.decode(element)
            other.to = try JID("example.com")
            other.from = try JID("a@example.com/r")
            #expect(other.element[attribute: "to"] == "example.com")
            #expect(other.element[attribute: "from"] == "a@example.com/r")
            #expect(try Self.decode(other.element) == other, "the element decodes to the same stanza")
        }
    }

    // MARK: - IQ (RFC 6120 §8.2.3)

    static let badIQs: [(String, Element)] = [
        ("no type", stanza("iq", ["id": "1"], [ping])),
        ("no id", stanza("iq", ["type": "get"], [ping])),
        ("empty id", stanza("iq", ["type": "get", "id": ""], [ping])),
        ("neither", stanza("iq", [:], [ping])),
        ("unknown type", stanza("iq", ["type": "query", "id": "1"], [ping])),
        ("get without child", stanza("iq", ["type": "get", "id": "1"])),
        ("set without child", stanza("iq", ["type": "set", "id": "1"])),
        ("get with two children", stanza("iq", ["type": "get", "id": "1"], [ping, ping])),
        ("set with two children", stanza("iq", ["type": "set", "id": "1"], [ping, Element("x", namespace: "urn:x")])),
        ("result with two children", stanza("iq", ["type": "result", "id": "1"], [ping, ping])),
        ("error without <error/>", stanza("iq", ["type": "error", "id": "1"], [ping])),
    ]

    @Test(arguments: badIQs)
    func iqRuleViolationsAreBadRequest(_ why: String, _ element: Element) {
        let error = #expect(throws: StanzaError.self, "\(why)") { try Stanza(element) }
        #expect(error?.condition == .badRequest, "\(why)")
        #expect(error?.type == .modify, "\(why)")
    }

    static let goodIQs: [(String, Element)] = [
        ("get with one child", stanza("iq", ["type": "get", "id": "1"], [ping])),
        ("set with one child and whitespace", Element(name: "iq", namespace: client,
            attributes: [.init(name: "type", value: "set"), .init(name: "id", value: "1")],
            children: [.text("\n "), .element(ping), .text("\n")])),
        ("result without child", stanza("iq", ["type": "result", "id": "1"])),
        ("result with one child", stanza("iq", ["type": "result", "id": "1"], [ping])),
        ("error", stanza("iq", ["type": "error", "id": "1"], [StanzaError.badRequest().element()])),
    ]

    @Test(arguments: goodIQs)
    func validIQsDecode(_ why: String, _ element: Element) throws {
        guard case .iq(let iq) = try Self.decode(element) else {
            Issue.record("\(why): not an iq")
            return
        }
        #expect(iq.id == "1")
        #expect(iq.type.rawValue == element[attribute: "type"])
    }

    @Test func iqPayloadIsTheChildElement() throws {
        let iq = try IQ(Self.goodIQs[1].1)
        #expect(iq.payload == Self.ping)
        #expect(try IQ(Self.stanza("iq", ["type": "result", "id": "1"])).payload == nil)
    }

    @Test func makeResultSwapsAddressesAndKeepsTheID() throws {
        let request = try IQ(Self.stanza("iq", ["type": "get", "id": "q7", "from": "juliet@example.com/balcony",
                                                "to": "pubsub.example.com"], [Self.ping]))
        let result = request.makeResult()
        #expect(result.type == .result && result.id == "q7")
        #expect(result.to == (try JID("juliet@example.com/balcony")))
        #expect(result.from == (try JID("pubsub.example.com")))
        #expect(result.payload == nil)
        #expect(result.element[attribute: "to"] == "juliet@example.com/balcony")
        #expect(result.element[attribute: "type"] == "result")

        let payload = Element("pubsub", namespace: "http://jabber.org/protocol/pubsub")
        let withPayload = request.makeResult(payload: payload)
        #expect(withPayload.payload == payload)
        #expect(try IQ(withPayload.element) == withPayload, "the result decodes to itself")
    }

    @Test func iqInitializerBuildsTheElement() throws {
        let iq = IQ(type: .set, id: "s1", to: try JID("example.com"), payload: Self.ping)
        #expect(iq.element.name == "iq" && iq.element.namespace == Namespace.client)
        #expect(iq.element[attribute: "type"] == "set" && iq.element[attribute: "id"] == "s1")
        #expect(iq.element[attribute: "from"] == nil && iq.element[attribute: "to"] == "example.com")
        #expect(iq.element.elements == [Self.ping])
    }

    // MARK: - Presence (RFC 6121 §4.7)

    static let presenceTypes: [String] =
        ["error", "probe", "subscribe", "subscribed", "unavailable", "unsubscribe", "unsubscribed"]

    @Test(arguments: presenceTypes)
    func knownPresenceTypesDecode(_ type: String) throws {
        let presence = try Presence(Self.stanza("presence", ["type": type]))
        #expect(presence.type.rawValue == type)
        let subscription = ["subscribe", "subscribed", "unsubscribe", "unsubscribed"].contains(type)
        #expect(presence.type.isSubscriptionManagement == subscription)
    }

    @Test func presenceWithoutTypeIsAvailable() throws {
        #expect(try Presence(Self.stanza("presence", [:])).type == .available)
    }

    /// §4.7.1: "available" is not a value of the type attribute; unknown values are bad requests.
    @Test(arguments: ["available", "", "Subscribe", "invisible"])
    func unknownPresenceTypesAreBadRequest(_ type: String) {
        let error = #expect(throws: StanzaError.self) { try Presence(Self.stanza("presence", ["type": type])) }
        #expect(error?.condition == .badRequest)
    }

    static let priorities: [(String?, Int)] = [
        (nil, 0), ("0", 0), ("5", 5), ("-1", -1), ("127", 127), ("-128", -128), (" 10\n", 10), ("+3", 3),
        ("128", 0), ("-129", 0), ("999999999999999999999", 0), ("1.5", 0), ("high", 0), ("", 0),
    ]

    /// §4.7.2.3: an integer in -128…127, zero when absent; out-of-range or non-numbers count as zero.
    @Test(arguments: priorities)
    func priorityIsClampedToTheRFCRange(_ text: String?, _ expected: Int) throws {
        let children = text.map { [Element("priority", namespace: Self.client, text: $0)] } ?? []
        #expect(try Presence(Self.stanza("presence", [:], children)).priority == expected)
    }

    @Test func priorityInAnotherNamespaceIsIgnored() throws {
        let presence = try Presence(Self.stanza("presence", [:], [Element("priority", namespace: "urn:x", text: "9")]))
        #expect(presence.priority == 0)
    }

    @Test func presenceInitializerOmitsTheAvailableType() throws {
        #expect(Presence(type: .available).element[attribute: "type"] == nil)
        let probe = Presence(type: .probe, from: try JID("a@example.com"), to: try JID("b@example.com"), id: "p")
        #expect(probe.element[attribute: "type"] == "probe")
        #expect(try Presence(probe.element) == probe)
    }

    // MARK: - Message (RFC 6121 §5.2.2)

    static let messageTypes: [(String?, Message.MessageType)] = [
        ("chat", .chat), ("error", .error), ("groupchat", .groupchat), ("headline", .headline),
        ("normal", .normal), (nil, .normal), ("", .normal), ("CHAT", .normal), ("whisper", .normal),
    ]

    @Test(arguments: messageTypes)
    func missingOrUnknownMessageTypesAreNormal(_ type: String?, _ expected: Message.MessageType) throws {
        #expect(try Message(Self.stanza("message", ["type": type])).type == expected)
    }

    @Test func messageBodyAndInitializer() throws {
        let message = Message(type: .chat, to: try JID("juliet@example.com"), id: "m",
                              payload: [Element("body", namespace: Self.client, text: "Art thou not Romeo?")])
        #expect(message.body == "Art thou not Romeo?")
        #expect(message.element[attribute: "type"] == "chat")
        #expect(try Message(message.element) == message)
        #expect(Message(type: .normal).element[attribute: "type"] == nil, "normal is the default, left out")
        #expect(Message(type: .normal).body == nil)
    }

    // MARK: - Error replies (RFC 6120 §8.3.1)

    @Test func errorReplyToAMessageSwapsAddressesAndKeepsThePayload() throws {
        let body = Element("body", namespace: Self.client, text: "hi")
        let original = try Self.decode(Self.stanza("message", [
            "from": "romeo@example.net/orchard", "to": "juliet@example.com", "type": "chat", "id": "m1",
        ], [body]))
        let reply = original.makeErrorReply(.serviceUnavailable())
        #expect(reply.name == "message" && reply.namespace == Namespace.client)
        #expect(reply[attribute: "from"] == "juliet@example.com")
        #expect(reply[attribute: "to"] == "romeo@example.net/orchard")
        #expect(reply[attribute: "type"] == "error")
        #expect(reply[attribute: "id"] == "m1")
        #expect(reply.elements.first == body)
        #expect(reply.elements.last == StanzaError.serviceUnavailable().element())
        guard case .message(let decoded) = try Self.decode(reply) else {
            Issue.record("reply is not a message")
            return
        }
        #expect(decoded.type == .error)
        #expect(try Self.decode(reply).isErrorOrResult)
    }

    @Test func errorReplyToAnIQDropsThePayload() throws {
        let original = try Self.decode(Self.stanza("iq", [
            "from": "juliet@example.com/balcony", "to": "example.com", "type": "get", "id": "i1",
        ], [Self.ping]))
        let reply = original.makeErrorReply(.featureNotImplemented())
        #expect(reply[attribute: "from"] == "example.com")
        #expect(reply[attribute: "to"] == "juliet@example.com/balcony")
        #expect(reply[attribute: "type"] == "error" && reply[attribute: "id"] == "i1")
        #expect(reply.elements == [StanzaError.featureNotImplemented().element()])
        guard case .iq(let iq) = try Self.decode(reply) else {
            Issue.record("reply is not an iq")
            return
        }
        #expect(iq.type == .error)
    }

    @Test func errorReplyToPresenceKeepsThePayloadButNotAnOldError() throws {
        let status = Element("status", namespace: Self.client, text: "away")
        let original = try Self.decode(Self.stanza("presence", ["to": "juliet@example.com"], [
            status, StanzaError.badRequest().element(),
        ]))
        let reply = original.makeErrorReply(.jidMalformed())
        #expect(reply[attribute: "from"] == "juliet@example.com" && reply[attribute: "to"] == nil)
        #expect(reply.elements == [status, StanzaError.jidMalformed().element()])
    }

    @Test func errorReplyUsesTheStanzaNamespace() throws {
        let original = try Self.decode(Self.stanza("message", ["to": "a@example.com"], namespace: Namespace.server))
        let reply = original.makeErrorReply(.forbidden())
        #expect(reply.namespace == Namespace.server)
        #expect(reply.child("error", namespace: Namespace.server) != nil)
    }

    @Test func onlyErrorsAndResultsAreErrorOrResult() throws {
        let cases: [(Element, Bool)] = [
            (Self.stanza("message", ["type": "error"]), true),
            (Self.stanza("message", ["type": "chat"]), false),
            (Self.stanza("presence", ["type": "error"]), true),
            (Self.stanza("presence", ["type": "unavailable"]), false),
            (Self.stanza("iq", ["type": "result", "id": "1"]), true),
            (Self.stanza("iq", ["type": "error", "id": "1"], [StanzaError.badRequest().element()]), true),
            (Self.stanza("iq", ["type": "get", "id": "1"], [Self.ping]), false),
        ]
        for (element, expected) in cases {
            #expect(try Self.decode(element).isErrorOrResult == expected, "\(element)")
        }
    }
}
