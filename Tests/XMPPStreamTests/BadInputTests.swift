import Testing
import XMPPCore
import XMPPStream

/// Each input must end in the stream error RFC 6120 names, whole and split at every byte.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: String
        var condition: StreamError.Condition
        var limits = XMLStreamLimits()
        var testDescription: String { name }
    }

    static let header = StreamFixtures.header
    static let small = XMLStreamLimits(maxStanzaBytes: 1024, maxDepth: 4, maxAttributes: 6)

    static let cases: [Case] = [
        Case(name: "DOCTYPE", input: "<?xml version='1.0'?><!DOCTYPE stream:stream>" + header.dropFirst(21),
             condition: .restrictedXML),
        Case(name: "billion laughs", input: """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">\
            <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
            <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\
            <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
            <message><body>&lol3;</body></message>
            """, condition: .restrictedXML),
        Case(name: "comment in stanza", input: header + "<message><!-- hi --><body/></message>", condition: .restrictedXML),
        Case(name: "comment before root", input: "<?xml version='1.0'?><!-- hi -->" + header.dropFirst(21),
             condition: .restrictedXML),
        Case(name: "processing instruction", input: header + "<?foo bar?><presence/>", condition: .restrictedXML),
        Case(name: "undefined entity in text", input: header + "<message><body>&foo;</body></message>",
             condition: .restrictedXML),
        Case(name: "undefined entity in attribute", input: header + "<message to='&foo;'/>", condition: .restrictedXML),
        Case(name: "mismatched tags", input: header + "<message><body></message>", condition: .notWellFormed),
        Case(name: "unquoted attribute", input: header + "<message to=romeo/>", condition: .notWellFormed),
        Case(name: "control character", input: header + "<message><body>\u{1}</body></message>", condition: .notWellFormed),
        Case(name: "invalid UTF-8", input: header + "<message><body>\u{FFFD}</body></message>", condition: .notWellFormed),
        Case(name: "unbound element prefix", input: header + "<foo:bar/>", condition: .notWellFormed),
        Case(name: "unbound attribute prefix", input: header + "<message foo:bar='x'/>", condition: .notWellFormed),
        Case(name: "second XML declaration", input: header + "<?xml version='1.0'?>", condition: .notWellFormed),
        Case(name: "ISO-8859-1 declaration", input: "<?xml version='1.0' encoding='ISO-8859-1'?>" + header.dropFirst(21),
             condition: .unsupportedEncoding),
        Case(name: "UTF-16 declaration over UTF-8 bytes",
             input: "<?xml version='1.0' encoding='UTF-16'?>" + header.dropFirst(21), condition: .unsupportedEncoding),
        Case(name: "unknown encoding", input: "<?xml version='1.0' encoding='x-klingon'?>" + header.dropFirst(21),
             condition: .unsupportedEncoding),
        Case(name: "depth over limit", input: header + "<iq><a><b><c><d><e/></d></c></b></a></iq>",
             condition: .policyViolation, limits: small),
        Case(name: "too many attributes", input: header + "<message a='1' b='2' c='3' d='4' e='5' f='6' g='7'/>",
             condition: .policyViolation, limits: small),
        Case(name: "stanza over maxStanzaBytes",
             input: header + "<message><body>" + String(repeating: "x", count: 1200) + "</body></message>",
             condition: .policyViolation, limits: small),
        Case(name: "many small children over maxStanzaBytes",
             input: header + "<message>" + String(repeating: "<a/>", count: 300) + "</message>",
             condition: .policyViolation, limits: small),
        Case(name: "endless text without '<'",
             input: header + "<message><body>" + String(repeating: "y", count: 2000),
             condition: .policyViolation, limits: small),
        Case(name: "endless start tag", input: header + "<message to='" + String(repeating: "z", count: 2000),
             condition: .policyViolation, limits: small),
        Case(name: "text at stream level", input: header + "hello<presence/>", condition: .badFormat),
    ]

    @Test(arguments: cases)
    func endsInTheNamedCondition(_ test: Case) {
        let bytes = Array(test.input.utf8).map { $0 }
        let input = test.name == "invalid UTF-8" ? Self.invalidUTF8(bytes) : bytes
        #expect(StreamFixtures.parse([input], limits: test.limits).error == test.condition, "whole")
        #expect(StreamFixtures.parse(StreamFixtures.byteByByte(input), limits: test.limits).error == test.condition,
                "byte by byte")
        for (position, chunks) in StreamFixtures.twoWaySplits(input).enumerated() {
            let outcome = StreamFixtures.parse(chunks, limits: test.limits)
            #expect(outcome.error == test.condition, "split at \(position + 1): \(outcome)")
        }
    }

    /// Replaces the U+FFFD placeholder (EF BF BD) by a lone continuation byte.
    static func invalidUTF8(_ bytes: [UInt8]) -> [UInt8] {
        guard let index = bytes.firstIndex(of: 0xEF) else { return bytes }
        var result = bytes
        result.replaceSubrange(index..<index + 3, with: [0x80])
        return result
    }

    @Test func utf16ByteOrderMarkIsUnsupportedEncoding() {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in Self.header.dropFirst(21).utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(StreamFixtures.parse([bytes]).error == .unsupportedEncoding)
        #expect(StreamFixtures.parse(StreamFixtures.byteByByte(bytes)).error == .unsupportedEncoding)
    }

    @Test func billionLaughsNeverExpands() {
        // Without the DOCTYPE check this would deliver a 30 KB body; the parser must stop at the DTD.
        let outcome = StreamFixtures.parse(Self.cases[1].input)
        #expect(outcome.error == .restrictedXML)
        #expect(outcome.events.isEmpty)
    }
}
