import NIOCore
import XMPPCore

/// Serialization of stanzas and other top-level elements for an XML stream (RFC 6120 §4.8,
/// XML Namespaces): the element is written as a child of the stream root, so it inherits the
/// stream's default namespace and the `stream:` prefix declared there.
extension Element {
    /// Writes the element as a child of a stream whose default namespace is `streamNamespace`.
    /// - An element in the inherited default namespace gets no `xmlns`; one in another namespace
    ///   declares it (an element in no namespace writes `xmlns=''`).
    /// - Elements in `Namespace.streams` (`stream:features`, `stream:error`) use the `stream:`
    ///   prefix declared on the stream header and leave the default namespace unchanged.
    /// - `xml:lang` and other `Namespace.xml` attributes use the predeclared `xml:` prefix; other
    ///   namespaced attributes get a generated prefix declared on the element.
    /// - Text and attribute values are escaped per XML 1.0 §2.4 and §3.3.3, so that they parse back
    ///   unchanged (CR, and tab/newline in attributes, as character references).
    public func write(to buffer: inout ByteBuffer, streamNamespace: String = Namespace.client) {
        // Built in a local array and copied once: many small ByteBuffer writes cost more than the
        // bytes themselves.
        var writer = XMLWriter()
        write(to: &writer, defaultNamespace: streamNamespace)
        buffer.writeBytes(writer.bytes)
    }

    /// The serialized form as a string, for tests and logs.
    public func serialized(streamNamespace: String = Namespace.client) -> String {
        var writer = XMLWriter()
        write(to: &writer, defaultNamespace: streamNamespace)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func write(to writer: inout XMLWriter, defaultNamespace: String) {
        writer.byte(UInt8(ascii: "<"))
        let childNamespace: String
        if namespace == Namespace.streams {
            writer.raw("stream:")
            writer.raw(name)
            childNamespace = defaultNamespace
        } else {
            writer.raw(name)
            if namespace != defaultNamespace {
                writer.raw(" xmlns='")
                writer.escaped(namespace, attribute: true)
                writer.byte(UInt8(ascii: "'"))
            }
            childNamespace = namespace
        }
        writeAttributes(to: &writer)
        if children.isEmpty {
            writer.raw("/>")
            return
        }
        writer.byte(UInt8(ascii: ">"))
        for child in children {
            switch child {
            case .element(let element):
                element.write(to: &writer, defaultNamespace: childNamespace)
            case .text(let text):
                writer.escaped(text, attribute: false)
            }
        }
        writer.raw("</")
        if namespace == Namespace.streams { writer.raw("stream:") }
        writer.raw(name)
        writer.byte(UInt8(ascii: ">"))
    }

    private func writeAttributes(to writer: inout XMLWriter) {
        // Generated prefixes for namespaced attributes, declared on this element only.
        var declared: [String] = []
        for attribute in attributes {
            writer.byte(UInt8(ascii: " "))
            if let attributeNamespace = attribute.namespace {
                if attributeNamespace == Namespace.xml {
                    writer.raw("xml:")
                } else {
                    let index: Int
                    if let existing = declared.firstIndex(of: attributeNamespace) {
                        index = existing
                    } else {
                        index = declared.count
                        declared.append(attributeNamespace)
                        writer.raw("xmlns:ns\(index)='")
                        writer.escaped(attributeNamespace, attribute: true)
                        writer.raw("' ")
                    }
                    writer.raw("ns\(index):")
                }
            }
            writer.raw(attribute.name)
            writer.raw("='")
            writer.escaped(attribute.value, attribute: true)
            writer.byte(UInt8(ascii: "'"))
        }
    }
}

/// Accumulates serialized XML. Escaping copies runs of ordinary bytes in one call and handles
/// only the special bytes one by one.
struct XMLWriter {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func byte(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func raw(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    /// XML 1.0 §2.4 and §3.3.3: `&` and `<` always, `>` so that `]]>` never appears, CR so that
    /// line-end normalization keeps it; in attributes also both quotes and tab/newline, which
    /// attribute-value normalization would turn into spaces.
    mutating func escaped(_ string: String, attribute: Bool) {
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let replacement: StaticString
                switch utf8[index] {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case 0x0D: replacement = "&#13;"
                case UInt8(ascii: "'") where attribute: replacement = "&apos;"
                case UInt8(ascii: "\"") where attribute: replacement = "&quot;"
                case 0x0A where attribute: replacement = "&#10;"
                case 0x09 where attribute: replacement = "&#9;"
                default: continue
                }
                if runStart < index {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                runStart = index + 1
            }
            if runStart < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
    }
}
