/// Why a payload could not be converted. Inbound (MQTT → item) errors mean the message is dropped
/// and counted; outbound (item → MQTT) errors mean the item is not forwarded by that mapping. Never a
/// crash: both sides are peer input.
public enum PayloadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Larger than the configured limit (checked before any work).
    case tooLarge(bytes: Int, limit: Int)
    /// `text`, `json` and `xml` payloads must be UTF-8 (XEP-0335 §4 for JSON).
    case notUTF8
    /// A character XML 1.0 §2.2 excludes (most C0 controls, U+FFFE, U+FFFF), which no item can carry.
    case notXMLCharacter(offset: Int)
    /// Not RFC 8259 JSON text; `offset` is the byte where it stops being JSON.
    case notJSON(offset: Int)
    /// `xml`: not exactly one well-formed element (optionally after an XML declaration).
    case notOneElement
    /// `xml`: the XML declaration names an encoding other than UTF-8.
    case unsupportedEncoding(String)
    /// Outbound `json`: the item's payload is not a XEP-0335 `<json/>` element.
    case notJSONContainer
    /// Outbound `raw`: a `<data xmlns='urn:starling:mqtt:0'/>` whose text is not Base64.
    case invalidBase64
    /// Outbound: the item has no payload (XEP-0060 §7.1.3 notification-only), so there is nothing to
    /// publish; an empty retained message would clear the topic instead (MQTT 3.1.1 §3.3.1.3).
    case emptyItem

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "payload is \(bytes) bytes, the limit is \(limit)"
        case .notUTF8: "payload is not UTF-8"
        case .notXMLCharacter(let offset): "payload has a character XML 1.0 does not allow at byte \(offset)"
        case .notJSON(let offset): "payload is not JSON (RFC 8259), error at byte \(offset)"
        case .notOneElement: "payload is not exactly one well-formed XML element"
        case .unsupportedEncoding(let encoding): "XML declaration names encoding '\(encoding)', only UTF-8 is accepted"
        case .notJSONContainer: "item payload is not a <json xmlns='urn:xmpp:json:0'/> element (XEP-0335)"
        case .invalidBase64: "item payload <data/> does not hold Base64"
        case .emptyItem: "item has no payload"
        }
    }
}
