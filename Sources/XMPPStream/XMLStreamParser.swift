import CLibXML2
import NIOCore
import XMPPCore

/// Incremental parser for one XML stream (RFC 6120 §4), on libxml2's SAX2 push parser.
///
/// Bytes go in as they arrive; complete events come out: `.streamStart` for the root's start tag,
/// `.element` for each complete top-level element, `.streamEnd` for `</stream:stream>`. Whitespace
/// between top-level elements (RFC 6120 §11.7; whitespace keepalives, §4.6) is skipped.
///
/// Errors are the stream errors RFC 6120 names:
/// - `restricted-xml` (§4.9.3.18, §11.1): DOCTYPE, comments, processing instructions, entity
///   references other than the five predefined ones. A DTD is refused before any of it is used, so
///   entity expansion attacks never expand.
/// - `not-well-formed` (§4.9.3.13, §11.3): anything libxml2 rejects, namespace errors included,
///   and unbound prefixes (Namespaces in XML 1.0, "Prefix Declared").
/// - `unsupported-encoding` (§4.9.3.22, §11.6): any encoding but UTF-8.
/// - `bad-format` (§4.9.3.1): character data other than whitespace between top-level elements.
/// - `policy-violation` (§4.9.3.14): an `XMLStreamLimits` bound exceeded.
///
/// One per connection, used on one event loop; not Sendable. After a throw the parser stays failed
/// (every `feed` throws the same error) until `reset()`.
public final class XMLStreamParser {
    public let limits: XMLStreamLimits
    /// Nil only when libxml2 could not allocate a context.
    private(set) var context: xmlParserCtxtPtr?

    // Parse state, touched by the SAX callbacks in XMLStreamParser+SAX.swift.
    /// libxml2 element depth: 0 before the root, 1 inside the stream root, 2 inside a stanza.
    var depth = 0
    /// Open elements below the root, outermost first.
    var openElements: [Element] = []
    /// Character data not yet appended to the innermost open element; libxml2 may deliver one text
    /// node in several pieces.
    var pendingText = ""
    /// Events completed during the current `feed`.
    var completed: [StreamEvent] = []
    /// The first error; sticky until `reset()`.
    var failure: StreamError?
    /// Stream offset where the current top-level element's bytes begin (end of the previous one).
    var boundary = 0
    /// Bytes handed to libxml2 since the stream (re)started.
    var fedBytes = 0
    var names = NameTable()
    /// The root's start tag rebuilt from its qualified name and namespace declarations, which is
    /// all the parse state an idle stream needs: a fresh context fed this is back inside the root.
    var rootTag: [UInt8]?
    /// True while a fresh context parses `rootTag`: its start tag is not a new `.streamStart`.
    var priming = false
    /// The context was freed by `releaseMemory()`; the next `feed` makes a new one.
    private var released = false

    /// Bytes given to libxml2 per call, so that a large read is checked against the limits before
    /// all of it is buffered.
    private static let sliceSize = 16_384

    public init(limits: XMLStreamLimits = .init()) {
        self.limits = limits
        var handler = Self.makeSAXHandler()
        let userData = Unmanaged.passUnretained(self).toOpaque()
        context = xmlCreatePushParserCtxt(&handler, userData, nil, 0, nil)
        applyOptions()
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    /// libxml2 keeps process-wide tables that it initialises lazily, which is not thread-safe in
    /// 2.9. Call once at startup, before parsers are used on several threads; idempotent.
    public static func initializeLibrary() {
        xmlInitParser()
    }

    /// Parses `bytes`, appending complete events in order. On a throw, `events` holds the events
    /// completed before the error, and the parser is dead until `reset()`.
    public func feed(_ bytes: ByteBuffer, into events: inout [StreamEvent]) throws(StreamError) {
        if let failure { throw failure }
        if released { resume() }
        guard let context else {
            let error = StreamError(.internalServerError, text: "XML parser unavailable")
            failure = error
            throw error
        }
        bytes.withUnsafeReadableBytes { raw in
            guard var next = raw.baseAddress else { return }
            var remaining = raw.count
            while remaining > 0, failure == nil {
                let size = min(remaining, Self.sliceSize)
                fedBytes += size
                let status = next.withMemoryRebound(to: CChar.self, capacity: size) {
                    xmlParseChunk(context, $0, Int32(size), 0)
                }
                if failure == nil, status != 0 {
                    failure = StreamError(.notWellFormed, text: "libxml2 error \(status)")
                }
                if failure == nil, fedBytes - boundary > limits.maxStanzaBytes {
                    failure = StreamError(.policyViolation, text: "stanza exceeds \(limits.maxStanzaBytes) bytes")
                }
                next += size
                remaining -= size
            }
        }
        if !completed.isEmpty {
            events.append(contentsOf: completed)
            completed.removeAll(keepingCapacity: true)
        }
        if let failure {
            // Release what the broken stanza accumulated; the connection is about to close.
            openElements = []
            pendingText = ""
            throw failure
        }
    }

    /// Frees libxml2's context (input buffers, dictionary, node stacks: ≈ 15 KiB) and the name
    /// table while the stream sits between top-level elements with nothing unparsed, which is where
    /// an idle connection spends its life. The next `feed` creates a context primed with the
    /// root's start tag and carries on as if nothing happened. Returns whether it released.
    @discardableResult
    public func releaseMemory() -> Bool {
        guard failure == nil, !released, depth == 1, openElements.isEmpty, pendingText.isEmpty,
              rootTag != nil, let context, let input = context.pointee.input,
              var cursor = input.pointee.cur, let end = input.pointee.end
        else { return false }
        // libxml2 holds back trailing whitespace (a keepalive, RFC 6120 §4.6.1) until it sees what
        // follows; between top-level elements it means nothing, so it may go with the context.
        while cursor < end {
            switch cursor.pointee {
            case 0x20, 0x0A, 0x09, 0x0D: cursor += 1
            default: return false
            }
        }
        xmlFreeParserCtxt(context)
        self.context = nil
        released = true
        names.removeAll()
        completed = []
        openElements = []
        return true
    }

    /// A new context, fed the root's start tag without reporting it: the state `releaseMemory()` left.
    private func resume() {
        released = false
        var handler = Self.makeSAXHandler()
        context = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(self).toOpaque(), nil, 0, nil)
        applyOptions()
        guard let context, let rootTag else { return }
        depth = 0
        priming = true
        let status = rootTag.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { xmlParseChunk(context, $0.baseAddress, Int32($0.count), 0) }
        }
        priming = false
        if failure == nil, status != 0 || depth != 1 {
            failure = StreamError(.internalServerError, text: "XML parser could not resume")
        }
        fedBytes = position
        boundary = fedBytes
    }

    /// Stream restart (RFC 6120 §4.3.3, after STARTTLS `<proceed/>` or SASL `<success/>`): discards
    /// everything buffered and any error, and expects a new stream header, optionally preceded by an
    /// XML declaration. Call between `feed` calls, never from inside one.
    public func reset() {
        if released {
            released = false
            var handler = Self.makeSAXHandler()
            context = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(self).toOpaque(), nil, 0, nil)
        } else if let context {
            xmlCtxtResetPush(context, nil, 0, nil, nil)
        }
        applyOptions()
        rootTag = nil
        depth = 0
        openElements = []
        pendingText = ""
        completed = []
        failure = nil
        boundary = 0
        fedBytes = 0
        names.removeAll()
    }

    private func applyOptions() {
        guard let context else { return }
        // NONET: never fetch anything. NOCDATA: CDATA sections arrive as ordinary characters.
        // NOENT: without it libxml2 hands `&amp;` and `&#38;` in attribute values over as the text
        // "&#38;" for a DOM builder to re-parse. It substitutes nothing else here: a DOCTYPE stops
        // the parser before any entity can be declared, and `getEntity` refuses every other name.
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOENT.rawValue
        xmlCtxtUseOptions(context, Int32(options))
    }

    // MARK: - Helpers for the callbacks

    /// Offset in the stream just past what libxml2 has parsed. Only UTF-8 is accepted, so parsed
    /// bytes are received bytes.
    var position: Int {
        guard let input = context?.pointee.input else { return fedBytes }
        return Int(input.pointee.consumed) + (input.pointee.cur - input.pointee.base)
    }

    /// Records the first error and stops libxml2 at once (`xmlParseChunk` then returns
    /// XML_ERR_USER_STOP).
    func fail(_ condition: StreamError.Condition, _ text: String) {
        guard failure == nil else { return }
        failure = StreamError(condition, text: text)
        if let context { xmlStopParser(context) }
    }
}
