import NIOCore
import XMPPCore
import XMPPStream

/// An MQTT payload in the `xml` format: one XML document whose content is exactly one element.
///
/// Accepted: an optional UTF-8 byte order mark (XML 1.0 §4.3.3), an optional XML declaration
/// (§2.8) naming UTF-8 or no encoding, whitespace, one element, whitespace. Anything else — a second
/// element, text, a comment, a processing instruction, a DOCTYPE (RFC 6120 §11.1 restrictions, which
/// the stream parser enforces) — is ``PayloadError/notOneElement``.
enum XMLMessage {
    static func element(from bytes: [UInt8]) throws(PayloadError) -> Element {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .notUTF8 }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        body = try droppingDeclaration(body)
        while let first = body.first, first.isXMLWhitespace { body = body.dropFirst() }
        while let last = body.last, last.isXMLWhitespace { body = body.dropLast() }
        guard body.first == UInt8(ascii: "<"), body.last == UInt8(ascii: ">") else { throw .notOneElement }
        return try parse(body)
    }

    /// Parses `body` as the only child of a wrapper root, fed in two steps so that a payload which
    /// closes the wrapper itself (`<a/></r><b/>`) is caught: the root may end only in the second step.
    private static func parse(_ body: ArraySlice<UInt8>) throws(PayloadError) -> Element {
        let parser = XMLStreamParser(limits: XMLStreamLimits(
            maxStanzaBytes: body.count + 64, maxDepth: 256, maxAttributes: 256))
        // No default namespace bound, so a payload in no namespace stays in none (as ItemPayload.decode).
        var opening = ByteBuffer()
        opening.writeString("<r>")
        opening.writeBytes(body)
        var closing = ByteBuffer()
        closing.writeString("</r>")
        var events: [StreamEvent] = []
        do {
            try parser.feed(opening, into: &events)
            guard !events.contains(.streamEnd) else { throw PayloadError.notOneElement }
            try parser.feed(closing, into: &events)
        } catch {
            throw .notOneElement
        }
        guard events.count == 3, case .streamStart = events[0], case .element(let element) = events[1],
              events[2] == .streamEnd
        else { throw .notOneElement }
        return element
    }

    /// Removes `<?xml version=… encoding=… standalone=…?>` when the payload starts with it.
    private static func droppingDeclaration(_ body: ArraySlice<UInt8>) throws(PayloadError) -> ArraySlice<UInt8> {
        let opening = Array("<?xml".utf8)
        guard body.starts(with: opening) else { return body }
        let afterName = body.index(body.startIndex, offsetBy: opening.count)
        // `<?xml-stylesheet …?>` is a processing instruction, not a declaration: refused later.
        guard afterName < body.endIndex, body[afterName].isXMLWhitespace else { return body }
        guard let end = firstIndex(of: Array("?>".utf8), in: body[afterName...]) else { throw .notOneElement }
        let pseudoAttributes = try parsePseudoAttributes(body[afterName..<end])
        guard pseudoAttributes.first?.name == "version" else { throw .notOneElement }
        if let encoding = pseudoAttributes.first(where: { $0.name == "encoding" })?.value,
           encoding.lowercased() != "utf-8" {
            throw .unsupportedEncoding(encoding)
        }
        return body[(end + 2)...]
    }

    /// `name="value"` pairs of the declaration (§2.8 `VersionInfo EncodingDecl? SDDecl?`); only the
    /// three names §2.8 defines are allowed.
    private static func parsePseudoAttributes(
        _ text: ArraySlice<UInt8>
    ) throws(PayloadError) -> [(name: String, value: String)] {
        guard let string = String(validating: text, as: UTF8.self) else { throw .notUTF8 }
        var rest = Substring(string)
        var result: [(name: String, value: String)] = []
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            if rest.isEmpty { break }
            guard let equals = rest.firstIndex(of: "=") else { throw .notOneElement }
            let name = rest[..<equals].trimmingSuffix { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { throw .notOneElement }
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: quote) else { throw .notOneElement }
            let value = String(rest[..<close])
            rest = rest[rest.index(after: close)...]
            guard ["version", "encoding", "standalone"].contains(name),
                  !result.contains(where: { $0.name == name }) else { throw .notOneElement }
            result.append((String(name), value))
        }
        return result
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

extension UInt8 {
    /// XML 1.0 §2.3 `S`.
    fileprivate var isXMLWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return result
    }
}
