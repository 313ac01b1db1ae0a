import Foundation
import PubSubXMPP
import XMPPCore

/// Converts MQTT application message payloads (MQTT 3.1.1 §3.3.3: any bytes, zero length allowed)
/// to pubsub item payloads (XEP-0060 §7.1: one element, stored as its serialized bytes by
/// `ItemPayload.encode`) and back, per ``PayloadFormat``:
///
/// | format | MQTT → item | item → MQTT |
/// |---|---|---|
/// | raw | `<data xmlns='urn:starling:mqtt:0'>` Base64 (RFC 4648 §4, no line breaks) `</data>` | that element's bytes, bit-exact; any other payload as stored |
/// | text | UTF-8 → `<text xmlns='urn:starling:mqtt:0'>` text `</text>`, whitespace kept | the element's text content |
/// | json | RFC 8259 JSON → XEP-0335 `<json xmlns='urn:xmpp:json:0'>` text `</json>` | the `<json/>` text, bytes as received |
/// | xml | exactly one element (an XML declaration and surrounding whitespace allowed) → that element | the stored element bytes |
///
/// A zero-length message is never an item: it is how MQTT clears a retained message (§3.3.1.3), so
/// inbound it is ``InboundPayload/empty`` whatever the format. Pure computation, no I/O.
public struct PayloadCodec: Hashable, Sendable {
    /// The namespace of the bridge's own payload wrappers `<data/>` and `<text/>`.
    public static let namespace = "urn:starling:mqtt:0"
    /// XEP-0335 §2.
    public static let jsonNamespace = "urn:xmpp:json:0"
    /// The default ``maximumMessageBytes``: 256 KiB.
    public static let defaultMaximumMessageBytes = 262_144

    /// The largest inbound MQTT payload converted; larger ones are ``PayloadError/tooLarge(bytes:limit:)``.
    /// A raw payload grows by a third as Base64, so the item is up to 4/3 of this.
    public let maximumMessageBytes: Int

    public init(maximumMessageBytes: Int = Self.defaultMaximumMessageBytes) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// What an inbound message becomes.
    public enum InboundPayload: Hashable, Sendable {
        /// The item payload bytes to publish.
        case item([UInt8])
        /// A zero-length message (a retained-message clear, MQTT 3.1.1 §3.3.1.3): no item.
        case empty
    }

    // MARK: - MQTT → item

    public func itemPayload(fromMessage bytes: [UInt8], format: PayloadFormat) throws(PayloadError) -> InboundPayload {
        guard !bytes.isEmpty else { return .empty }
        guard bytes.count <= maximumMessageBytes else {
            throw .tooLarge(bytes: bytes.count, limit: maximumMessageBytes)
        }
        switch format {
        case .raw:
            let base64 = Data(bytes).base64EncodedString()
            return .item(ItemPayload.encode(Element("data", namespace: Self.namespace, text: base64)))
        case .text:
            let text = try Self.xmlText(bytes)
            return .item(ItemPayload.encode(Element("text", namespace: Self.namespace, text: text)))
        case .json:
            let text = try Self.xmlText(bytes)
            do {
                try JSONText.validate(bytes)
            } catch {
                throw .notJSON(offset: error.offset)
            }
            return .item(ItemPayload.encode(Element("json", namespace: Self.jsonNamespace, text: text)))
        case .xml:
            return .item(ItemPayload.encode(try XMLMessage.element(from: bytes)))
        }
    }

    // MARK: - item → MQTT

    /// The MQTT payload for an item's stored payload bytes.
    public func messagePayload(fromItem bytes: [UInt8], format: PayloadFormat) throws(PayloadError) -> [UInt8] {
        guard !bytes.isEmpty else { throw .emptyItem }
        switch format {
        case .xml:
            return bytes
        case .raw:
            guard let element = ItemPayload.decode(bytes),
                  element.name == "data", element.namespace == Self.namespace
            else { return bytes }
            // XMPP publishers may wrap Base64 across lines; the alphabet has no XML whitespace.
            let base64 = element.text.filter { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r") }
            guard let data = Data(base64Encoded: base64) else { throw .invalidBase64 }
            return [UInt8](data)
        case .text:
            guard let element = ItemPayload.decode(bytes) else {
                guard String(validating: bytes, as: UTF8.self) != nil else { throw .notUTF8 }
                return bytes
            }
            if element.name == "text", element.namespace == Self.namespace {
                return Array(element.text.utf8)
            }
            var text = ""
            Self.appendTextContent(of: element, to: &text)
            return Array(text.utf8)
        case .json:
            let json: [UInt8]
            if let element = ItemPayload.decode(bytes) {
                guard element.name == "json", element.namespace == Self.jsonNamespace else { throw .notJSONContainer }
                json = Array(element.text.utf8)
            } else {
                json = bytes
            }
            // XEP-0335 §4: "Implementations SHOULD validate JSON they receive and intend to use".
            do {
                try JSONText.validate(json)
            } catch {
                throw .notJSON(offset: error.offset)
            }
            return json
        }
    }

    // MARK: - Helpers

    /// The bytes as a string an XML text node can hold: UTF-8, and only XML 1.0 §2.2 `Char`s.
    static func xmlText(_ bytes: [UInt8]) throws(PayloadError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        var offset = 0
        for scalar in text.unicodeScalars {
            guard scalar.isXMLCharacter else { throw .notXMLCharacter(offset: offset) }
            offset += UTF8.width(scalar)
        }
        return text
    }

    /// The concatenated character data of `element` and its descendants, in document order (the
    /// XPath string-value).
    private static func appendTextContent(of element: Element, to text: inout String) {
        for child in element.children {
            switch child {
            case .text(let string): text += string
            case .element(let nested): appendTextContent(of: nested, to: &text)
            }
        }
    }
}

extension Unicode.Scalar {
    /// XML 1.0 §2.2: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
    /// (scalars are never surrogates).
    var isXMLCharacter: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xFFFD: true
        case 0x10000...: true
        default: false
        }
    }
}
