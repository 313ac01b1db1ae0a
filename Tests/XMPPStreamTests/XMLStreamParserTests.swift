import NIOCore
import Testing
import XMPPCore
import XMPPStream

@Suite struct XMLStreamParserTests {
    /// A client stream with negotiation elements, stanzas, CDATA, references, multi-byte UTF-8 and
    /// keepalives, and the events it must give.
    static let stream = StreamFixtures.header + """
        <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
        <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism>\
        </mechanisms></stream:features>
        <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>biwsbj1qdWxpZXQ=</auth>
         \t\r
        <message to='romeo@example.net' type='chat' xml:lang='fr'><body>Où es-tu? 🌹 你好 &amp; &lt;3 \
        &#x1F600;&#65;</body><x:foo xmlns:x='urn:x' x:attr='v&apos;1'/><data><![CDATA[<not> & markup]]>\
        </data></message>  <iq type='set' id='pub1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
        <publish node='site-a/floor-2/temp'><item id='ü✓'><reading xmlns='urn:starling:telemetry' \
        unit='°C' 名前='値'>21.5</reading></item></publish></pubsub></iq>
        </stream:stream>
        """

    static let expected: [StreamEvent] = [
        .streamStart(StreamFixtures.streamHeader()),
        .element(Element(
            name: "features", namespace: Namespace.streams,
            children: [
                .element(Element("starttls", namespace: Namespace.tls, children: [
                    Element("required", namespace: Namespace.tls),
                ])),
                .element(Element("mechanisms", namespace: Namespace.sasl, children: [
                    Element("mechanism", namespace: Namespace.sasl, text: "SCRAM-SHA-256"),
                ])),
            ])),
        .element(Element("auth", namespace: Namespace.sasl, ["mechanism": "SCRAM-SHA-256"], text: "biwsbj1qdWxpZXQ=")),
        .element(Element(
            name: "message", namespace: Namespace.client,
            attributes: [
                .init(name: "to", value: "romeo@example.net"), .init(name: "type", value: "chat"),
                .init(name: "lang", namespace: Namespace.xml, value: "fr"),
            ],
            children: [
                .element(Element("body", namespace: Namespace.client, text: "Où es-tu? 🌹 你好 & <3 😀A")),
                .element(Element(name: "foo", namespace: "urn:x", attributes: [
                    .init(name: "attr", namespace: "urn:x", value: "v'1"),
                ])),
                .element(Element("data", namespace: Namespace.client, text: "<not> & markup")),
            ])),
        .element(Element("iq", namespace: Namespace.client, ["type": "set", "id": "pub1"], children: [
            Element("pubsub", namespace: "http://jabber.org/protocol/pubsub", children: [
                Element("publish", namespace: "http://jabber.org/protocol/pubsub", ["node": "site-a/floor-2/temp"], children: [
                    Element("item", namespace: "http://jabber.org/protocol/pubsub", ["id": "ü✓"], children: [
                        Element("reading", namespace: "urn:starling:telemetry", ["unit": "°C", "名前": "値"], text: "21.5"),
                    ]),
                ]),
            ]),
        ])),
        .streamEnd,
    ]

    static var bytes: [UInt8] { Array(stream.utf8) }

    @Test func wholeStreamGivesTheExpectedEvents() {
        let outcome = StreamFixtures.parse(Self.stream)
        #expect(outcome.error == nil)
        #expect(outcome.events == Self.expected)
    }

    @Test func byteByByteGivesTheSameEvents() {
        let outcome = StreamFixtures.parse(StreamFixtures.byteByByte(Self.bytes))
        #expect(outcome == ParseOutcome(events: Self.expected, error: nil))
    }

    @Test func everyTwoWaySplitGivesTheSameEvents() {
        for (position, chunks) in StreamFixtures.twoWaySplits(Self.bytes).enumerated() {
            let outcome = StreamFixtures.parse(chunks)
            #expect(outcome == ParseOutcome(events: Self.expected, error: nil), "split at \(position + 1)")
        }
    }

    @Test func randomMultiSplitsGiveTheSameEvents() {
        for chunks in StreamFixtures.randomSplits(Self.bytes, count: 200, seed: 6120) {
            let outcome = StreamFixtures.parse(chunks)
            #expect(outcome == ParseOutcome(events: Self.expected, error: nil), "\(chunks.map(\.count))")
        }
    }

    @Test func eventsArriveAsSoonAsTheirLastByte() throws {
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header), into: &events)
        #expect(events == [.streamStart(StreamFixtures.streamHeader())])
        try parser.feed(ByteBuffer(string: "<presence/"), into: &events)
        #expect(events.count == 1)
        try parser.feed(ByteBuffer(string: ">"), into: &events)
        #expect(events.last == .element(Element("presence", namespace: Namespace.client)))
    }

    @Test func headerWithoutDeclarationAndWithDefaultPrefix() {
        let outcome = StreamFixtures.parse(
            "<stream xmlns='http://etherx.jabber.org/streams' from='a.example' id='x&amp;y'><ping xmlns='urn:xmpp:ping'/>")
        #expect(outcome.error == nil)
        #expect(outcome.events == [
            .streamStart(StreamHeader(
                name: "stream", namespace: Namespace.streams, prefix: nil, contentNamespace: Namespace.streams,
                attributes: [.init(name: "from", value: "a.example"), .init(name: "id", value: "x&y")])),
            .element(Element("ping", namespace: Namespace.ping)),
        ])
        if case .streamStart(let header)? = outcome.events.first {
            #expect(header[attribute: "id"] == "x&y")
            #expect(header[attribute: "to"] == nil)
            #expect(header.language == nil)
        }
    }

    @Test func headerAccessors() {
        let header = StreamFixtures.streamHeader(to: "example.org")
        #expect(header[attribute: "to"] == "example.org")
        #expect(header[attribute: "lang"] == nil)
        #expect(header.language == "en")
    }

    @Test func resetAcceptsANewStreamHeaderAsAfterStartTLS() throws {
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><mess"), into: &events)
        #expect(events == [
            .streamStart(StreamFixtures.streamHeader()),
            .element(Element("starttls", namespace: Namespace.tls)),
        ])
        parser.reset()
        events = []
        // A second header, with and without an XML declaration, on the same parser.
        try parser.feed(ByteBuffer(string: StreamFixtures.header + "<presence/>"), into: &events)
        #expect(events == [.streamStart(StreamFixtures.streamHeader()), .element(Element("presence", namespace: Namespace.client))])
        parser.reset()
        events = []
        let second = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='b.example'>"
        try parser.feed(ByteBuffer(string: second), into: &events)
        #expect(events == [.streamStart(StreamHeader(
            name: "stream", namespace: Namespace.streams, prefix: "stream", contentNamespace: Namespace.client,
            attributes: [.init(name: "to", value: "b.example")]))])
    }

    @Test func afterAnErrorFeedKeepsThrowingUntilReset() throws {
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        #expect(throws: StreamError(.restrictedXML, text: "comments are not allowed")) {
            try parser.feed(ByteBuffer(string: StreamFixtures.header + "<!-- x -->"), into: &events)
        }
        #expect(events == [.streamStart(StreamFixtures.streamHeader())])
        for _ in 0..<3 {
            #expect(throws: StreamError.self) { try parser.feed(ByteBuffer(string: "<presence/>"), into: &events) }
        }
        #expect(events.count == 1)
        parser.reset()
        events = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header + "<presence/>"), into: &events)
        #expect(events.count == 2)
    }

    @Test func eventsBeforeAnErrorAreDelivered() {
        let outcome = StreamFixtures.parse(StreamFixtures.header + "<presence/><message><body></message>")
        #expect(outcome.error == .notWellFormed)
        #expect(outcome.events == [.streamStart(StreamFixtures.streamHeader()), .element(Element("presence", namespace: Namespace.client))])
    }

    @Test func keepalivesBetweenStanzasDoNotCountTowardTheStanzaLimit() {
        let limits = XMLStreamLimits(maxStanzaBytes: 200)
        var chunks = [Array(StreamFixtures.header.utf8)]
        for _ in 0..<50 { chunks.append(Array("<presence/>".utf8)); chunks.append(Array("  \n".utf8)) }
        chunks.append(Array("<presence/>".utf8))
        let outcome = StreamFixtures.parse(chunks, limits: limits)
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 52)
    }

    @Test func limitsAtTheirBoundAreAccepted() {
        let limits = XMLStreamLimits(maxStanzaBytes: 4096, maxDepth: 3, maxAttributes: 5)
        let outcome = StreamFixtures.parse(
            StreamFixtures.header + "<iq a='1' b='2' c='3' d='4' e='5'><x xmlns='urn:x'><y/></x></iq>", limits: limits)
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 2)
    }

    @Test func streamElementWithoutNamespaceIsReportedForTheC2SLayerToCheck() {
        let outcome = StreamFixtures.parse("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><message/>")
        #expect(outcome.error == nil)
        #expect(outcome.events.last == .element(Element("message", namespace: "")))
    }

    @Test func largeReadsAreParsedCompletely() {
        let many = StreamFixtures.header + String(repeating: "<presence/>\n", count: 3000)
        let outcome = StreamFixtures.parse(many)
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 3001)
        let big = StreamFixtures.header + "<message><body>" + String(repeating: "x", count: 300_000) + "</body></message>"
        #expect(StreamFixtures.parse(big).error == .policyViolation)
        let fits = StreamFixtures.header + "<message><body>" + String(repeating: "x", count: 200_000) + "</body></message>"
        #expect(StreamFixtures.parse(fits).events.last == .element(Element("message", namespace: Namespace.client, children: [
            Element("body", namespace: Namespace.client, text: String(repeating: "x", count: 200_000)),
        ])))
    }
}
