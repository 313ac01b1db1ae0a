import CLibXML2
import XMPPCore

// The libxml2 SAX2 callbacks. They are C function pointers that capture nothing; each recovers the
// parser from the user-data pointer given to xmlCreatePushParserCtxt.

private func parser(_ userData: UnsafeMutableRawPointer?) -> XMLStreamParser? {
    guard let userData else { return nil }
    return Unmanaged<XMLStreamParser>.fromOpaque(userData).takeUnretainedValue()
}

extension XMLStreamParser {
    static func makeSAXHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        // SAX2: namespace-aware startElementNs/endElementNs and the structured error callback.
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startDocument = { parser($0)?.startDocument() }
        handler.startElementNs = { userData, localName, prefix, uri, namespaceCount, namespaces,
                                   attributeCount, _, attributes in
            guard let localName else { return }
            parser(userData)?.startElement(
                localName: localName, prefix: prefix, uri: uri,
                namespaceCount: Int(namespaceCount), namespaces: namespaces,
                attributeCount: Int(attributeCount), attributes: attributes)
        }
        handler.endElementNs = { userData, _, _, _ in parser(userData)?.endElement() }
        handler.characters = { userData, bytes, length in
            guard let bytes else { return }
            parser(userData)?.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.ignorableWhitespace = handler.characters
        handler.cdataBlock = handler.characters
        // RFC 6120 §11.1: no DTD, comments, processing instructions or entity references. The
        // DOCTYPE callback fires before any declaration inside it is parsed.
        handler.internalSubset = { userData, _, _, _ in
            parser(userData)?.fail(.restrictedXML, "DOCTYPE is not allowed")
        }
        handler.externalSubset = handler.internalSubset
        handler.comment = { userData, _ in parser(userData)?.fail(.restrictedXML, "comments are not allowed") }
        handler.processingInstruction = { userData, _, _ in
            parser(userData)?.fail(.restrictedXML, "processing instructions are not allowed")
        }
        // Only asked for names other than the five predefined entities.
        handler.getEntity = { userData, _ in
            parser(userData)?.fail(.restrictedXML, "entity references are not allowed")
            return nil
        }
        handler.getParameterEntity = handler.getEntity
        handler.serror = { userData, error in
            guard let error else { return }
            parser(userData)?.libxmlError(code: Int(error.pointee.code), level: error.pointee.level)
        }
        return handler
    }

    // MARK: - Callbacks

    /// Called after the XML declaration, or before the root when there is none. RFC 6120 §11.6:
    /// UTF-8 only, so a declared encoding other than UTF-8 or a UTF-16 byte order mark ends here.
    fileprivate func startDocument() {
        guard failure == nil, let context else { return }
        if let declared = context.pointee.encoding {
            let name = String(cString: declared).uppercased()
            if name != "UTF-8" && name != "UTF8" {
                return fail(.unsupportedEncoding, "encoding \(name) is not supported")
            }
        }
        if context.pointee.input?.pointee.buf?.pointee.encoder != nil {
            fail(.unsupportedEncoding, "only UTF-8 is supported")
        }
    }

    fileprivate func startElement(
        localName: UnsafePointer<xmlChar>,
        prefix: UnsafePointer<xmlChar>?,
        uri: UnsafePointer<xmlChar>?,
        namespaceCount: Int,
        namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        attributeCount: Int,
        attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        guard failure == nil else { return }
        depth += 1
        if attributeCount + namespaceCount > limits.maxAttributes {
            return fail(.policyViolation, "more than \(limits.maxAttributes) attributes")
        }
        if depth - 1 > limits.maxDepth {
            return fail(.policyViolation, "elements nested deeper than \(limits.maxDepth)")
        }
        // An unbound prefix arrives with a nil namespace; libxml2's own diagnostic for it is a mere
        // warning in some versions, so check here.
        if let prefix, uri == nil {
            return fail(.notWellFormed, "unbound prefix \(String(cString: prefix))")
        }
        guard let attributes = readAttributes(attributes, count: attributeCount) else { return }
        let name = names.string(localName)
        let namespace = uri.map { names.string($0) } ?? ""

        if depth == 1 {
            if priming { return }
            rootTag = Self.rootTag(localName: localName, prefix: prefix, namespaceCount: namespaceCount, namespaces: namespaces)
            var contentNamespace: String?
            if let namespaces {
                for index in 0..<namespaceCount where namespaces[2 * index] == nil {
                    contentNamespace = namespaces[2 * index + 1].map { names.string($0) } ?? ""
                }
            }
            let header = StreamHeader(
                name: name, namespace: namespace, prefix: prefix.map { String(cString: $0) },
                contentNamespace: contentNamespace, attributes: attributes)
            completed.append(.streamStart(header))
            boundary = position
            return
        }
        if position - boundary > limits.maxStanzaBytes {
            return fail(.policyViolation, "stanza exceeds \(limits.maxStanzaBytes) bytes")
        }
        flushText()
        openElements.append(Element(name: name, namespace: namespace, attributes: attributes))
    }

    /// `<prefix:name xmlns='…' xmlns:p='…'>`: the root's name and namespace declarations, without
    /// its other attributes (they were reported with `.streamStart` and matter to nobody after).
    private static func rootTag(
        localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?,
        namespaceCount: Int, namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) -> [UInt8] {
        func append(_ pointer: UnsafePointer<xmlChar>, to tag: inout [UInt8], escaped: Bool = false) {
            var cursor = pointer
            while cursor.pointee != 0 {
                switch cursor.pointee {
                case UInt8(ascii: "&") where escaped: tag += Array("&amp;".utf8)
                case UInt8(ascii: "<") where escaped: tag += Array("&lt;".utf8)
                case UInt8(ascii: "'") where escaped: tag += Array("&apos;".utf8)
                default: tag.append(cursor.pointee)
                }
                cursor += 1
            }
        }
        var tag: [UInt8] = [UInt8(ascii: "<")]
        if let prefix {
            append(prefix, to: &tag)
            tag.append(UInt8(ascii: ":"))
        }
        append(localName, to: &tag)
        if let namespaces {
            for index in 0..<namespaceCount {
                tag += Array(" xmlns".utf8)
                if let declared = namespaces[2 * index] {
                    tag.append(UInt8(ascii: ":"))
                    append(declared, to: &tag)
                }
                tag += Array("='".utf8)
                if let uri = namespaces[2 * index + 1] { append(uri, to: &tag, escaped: true) }
                tag.append(UInt8(ascii: "'"))
            }
        }
        tag.append(UInt8(ascii: ">"))
        return tag
    }

    /// Attributes come as five pointers each: local name, prefix, URI, value start, value end.
    private func readAttributes(
        _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, count: Int
    ) -> [Element.Attribute]? {
        guard count > 0, let attributes else { return [] }
        var result: [Element.Attribute] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let fields = attributes + 5 * index
            guard let localName = fields[0], let start = fields[3], let end = fields[4] else { continue }
            if let prefix = fields[1], fields[2] == nil {
                fail(.notWellFormed, "unbound attribute prefix \(String(cString: prefix))")
                return nil
            }
            let value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
            result.append(Element.Attribute(
                name: names.string(localName), namespace: fields[2].map { names.string($0) }, value: value))
        }
        return result
    }

    fileprivate func endElement() {
        guard failure == nil else { return }
        defer { depth -= 1 }
        if depth == 1 {
            completed.append(.streamEnd)
            boundary = position
            return
        }
        flushText()
        guard let element = openElements.popLast() else { return }
        if openElements.isEmpty {
            if position - boundary > limits.maxStanzaBytes {
                return fail(.policyViolation, "stanza exceeds \(limits.maxStanzaBytes) bytes")
            }
            completed.append(.element(element))
            boundary = position
        } else {
            openElements[openElements.count - 1].children.append(.element(element))
        }
    }

    fileprivate func characters(_ bytes: UnsafeBufferPointer<xmlChar>) {
        guard failure == nil else { return }
        if depth <= 1 {
            // Between top-level elements only whitespace may appear (RFC 6120 §11.7, keepalives §4.6);
            // it also starts the byte count of the next element afresh.
            for byte in bytes where byte != 0x20 && byte != 0x0A && byte != 0x09 && byte != 0x0D {
                return fail(.badFormat, "character data between top-level elements")
            }
            boundary = position
            return
        }
        if position - boundary > limits.maxStanzaBytes {
            return fail(.policyViolation, "stanza exceeds \(limits.maxStanzaBytes) bytes")
        }
        if pendingText.isEmpty {
            pendingText = String(decoding: bytes, as: UTF8.self)
        } else {
            pendingText.append(String(decoding: bytes, as: UTF8.self))
        }
    }

    private func flushText() {
        guard !pendingText.isEmpty, !openElements.isEmpty else { return }
        openElements[openElements.count - 1].children.append(.text(pendingText))
        pendingText = ""
    }

    /// Structured errors from libxml2. Warnings are ignored (an unbound prefix, which some versions
    /// only warn about, is caught in `startElement`); errors and fatal errors end the stream.
    fileprivate func libxmlError(code: Int, level: xmlErrorLevel) {
        guard failure == nil, level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        switch code {
        case Int(XML_ERR_USER_STOP.rawValue):
            return
        case Int(XML_ERR_UNSUPPORTED_ENCODING.rawValue), Int(XML_ERR_UNKNOWN_ENCODING.rawValue),
             Int(XML_ERR_ENCODING_NAME.rawValue):
            fail(.unsupportedEncoding, "only UTF-8 is supported")
        case Int(XML_ERR_INVALID_ENCODING.rawValue) where depth == 0:
            // Bytes that are not UTF-8 before the stream header (UTF-16 without a byte order mark,
            // a declaration of UTF-16 over UTF-8 bytes) mean another encoding; later they are
            // merely ill-formed.
            fail(.unsupportedEncoding, "only UTF-8 is supported")
        case Int(XML_ERR_UNDECLARED_ENTITY.rawValue), Int(XML_WAR_UNDECLARED_ENTITY.rawValue):
            fail(.restrictedXML, "entity references are not allowed")
        default:
            fail(.notWellFormed, "libxml2 error \(code)")
        }
    }
}
