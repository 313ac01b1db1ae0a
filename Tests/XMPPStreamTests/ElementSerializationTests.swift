import NIOCore
import Testing
import XMPPCore
import XMPPStream

@Suite struct ElementSerializationTests {
    static let pubsub = "http://jabber.org/protocol/pubsub"

    static let elements: [Element] = [
        Element("presence", namespace: Namespace.client),
        Element(name: "message", namespace: Namespace.client,
                attributes: [.init(name: "to", value: "a@b.example/r"), .init(name: "lang", namespace: Namespace.xml, value: "de")],
                children: [.element(Element("body", namespace: Namespace.client, text: "Grüße 🌡 温度 < > & ' \" ]]> \r\n\tend"))]),
        Element(name: "x", namespace: "urn:x",
                attributes: [.init(name: "v", value: "& < > ' \" \t\n\r done"), .init(name: "a", namespace: "urn:a", value: "1"),
                             .init(name: "b", namespace: "urn:b", value: "2"), .init(name: "c", namespace: "urn:a", value: "3")]),
        Element("iq", namespace: Namespace.client, ["type": "result", "id": "1"], children: [
            Element("pubsub", namespace: pubsub, children: [
                Element("items", namespace: pubsub, ["node": "n"], children: [
                    Element("item", namespace: pubsub, ["id": "i"], children: [
                        Element("reading", namespace: "urn:t", text: "1"),
                        Element("back", namespace: pubsub),
                        Element("nons", namespace: ""),
                        Element("client", namespace: Namespace.client),
                    ]),
                ]),
            ]),
        ]),
        Element(name: "features", namespace: Namespace.streams, children: [
            .element(Element("starttls", namespace: Namespace.tls, children: [Element("required", namespace: Namespace.tls)])),
            .element(Element("bind", namespace: Namespace.bind)),
            .element(Element("ver", namespace: Namespace.client)),
        ]),
        StreamError(.policyViolation, text: "too big & bad").element,
        Element(name: "mixed", namespace: Namespace.client,
                children: [.text("a"), .element(Element("b", namespace: Namespace.client)), .text("c")]),
    ]

    /// Parses `serialized` as a child of a jabber:client stream.
    static func parseBack(_ serialized: String) -> ParseOutcome {
        StreamFixtures.parse(StreamFixtures.header + serialized)
    }

    @Test(arguments: elements)
    func roundTrips(_ element: Element) {
        let text = element.serialized()
        let outcome = Self.parseBack(text)
        #expect(outcome.error == nil, "\(text)")
        #expect(outcome.events.dropFirst().first == .element(element), "\(text)")
    }

    @Test func writeAppendsTheSameBytes() {
        var buffer = ByteBuffer(string: "prefix|")
        let element = Self.elements[1]
        element.write(to: &buffer)
        #expect(String(buffer: buffer) == "prefix|" + element.serialized())
    }

    @Test func defaultNamespaceIsOmittedAndDeclaredWhenItChanges() {
        #expect(Element("presence", namespace: Namespace.client).serialized() == "<presence/>")
        #expect(Self.elements[3].serialized() == """
            <iq type='result' id='1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='n'>\
            <item id='i'><reading xmlns='urn:t'>1</reading><back/><nons xmlns=''/>\
            <client xmlns='jabber:client'/></item></items></pubsub></iq>
            """)
        #expect(Element("presence", namespace: Namespace.client).serialized(streamNamespace: Namespace.server)
            == "<presence xmlns='jabber:client'/>")
    }

    @Test func streamElementsUseTheStreamPrefix() {
        #expect(StreamError(.notWellFormed).element.serialized() == """
            <stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>
            """)
        #expect(Self.elements[4].serialized() == """
            <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
            <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><ver/></stream:features>
            """)
    }

    @Test func escaping() {
        #expect(Element("b", namespace: Namespace.client, ["v": "'\"&<>\n"], text: "&<>'\"]]>").serialized()
            == "<b v='&apos;&quot;&amp;&lt;&gt;&#10;'>&amp;&lt;&gt;'\"]]&gt;</b>")
        #expect(Self.elements[1].serialized().contains("xml:lang='de'"))
        #expect(Self.elements[2].serialized() == """
            <x xmlns='urn:x' v='&amp; &lt; &gt; &apos; &quot; &#9;&#10;&#13; done' xmlns:ns0='urn:a' ns0:a='1' \
            xmlns:ns1='urn:b' ns1:b='2' ns0:c='3'/>
            """)
    }

    @Test func streamOpeningParsesAsAHeader() throws {
        let header = StreamOpening.header(from: "example.net", to: "juliet@example.net", id: "i'd")
        #expect(header == """
            <?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
            from='example.net' to='juliet@example.net' id='i&apos;d' version='1.0' xml:lang='en'>
            """)
        let outcome = StreamFixtures.parse(header + StreamOpening.closing)
        #expect(outcome.error == nil)
        #expect(outcome.events == [
            .streamStart(StreamHeader(
                name: "stream", namespace: Namespace.streams, prefix: "stream", contentNamespace: Namespace.client,
                attributes: [
                    .init(name: "from", value: "example.net"), .init(name: "to", value: "juliet@example.net"),
                    .init(name: "id", value: "i'd"), .init(name: "version", value: "1.0"),
                    .init(name: "lang", namespace: Namespace.xml, value: "en"),
                ])),
            .streamEnd,
        ])
        #expect(StreamOpening.header(from: nil, to: nil, id: nil, version: nil, language: nil, contentNamespace: Namespace.server)
            == "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>")
    }
}
