import NIOCore
@testable import XMPPServer
import Testing
import XMPPCore

/// The envelope writer escapes what XML 1.0 §2.3 requires in attribute values, byte-exact, and
/// writes JIDs part by part as their string form would read.
@Suite struct XMLEscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a&b<c>d'e\"f", "a&amp;b&lt;c&gt;d&apos;e&quot;f"),
        ("ünïcødé 🎉 €", "ünïcødé 🎉 €"),
        ("", ""),
    ])
    func attributeValues(raw: String, escaped: String) {
        var buffer = ByteBuffer()
        XMLEscaping.writeAttribute(raw, to: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == escaped)
        #expect(XMLEscaping.attribute(raw) == escaped)
    }

    @Test func jidsAsTheirStringFormEscaped() throws {
        // A resourcepart may hold characters that need escaping (RFC 7622 §3.4 FreeformClass).
        for text in ["example.com", "juliet@example.com", "juliet@example.com/balcony & 'garden' <2>"] {
            let jid = try JID(text)
            var buffer = ByteBuffer()
            XMLEscaping.writeAttribute(jid, to: &buffer)
            #expect(buffer.readString(length: buffer.readableBytes) == XMLEscaping.attribute(jid.description))
        }
    }
}
