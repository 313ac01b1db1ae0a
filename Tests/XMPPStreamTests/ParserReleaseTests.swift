import NIOCore
import Testing
import XMPPCore
import XMPPStream

/// `releaseMemory()` frees libxml2's context between stanzas; the stream must go on exactly as if
/// it had not: same events, same errors, same limits.
@Suite struct ParserReleaseTests {
    /// Feeds the whole fixture stream one line at a time, releasing after every chunk where the
    /// parser allows it, and expects the events of an undisturbed parse.
    @Test func releasingBetweenEveryChunkGivesTheSameEvents() throws {
        XMLStreamParser.initializeLibrary()
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        var released = 0
        for line in XMLStreamParserTests.stream.split(separator: "\n", omittingEmptySubsequences: false) {
            try parser.feed(ByteBuffer(string: String(line) + "\n"), into: &events)
            if parser.releaseMemory() { released += 1 }
        }
        #expect(events == XMLStreamParserTests.expected)
        #expect(released >= 3)
    }

    @Test func nothingIsReleasedMidStanzaOrBeforeTheHeader() throws {
        XMLStreamParser.initializeLibrary()
        let parser = XMLStreamParser()
        #expect(!parser.releaseMemory())
        var events: [StreamEvent] = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header), into: &events)
        try parser.feed(ByteBuffer(string: "<message to='a@b'><body>half"), into: &events)
        #expect(!parser.releaseMemory())
        try parser.feed(ByteBuffer(string: "</body></message>"), into: &events)
        #expect(parser.releaseMemory())
        #expect(!parser.releaseMemory())
        #expect(events.count == 2)
        // A whitespace keepalive (RFC 6120 §4.6.1) libxml2 still holds does not pin the context.
        try parser.feed(ByteBuffer(string: " \n "), into: &events)
        #expect(parser.releaseMemory())
        try parser.feed(ByteBuffer(string: "<presence/> "), into: &events)
        #expect(events.count == 3)
    }

    /// The stream's namespaces come back: the default (`jabber:client`) for stanzas, the `stream`
    /// prefix for stream-level elements and the closing tag.
    @Test func namespacesAndTheClosingTagSurviveARelease() throws {
        XMLStreamParser.initializeLibrary()
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header + "<presence/>"), into: &events)
        #expect(parser.releaseMemory())
        try parser.feed(ByteBuffer(string: "<message><body>x</body></message><stream:error>"
            + "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"), into: &events)
        #expect(events.count == 5)
        #expect(events[2] == .element(Element("message", namespace: Namespace.client, children: [
            Element("body", namespace: Namespace.client, text: "x"),
        ])))
        if case .element(let error) = events[3] {
            #expect(error.name == "error" && error.namespace == Namespace.streams)
        } else {
            Issue.record("expected stream:error, got \(events[3])")
        }
        #expect(events[4] == .streamEnd)
    }

    @Test func errorsAndLimitsStillApplyAfterARelease() throws {
        XMLStreamParser.initializeLibrary()
        var limits = XMLStreamLimits()
        limits.maxStanzaBytes = 64
        let parser = XMLStreamParser(limits: limits)
        var events: [StreamEvent] = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header), into: &events)
        #expect(parser.releaseMemory())
        // The synthetic start tag is not counted against the first stanza after the release.
        try parser.feed(ByteBuffer(string: "<message><body>fits</body></message>"), into: &events)
        #expect(parser.releaseMemory())
        #expect(throws: StreamError.self) {
            try parser.feed(ByteBuffer(string: "<message><body>" + String(repeating: "x", count: 100) + "</body></message>"), into: &events)
        }
        let other = XMLStreamParser()
        try other.feed(ByteBuffer(string: StreamFixtures.header), into: &events)
        #expect(other.releaseMemory())
        do {
            try other.feed(ByteBuffer(string: "<!-- no -->"), into: &events)
            Issue.record("a comment after a release was accepted")
        } catch {
            #expect(error.condition == .restrictedXML)
        }
        let third = XMLStreamParser()
        try third.feed(ByteBuffer(string: StreamFixtures.header), into: &events)
        #expect(third.releaseMemory())
        do {
            try third.feed(ByteBuffer(string: "<a></b>"), into: &events)
            Issue.record("a mismatched tag after a release was accepted")
        } catch {
            #expect(error.condition == .notWellFormed)
        }
    }

    /// A stream restart (STARTTLS, SASL) after a release starts from a clean parser.
    @Test func resetAfterARelease() throws {
        XMLStreamParser.initializeLibrary()
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        try parser.feed(ByteBuffer(string: StreamFixtures.header), into: &events)
        #expect(parser.releaseMemory())
        parser.reset()
        try parser.feed(ByteBuffer(string: StreamFixtures.header + "<presence/>"), into: &events)
        #expect(events.count == 3)
        #expect(events[2] == .element(Element("presence", namespace: Namespace.client)))
    }
}
