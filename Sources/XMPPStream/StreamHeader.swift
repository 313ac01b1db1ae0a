import XMPPCore

/// The opening tag of an XML stream, RFC 6120 §4.7:
/// `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'
/// to='example.net' version='1.0' xml:lang='en'>`.
///
/// The parser reports what it read; checking the name, namespace (§4.9.3.10 `invalid-namespace`),
/// prefix (§4.9.3.2 `bad-namespace-prefix`) and version (§4.9.3.25) is the C2S layer's job.
public struct StreamHeader: Hashable, Sendable {
    /// Local name of the root element, `stream` when correct.
    public var name: String
    /// Namespace name of the root element; must be `Namespace.streams`.
    public var namespace: String
    /// Prefix of the root element, `stream` normally; nil when the default namespace was used.
    public var prefix: String?
    /// The default namespace declared on the root (`jabber:client` for C2S), the content namespace
    /// of RFC 6120 §4.8.2.
    public var contentNamespace: String?
    /// Attributes in document order (`to`, `from`, `id`, `version`, `xml:lang`), without namespace
    /// declarations.
    public var attributes: [Element.Attribute]

    public init(
        name: String,
        namespace: String,
        prefix: String? = nil,
        contentNamespace: String? = nil,
        attributes: [Element.Attribute] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.prefix = prefix
        self.contentNamespace = contentNamespace
        self.attributes = attributes
    }

    /// The value of the unqualified attribute `name` (`to`, `from`, `id`, `version`).
    public subscript(attribute name: String) -> String? {
        attributes.first { $0.namespace == nil && $0.name == name }?.value
    }

    /// `xml:lang` (RFC 6120 §4.7.4), if present.
    public var language: String? {
        attributes.first { $0.namespace == Namespace.xml && $0.name == "lang" }?.value
    }
}
