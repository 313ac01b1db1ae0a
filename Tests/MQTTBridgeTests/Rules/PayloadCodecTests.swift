import Foundation
import MQTTBridge
import PubSubXMPP
import Testing
import XMPPCore

@Suite struct PayloadCodecTests {
    let codec = PayloadCodec()

    private func item(_ bytes: [UInt8], _ format: PayloadFormat) throws -> [UInt8] {
        guard case .item(let payload) = try codec.itemPayload(fromMessage: bytes, format: format) else {
            Issue.record("expected an item")
            return []
        }
        return payload
    }

    private func roundTrip(_ bytes: [UInt8], _ format: PayloadFormat) throws -> [UInt8] {
        try codec.messagePayload(fromItem: try item(bytes, format), format: format)
    }

    private func rejection(_ bytes: [UInt8], _ format: PayloadFormat) -> PayloadError? {
        do {
            _ = try codec.itemPayload(fromMessage: bytes, format: format)
            return nil
        } catch {
            return error
        }
    }

    // MARK: raw

    @Test func rawCarriesEveryByteValueAsBase64() throws {
        let bytes = (0...255).map(UInt8.init)
        let payload = try item(bytes, .raw)
        let element = try #require(ItemPayload.decode(payload))
        #expect(element == Element("data", namespace: "urn:starling:mqtt:0", text: Data(bytes).base64EncodedString()))
        #expect(!element.text.contains("\n"))
        #expect(try codec.messagePayload(fromItem: payload, format: .raw) == bytes)
    }

    @Test func rawRoundTripsALargeRandomBlobBitExact() throws {
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<262_144).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        #expect(try roundTrip(blob, .raw) == blob)
    }

    @Test func rawSendsOtherItemPayloadsAsStored() throws {
        let stored = ItemPayload.encode(Element("reading", namespace: "urn:example:sensor", ["unit": "C"], text: "21.5"))
        #expect(try codec.messagePayload(fromItem: stored, format: .raw) == stored)
    }

    @Test func rawRefusesADataElementWithoutBase64() throws {
        let stored = ItemPayload.encode(Element("data", namespace: PayloadCodec.namespace, text: "not base64!"))
        #expect(throws: PayloadError.invalidBase64) { try codec.messagePayload(fromItem: stored, format: .raw) }
    }

    @Test func rawAcceptsBase64WrappedAcrossLines() throws {
        let stored = ItemPayload.encode(Element("data", namespace: PayloadCodec.namespace, text: "AAEC\n/f7/"))
        #expect(try codec.messagePayload(fromItem: stored, format: .raw) == [0, 1, 2, 253, 254, 255])
    }

    // MARK: text

    @Test func textKeepsWhitespaceAndMarkupCharacters() throws {
        let text = "  <b>&amp;</b> \"q\" 'a' ]]> tab\tCR\r\nLF\n  é ✓ 🌡  "
        let payload = try item(Array(text.utf8), .text)
        #expect(ItemPayload.decode(payload) == Element("text", namespace: "urn:starling:mqtt:0", text: text))
        #expect(try codec.messagePayload(fromItem: payload, format: .text) == Array(text.utf8))
    }

    @Test func textOfAnyOtherElementIsItsTextContent() throws {
        var root = Element("reading", namespace: "urn:example:sensor", text: "a")
        root.append(Element("value", namespace: "urn:example:sensor", text: "21.5"))
        root.children.append(.text(" C"))
        #expect(try codec.messagePayload(fromItem: ItemPayload.encode(root), format: .text) == Array("a21.5 C".utf8))
    }

    @Test func textRejectsInvalidUTF8AndNonXMLCharacters() {
        #expect(rejection([0x61, 0xFF, 0x62], .text) == .notUTF8)
        #expect(rejection([0xC3], .text) == .notUTF8)
        #expect(rejection(Array("ab\u{1}".utf8), .text) == .notXMLCharacter(offset: 2))
        #expect(rejection(Array("é\u{FFFE}".utf8), .text) == .notXMLCharacter(offset: 2))
        #expect(rejection([0], .text) == .notXMLCharacter(offset: 0))
    }

    // MARK: json

    @Test(arguments: [
        #"{"temp": 21.5, "unit": "C", "ok": true, "tags": ["a", "b"], "n": null}"#,
        #"[1, -2.5e-3, 0, 1E+10, {"a": {}}, [], "\u00e9\n\"\\"]"#,
        "42", "-0.5", #""just a string""#, "true", "null",
        " \r\n\t{ \"spaced\" : [ 1 , 2 ] } \n",
        #"{"<tag>": "&amp; ]]> 'q'"}"#,
    ])
    func jsonRoundTripsByteExact(_ json: String) throws {
        let payload = try item(Array(json.utf8), .json)
        #expect(ItemPayload.decode(payload) == Element("json", namespace: "urn:xmpp:json:0", text: json))
        #expect(try codec.messagePayload(fromItem: payload, format: .json) == Array(json.utf8))
    }

    @Test(arguments: [
        "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "NaN", "tru", "nulll",
        "'single'", "\"unterminated", "\"bad \\x escape\"", "\"\\u12G4\"", "[1] [2]", "{a: 1}",
        "\"tab\there\"", "\u{FEFF}{}", "[]]", "{}}", "[\"a\":1]",
    ])
    func jsonRejectsWhatIsNotRFC8259(_ text: String) {
        guard case .notJSON = rejection(Array(text.utf8), .json) else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
    }

    @Test func jsonRejectsDeepNestingOnlyByItsContent() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try roundTrip(Array(deep.utf8), .json) == Array(deep.utf8))
        let unbalanced = String(repeating: "[", count: 100_000)
        guard case .notJSON(let offset) = rejection(Array(unbalanced.utf8), .json) else {
            Issue.record("accepted unbalanced brackets")
            return
        }
        #expect(offset == 100_000)
    }

    @Test func jsonRejectsInvalidUTF8() {
        #expect(rejection([0x22, 0xFE, 0x22], .json) == .notUTF8)
    }

    @Test func jsonOutboundNeedsAJSONContainerWithJSON() throws {
        let other = ItemPayload.encode(Element("reading", namespace: "urn:example:sensor", text: "1"))
        #expect(throws: PayloadError.notJSONContainer) { try codec.messagePayload(fromItem: other, format: .json) }
        let broken = ItemPayload.encode(Element("json", namespace: "urn:xmpp:json:0", text: "{oops"))
        #expect(throws: PayloadError.notJSON(offset: 1)) { try codec.messagePayload(fromItem: broken, format: .json) }
    }

    // MARK: xml

    @Test func xmlKeepsNamespacesAttributesAndText() throws {
        let message = """
            <?xml version="1.0" encoding="UTF-8"?>
            <r:reading xmlns:r="urn:example:sensor" xmlns:x="urn:example:ext" unit="C" x:calibrated="yes">\
            <r:value>21.5</r:value> <note xmlns="">a &amp; b</note><x:extra/></r:reading>

            """
        let payload = try item(Array(message.utf8), .xml)
        var expected = Element("reading", namespace: "urn:example:sensor", ["unit": "C"])
        expected.attributes.append(Element.Attribute(name: "calibrated", namespace: "urn:example:ext", value: "yes"))
        expected.append(Element("value", namespace: "urn:example:sensor", text: "21.5"))
        expected.children.append(.text(" "))
        expected.append(Element("note", namespace: "", text: "a & b"))
        expected.append(Element("extra", namespace: "urn:example:ext"))
        #expect(ItemPayload.decode(payload) == expected)
        #expect(payload == ItemPayload.encode(expected))
        #expect(try codec.messagePayload(fromItem: payload, format: .xml) == payload)
        #expect(try roundTrip(payload, .xml) == payload)
    }

    @Test func xmlInNoNamespaceStaysInNone() throws {
        let payload = try item(Array("\u{FEFF}<plain a='1'>x</plain>".utf8), .xml)
        #expect(ItemPayload.decode(payload) == Element("plain", namespace: "", ["a": "1"], text: "x"))
    }

    @Test(arguments: [
        "<a/><b/>", "text <a/>", "<a/> tail", "<a>", "<a></b>", "just text", "<!-- c --><a/>", "<a/><!-- c -->",
        "<?pi x?><a/>", "<!DOCTYPE a><a/>", "<a/></r><b/>", "<a/></r>", "</r><a/>", "<p:a/>",
        "<?xml version='1.0'?><?xml version='1.0'?><a/>", "<?xml?><a/>", "<?xml encoding='UTF-8'?><a/>",
        "<?xml version='1.0' bogus='1'?><a/>", "<?xml version='1.0'", " <?xml version='1.0'?><a/>",
        "<a>&ent;</a>", "<a/>\u{0}",
    ])
    func xmlRejectsAnythingButOneElement(_ text: String) {
        #expect(rejection(Array(text.utf8), .xml) == .notOneElement, "\(text.debugDescription)")
    }

    @Test func xmlRejectsOtherEncodingsAndInvalidUTF8() {
        #expect(rejection(Array("<?xml version='1.0' encoding='ISO-8859-1'?><a/>".utf8), .xml)
            == .unsupportedEncoding("ISO-8859-1"))
        #expect(rejection([0x3C, 0x61, 0xE9, 0x2F, 0x3E], .xml) == .notUTF8)
    }

    // MARK: every format

    @Test(arguments: PayloadFormat.allCases)
    func emptyMessageIsNeverAnItem(_ format: PayloadFormat) throws {
        #expect(try codec.itemPayload(fromMessage: [], format: format) == .empty)
    }

    @Test(arguments: PayloadFormat.allCases)
    func oversizedMessageIsRefusedBeforeConversion(_ format: PayloadFormat) throws {
        let small = PayloadCodec(maximumMessageBytes: 8)
        #expect(throws: PayloadError.tooLarge(bytes: 9, limit: 8)) {
            try small.itemPayload(fromMessage: Array("123456789".utf8), format: format)
        }
        let fits = format == .xml ? "<a>12</a>" : "12345678"
        #expect(throws: Never.self) {
            try PayloadCodec(maximumMessageBytes: fits.utf8.count).itemPayload(fromMessage: Array(fits.utf8), format: format)
        }
    }

    @Test(arguments: PayloadFormat.allCases)
    func itemWithoutPayloadIsNotForwarded(_ format: PayloadFormat) {
        #expect(throws: PayloadError.emptyItem) { try codec.messagePayload(fromItem: [], format: format) }
    }
}
