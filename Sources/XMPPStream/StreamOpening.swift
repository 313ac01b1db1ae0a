import XMPPCore

/// The server's side of stream opening and closing (RFC 6120 §4.2, §4.4, §4.7).
///
/// ```
/// S: <?xml version='1.0'?><stream:stream xmlns='jabber:client'
///      xmlns:stream='http://etherx.jabber.org/streams' from='example.net' to='juliet@example.net'
///      id='t7AMCin9zjMNwQKDnplntZPIDEI=' version='1.0' xml:lang='en'>
/// S: </stream:stream>
/// ```
public enum StreamOpening {
    /// The XML declaration and the stream header; nil attributes are left out. Values are escaped.
    public static func header(
        from: String?,
        to: String?,
        id: String?,
        version: String? = "1.0",
        language: String? = "en",
        contentNamespace: String = Namespace.client
    ) -> String {
        var writer = XMLWriter()
        writer.raw("<?xml version='1.0'?><stream:stream xmlns='")
        writer.escaped(contentNamespace, attribute: true)
        writer.raw("' xmlns:stream='http://etherx.jabber.org/streams'")
        for (name, value) in [("from", from), ("to", to), ("id", id), ("version", version), ("xml:lang", language)] {
            guard let value else { continue }
            writer.raw(" \(name)='")
            writer.escaped(value, attribute: true)
            writer.byte(UInt8(ascii: "'"))
        }
        writer.byte(UInt8(ascii: ">"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The closing tag of the stream (RFC 6120 §4.4).
    public static let closing = "</stream:stream>"
}
