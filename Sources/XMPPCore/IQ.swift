/// `<iq/>` (RFC 6120 §8.2.3): request/response with exactly one payload child for get and set.
public struct IQ: Hashable, Sendable {
    public enum IQType: String, Hashable, Sendable {
        case get, set, result, error
    }

    public private(set) var element: Element
    public var from: JID? { didSet { element[attribute: "from"] = from?.description } }
    public var to: JID? { didSet { element[attribute: "to"] = to?.description } }
    public let type: IQType
    public let id: String

    /// RFC 6120 §8.2.3: `id` and `type` are required; a get or set has exactly one child element
    /// (checked here, `<bad-request/>` otherwise).
    public init(_ element: Element) throws(StanzaError) {
        self.element = element
        self.from = try StanzaAttributes.jid(element, "from")
        self.to = try StanzaAttributes.jid(element, "to")
        guard let rawType = element[attribute: "type"], let type = IQType(rawValue: rawType) else {
            throw StanzaError.badRequest("iq needs a type of get, set, result or error")
        }
        guard let id = element[attribute: "id"], !id.isEmpty else {
            throw StanzaError.badRequest("iq needs an id")
        }
        switch type {
        case .get, .set:
            guard element.elementCount == 1 else {
                throw StanzaError.badRequest("an iq of type \(rawType) needs exactly one child element")
            }
        case .result:
            guard element.elementCount <= 1 else {
                throw StanzaError.badRequest("an iq of type result has at most one child element")
            }
        case .error:
            guard element.child("error", namespace: element.namespace) != nil else {
                throw StanzaError.badRequest("an iq of type error needs an <error/> child")
            }
        }
        self.type = type
        self.id = id
    }

    public init(type: IQType, id: String, from: JID? = nil, to: JID? = nil, payload: Element? = nil) {
        self.element = Element(
            "iq", namespace: Namespace.client,
            ["from": from?.description, "to": to?.description, "type": type.rawValue, "id": id],
            children: payload.map { [$0] } ?? []
        )
        self.from = from
        self.to = to
        self.type = type
        self.id = id
    }

    /// The single payload child of a get or set (the first child element otherwise).
    public var payload: Element? { element.firstElement }

    /// A `result` reply: addresses swapped, same id.
    public func makeResult(payload: Element? = nil) -> IQ {
        IQ(type: .result, id: id, from: to, to: from, payload: payload)
    }
}
