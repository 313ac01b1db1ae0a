/// `<message/>` (RFC 6120 §8.2.1, RFC 6121 §5).
public struct Message: Hashable, Sendable {
    /// RFC 6121 §5.2.2. A missing or unknown type is `normal`.
    public enum MessageType: String, Hashable, Sendable {
        case chat, error, groupchat, headline, normal
    }

    public private(set) var element: Element
    public var from: JID? { didSet { element[attribute: "from"] = from?.description } }
    public var to: JID? { didSet { element[attribute: "to"] = to?.description } }
    public let type: MessageType

    public init(_ element: Element) throws(StanzaError) {
        self.element = element
        self.from = try StanzaAttributes.jid(element, "from")
        self.to = try StanzaAttributes.jid(element, "to")
        // RFC 6121 §5.2.2: an unrecognized type is treated as normal.
        self.type = element[attribute: "type"].flatMap(MessageType.init(rawValue:)) ?? .normal
    }

    public init(type: MessageType, from: JID? = nil, to: JID? = nil, id: String? = nil, payload: [Element] = []) {
        var element = Element(
            "message", namespace: Namespace.client,
            ["from": from?.description, "to": to?.description, "type": type.rawValue, "id": id],
            children: payload
        )
        if type == .normal { element[attribute: "type"] = nil }
        self.element = element
        self.from = from
        self.to = to
        self.type = type
    }

    public var body: String? { element.child("body", namespace: element.namespace)?.text }
}
