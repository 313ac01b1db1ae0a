import NIOCore
import XMPPCore
import XMPPStream

/// The payload of a pubsub item as the domain stores it: the item's single child element serialized
/// once, as bytes (XEP-0060 §7.1, "Payloads are stored and delivered byte-exact").
///
/// The bytes are XMPPStream's serialization of the element written as if no default namespace were in
/// scope, so they are self-contained: the root declares its `xmlns`, children in another namespace
/// declare theirs, attributes and text (whitespace included) are kept, characters are escaped per
/// XML 1.0. Prefixes a client used are not kept (XML Namespaces make them insignificant); everything
/// else round-trips: `decode(encode(e)) == e`, and embedding the decoded element in an `<item/>` and
/// serializing it writes the stored bytes again.
public enum ItemPayload {
    /// The bytes stored for `element`.
    public static func encode(_ element: Element) -> [UInt8] {
        var buffer = ByteBuffer()
        element.write(to: &buffer, streamNamespace: "")
        return Array(buffer.readableBytesView)
    }

    /// The element stored as `bytes`; nil when they are empty (a notification-only item) or not one
    /// XML element (a payload published by a non-XMPP producer, e.g. the MQTT bridge, in raw form).
    ///
    /// Parsed by a fresh ``XMLStreamParser`` inside a wrapper root that binds no default namespace, so
    /// a payload in no namespace stays in none. Call once per event, not once per recipient.
    public static func decode(_ bytes: [UInt8]) -> Element? {
        guard !bytes.isEmpty else { return nil }
        let parser = XMLStreamParser(limits: XMLStreamLimits(
            maxStanzaBytes: bytes.count + 64, maxDepth: 256, maxAttributes: 256
        ))
        var buffer = ByteBuffer()
        buffer.writeString("<stream:stream xmlns:stream='\(Namespace.streams)'>")
        buffer.writeBytes(bytes)
        buffer.writeString("</stream:stream>")
        var events: [StreamEvent] = []
        do {
            try parser.feed(buffer, into: &events)
        } catch {
            return nil
        }
        var found: Element?
        for event in events {
            guard case .element(let element) = event else { continue }
            guard found == nil else { return nil }  // more than one element: not an item payload
            found = element
        }
        return found
    }
}
