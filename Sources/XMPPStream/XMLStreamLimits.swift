/// Per-connection limits enforced while parsing an XML stream. Exceeding one ends the stream with
/// `<policy-violation/>` (RFC 6120 §4.9.3.14): RFC 6120 §13.12 asks servers to bound stanza size and
/// nesting, and libxml2 has no built-in bound that matters for a push parser.
public struct XMLStreamLimits: Hashable, Sendable {
    /// Bytes of one top-level element (a stanza, `<auth/>`, …), counted from the end of the previous
    /// one, including bytes received but not yet parsed (an endless text node or start tag).
    public var maxStanzaBytes: Int
    /// Element nesting below the stream root: a stanza is at depth 1, its children at depth 2.
    public var maxDepth: Int
    /// Attributes per element, namespace declarations included.
    public var maxAttributes: Int

    public init(maxStanzaBytes: Int = 262_144, maxDepth: Int = 32, maxAttributes: Int = 64) {
        self.maxStanzaBytes = maxStanzaBytes
        self.maxDepth = maxDepth
        self.maxAttributes = maxAttributes
    }
}
