/// How a bridge mapping converts between an MQTT application message payload (MQTT 3.1.1 §3.3.3:
/// opaque bytes) and a pubsub item payload (XEP-0060 §7.1: one XML element). See ``PayloadCodec``.
public enum PayloadFormat: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Any bytes, carried as Base64 in `<data xmlns='urn:starling:mqtt:0'/>`; bit-exact both ways.
    case raw
    /// UTF-8 text in `<text xmlns='urn:starling:mqtt:0'/>`, whitespace kept.
    case text
    /// RFC 8259 JSON text in a XEP-0335 `<json xmlns='urn:xmpp:json:0'/>` container.
    case json
    /// One XML element, which becomes the item payload itself.
    case xml

    /// The configuration word (`raw`, `text`, `json`, `xml`); nil for anything else.
    public init?(configValue: String) {
        self.init(rawValue: configValue)
    }

    public var configValue: String { rawValue }
    public var description: String { rawValue }
}
