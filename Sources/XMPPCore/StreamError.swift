/// A stream error (RFC 6120 §4.9): sent as `<stream:error>` right before `</stream:stream>`, after
/// which the connection is closed.
public struct StreamError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Defined conditions, RFC 6120 §4.9.3. The raw value is the element name.
    public enum Condition: String, Hashable, Sendable, CaseIterable {
        case badFormat = "bad-format"
        case badNamespacePrefix = "bad-namespace-prefix"
        case conflict
        case connectionTimeout = "connection-timeout"
        case hostGone = "host-gone"
        case hostUnknown = "host-unknown"
        case improperAddressing = "improper-addressing"
        case internalServerError = "internal-server-error"
        case invalidFrom = "invalid-from"
        case invalidNamespace = "invalid-namespace"
        case invalidXML = "invalid-xml"
        case notAuthorized = "not-authorized"
        case notWellFormed = "not-well-formed"
        case policyViolation = "policy-violation"
        case remoteConnectionFailed = "remote-connection-failed"
        case reset
        case resourceConstraint = "resource-constraint"
        case restrictedXML = "restricted-xml"
        case seeOtherHost = "see-other-host"
        case systemShutdown = "system-shutdown"
        case undefinedCondition = "undefined-condition"
        case unsupportedEncoding = "unsupported-encoding"
        case unsupportedFeature = "unsupported-feature"
        case unsupportedStanzaType = "unsupported-stanza-type"
        case unsupportedVersion = "unsupported-version"
    }

    public var condition: Condition
    public var text: String?

    public init(_ condition: Condition, text: String? = nil) {
        self.condition = condition
        self.text = text
    }

    public var description: String {
        text.map { "\(condition.rawValue): \($0)" } ?? condition.rawValue
    }
}

// MARK: - XML

extension StreamError {
    /// `<stream:error><condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>[<text/>]</stream:error>`
    public var element: Element {
        var error = Element(name: "error", namespace: Namespace.streams)
        error.append(Element(condition.rawValue, namespace: Namespace.streamErrors))
        if let text {
            error.append(Element("text", namespace: Namespace.streamErrors, text: text))
        }
        return error
    }

    /// Decodes a received `<stream:error/>`.
    public init?(element: Element) {
        guard element.name == "error", element.namespace == Namespace.streams else { return nil }
        let condition = element.elements
            .first { $0.namespace == Namespace.streamErrors && $0.name != "text" }
            .flatMap { Condition(rawValue: $0.name) } ?? .undefinedCondition
        self.init(condition, text: element.child("text", namespace: Namespace.streamErrors)?.text)
    }
}
