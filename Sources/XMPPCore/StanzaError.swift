/// A stanza error (RFC 6120 §8.3): `<error type='…'><condition xmlns='…xmpp-stanzas'/><text/>…</error>`.
///
/// Handlers throw these; the session turns them into an error reply with `Stanza.makeErrorReply`.
public struct StanzaError: Error, Hashable, Sendable {
    /// Defined conditions, RFC 6120 §8.3.3. The raw value is the element name.
    public enum Condition: String, Hashable, Sendable, CaseIterable {
        case badRequest = "bad-request"
        case conflict
        case featureNotImplemented = "feature-not-implemented"
        case forbidden
        case gone
        case internalServerError = "internal-server-error"
        case itemNotFound = "item-not-found"
        case jidMalformed = "jid-malformed"
        case notAcceptable = "not-acceptable"
        case notAllowed = "not-allowed"
        case notAuthorized = "not-authorized"
        case policyViolation = "policy-violation"
        case recipientUnavailable = "recipient-unavailable"
        case redirect
        case registrationRequired = "registration-required"
        case remoteServerNotFound = "remote-server-not-found"
        case remoteServerTimeout = "remote-server-timeout"
        case resourceConstraint = "resource-constraint"
        case serviceUnavailable = "service-unavailable"
        case subscriptionRequired = "subscription-required"
        case undefinedCondition = "undefined-condition"
        case unexpectedRequest = "unexpected-request"

        /// The error type RFC 6120 §8.3.3 uses in each condition's example.
        public var defaultType: ErrorType {
            switch self {
            case .badRequest, .jidMalformed, .notAcceptable, .policyViolation, .redirect: .modify
            case .conflict, .featureNotImplemented, .gone, .internalServerError, .itemNotFound,
                 .notAllowed, .remoteServerNotFound, .serviceUnavailable, .undefinedCondition:
                .cancel
            case .forbidden, .notAuthorized, .registrationRequired, .subscriptionRequired: .auth
            case .recipientUnavailable, .remoteServerTimeout, .resourceConstraint, .unexpectedRequest:
                .wait
            }
        }
    }

    /// RFC 6120 §8.3.2 error types.
    public enum ErrorType: String, Hashable, Sendable {
        case auth, cancel, `continue`, modify, wait
    }

    public var type: ErrorType
    public var condition: Condition
    public var text: String?
    /// An application-specific condition element (RFC 6120 §8.3.4), e.g. a `pubsub#errors` element.
    public var applicationCondition: Element?
    /// The `by` attribute (RFC 6120 §8.3.2).
    public var by: JID?

    public init(
        _ condition: Condition,
        type: ErrorType? = nil,
        text: String? = nil,
        applicationCondition: Element? = nil,
        by: JID? = nil
    ) {
        self.condition = condition
        self.type = type ?? condition.defaultType
        self.text = text
        self.applicationCondition = applicationCondition
        self.by = by
    }

    public static func badRequest(_ text: String? = nil) -> StanzaError { .init(.badRequest, text: text) }
    public static func forbidden(_ text: String? = nil) -> StanzaError { .init(.forbidden, text: text) }
    public static func itemNotFound(_ text: String? = nil) -> StanzaError { .init(.itemNotFound, text: text) }
    public static func jidMalformed(_ text: String? = nil) -> StanzaError { .init(.jidMalformed, text: text) }
    public static func notAllowed(_ text: String? = nil) -> StanzaError { .init(.notAllowed, text: text) }
    public static func serviceUnavailable(_ text: String? = nil) -> StanzaError {
        .init(.serviceUnavailable, text: text)
    }
    public static func featureNotImplemented(_ text: String? = nil) -> StanzaError {
        .init(.featureNotImplemented, text: text)
    }
    public static func internalServerError(_ text: String? = nil) -> StanzaError {
        .init(.internalServerError, text: text)
    }
    public static func policyViolation(_ text: String? = nil) -> StanzaError {
        .init(.policyViolation, text: text)
    }
    public static func resourceConstraint(_ text: String? = nil) -> StanzaError {
        .init(.resourceConstraint, text: text)
    }
}

// MARK: - XML

extension StanzaError {
    /// `<error type='…' [by='…']><condition xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>[<text/>][app]</error>`
    /// in the content namespace of the stream it is written to.
    public func element(namespace: String = Namespace.client) -> Element {
        var error = Element("error", namespace: namespace, ["type": type.rawValue, "by": by?.description])
        error.append(Element(condition.rawValue, namespace: Namespace.stanzaErrors))
        if let text {
            error.append(Element("text", namespace: Namespace.stanzaErrors, text: text))
        }
        if let applicationCondition { error.append(applicationCondition) }
        return error
    }

    /// Decodes an `<error/>` child; unknown conditions become `undefined-condition`.
    public init(element: Element) {
        let conditionElement = element.elements.first {
            $0.namespace == Namespace.stanzaErrors && $0.name != "text"
        }
        let condition = conditionElement.flatMap { Condition(rawValue: $0.name) } ?? .undefinedCondition
        self.init(
            condition,
            type: element[attribute: "type"].flatMap(ErrorType.init(rawValue:)),
            text: element.child("text", namespace: Namespace.stanzaErrors)?.text,
            applicationCondition: element.elements.first {
                $0.namespace != Namespace.stanzaErrors
            },
            by: element[attribute: "by"].flatMap { try? JID($0) }
        )
    }
}
