import XMPPCore

/// What the stream parser reports, in document order (RFC 6120 §4.1: a stream is one XML document
/// whose root's direct children are the stanzas and negotiation elements).
public enum StreamEvent: Hashable, Sendable {
    /// The root element's start tag was read (RFC 6120 §4.7).
    case streamStart(StreamHeader)
    /// A complete top-level element: a stanza, `<starttls/>`, `<auth/>`, `<stream:error/>` …
    case element(Element)
    /// `</stream:stream>` (RFC 6120 §4.4).
    case streamEnd
}
