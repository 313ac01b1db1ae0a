/// One of the three XML stanzas (RFC 6120 §8): the element plus its decoded routing attributes.
///
/// Payloads stay `Element` until a handler decodes them. `from` and `to` are parsed once, when the
/// stanza is built; setting them rewrites the element's attributes too.
public enum Stanza: Hashable, Sendable {
    case message(Message)
    case presence(Presence)
    case iq(IQ)

    /// Decodes a top-level element of the `jabber:client` (or `jabber:server`) namespace.
    /// Throws `<jid-malformed/>` for a bad `to`/`from` and `<bad-request/>` for a bad `type`.
    /// Returns nil when the element is not a stanza at all (the stream must then be closed with
    /// `<unsupported-stanza-type/>`, RFC 6120 §4.9.3.24).
    public init?(_ element: Element) throws(StanzaError) {
        guard element.namespace == Namespace.client || element.namespace == Namespace.server else {
            return nil
        }
        switch element.name {
        case "message": self = .message(try Message(element))
        case "presence": self = .presence(try Presence(element))
        case "iq": self = .iq(try IQ(element))
        default: return nil
        }
    }

    public var element: Element {
        switch self {
        case .message(let m): m.element
        case .presence(let p): p.element
        case .iq(let iq): iq.element
        }
    }

    public var from: JID? {
        get {
            switch self {
            case .message(let m): m.from
            case .presence(let p): p.from
            case .iq(let iq): iq.from
            }
        }
        set {
            switch self {
            case .message(var m): m.from = newValue; self = .message(m)
            case .presence(var p): p.from = newValue; self = .presence(p)
            case .iq(var iq): iq.from = newValue; self = .iq(iq)
            }
        }
    }

    public var to: JID? {
        get {
            switch self {
            case .message(let m): m.to
            case .presence(let p): p.to
            case .iq(let iq): iq.to
            }
        }
        set {
            switch self {
            case .message(var m): m.to = newValue; self = .message(m)
            case .presence(var p): p.to = newValue; self = .presence(p)
            case .iq(var iq): iq.to = newValue; self = .iq(iq)
            }
        }
    }

    public var id: String? { element[attribute: "id"] }

    /// True for stanzas that must never be answered with an error (RFC 6120 §8.3.1): errors
    /// themselves and IQ results.
    public var isErrorOrResult: Bool {
        switch self {
        case .message(let m): m.type == .error
        case .presence(let p): p.type == .error
        case .iq(let iq): iq.type == .error || iq.type == .result
        }
    }

    /// The error reply to this stanza (RFC 6120 §8.3.1): addresses swapped, `type='error'`, the
    /// original payload omitted for IQs and kept for messages and presence, then the error child.
    public func makeErrorReply(_ error: StanzaError) -> Element {
        let original = element
        var reply = Element(name: original.name, namespace: original.namespace)
        reply[attribute: "id"] = original[attribute: "id"]
        reply[attribute: "to"] = original[attribute: "from"]
        reply[attribute: "from"] = original[attribute: "to"]
        reply[attribute: "type"] = "error"
        if case .iq = self {
        } else {
            reply.children = original.children.filter {
                if case .element(let e) = $0, e.name == "error" { return false }
                return true
            }
        }
        reply.append(error.element(namespace: original.namespace))
        return reply
    }
}

// MARK: - Shared attribute decoding

enum StanzaAttributes {
    static func jid(_ element: Element, _ name: String) throws(StanzaError) -> JID? {
        guard let value = element[attribute: name] else { return nil }
        do {
            return try JID(value)
        } catch {
            throw StanzaError.jidMalformed("'\(name)': \(error.description)")
        }
    }
}
