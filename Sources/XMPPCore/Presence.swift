/// `<presence/>` (RFC 6120 §8.2.2, RFC 6121 §3 and §4).
public struct Presence: Hashable, Sendable {
    /// RFC 6121 §4.7.1: no type means available.
    public enum PresenceType: String, Hashable, Sendable {
        case available = ""
        case error, probe, subscribe, subscribed, unavailable, unsubscribe, unsubscribed

        public var isSubscriptionManagement: Bool {
            switch self {
            case .subscribe, .subscribed, .unsubscribe, .unsubscribed: true
            default: false
            }
        }
    }

    public private(set) var element: Element
    public var from: JID? { didSet { element[attribute: "from"] = from?.description } }
    public var to: JID? { didSet { element[attribute: "to"] = to?.description } }
    public let type: PresenceType

    public init(_ element: Element) throws(StanzaError) {
        self.element = element
        self.from = try StanzaAttributes.jid(element, "from")
        self.to = try StanzaAttributes.jid(element, "to")
        if let raw = element[attribute: "type"] {
            // RFC 6121 §4.7.1: "available" is not a valid value; unknown types are bad requests.
            guard !raw.isEmpty, let type = PresenceType(rawValue: raw) else {
                throw StanzaError.badRequest("unknown presence type '\(raw)'")
            }
            self.type = type
        } else {
            self.type = .available
        }
    }

    public init(type: PresenceType, from: JID? = nil, to: JID? = nil, id: String? = nil, payload: [Element] = []) {
        self.element = Element(
            "presence", namespace: Namespace.client,
            ["from": from?.description, "to": to?.description,
             "type": type == .available ? nil : type.rawValue, "id": id],
            children: payload
        )
        self.from = from
        self.to = to
        self.type = type
    }

    /// RFC 6121 §4.7.2.3: an integer in -128...127, 0 when absent or invalid.
    public var priority: Int {
        guard let text = element.child("priority", namespace: element.namespace)?.text,
              let value = Int(text.trimmingWhitespace()), (-128...127).contains(value)
        else { return 0 }
        return value
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return s
    }
}
