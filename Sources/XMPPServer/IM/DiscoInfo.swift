import XMPPCore

/// A `disco#info` result (XEP-0030 §3.1): who an entity is and which protocols it speaks.
///
/// ```
/// C: <iq type='get' to='example.com' id='info1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>
/// S: <iq type='result' from='example.com' id='info1'>
///      <query xmlns='http://jabber.org/protocol/disco#info'>
///        <identity category='server' type='im' name='Starling'/>
///        <feature var='http://jabber.org/protocol/disco#info'/>
///      </query></iq>
/// ```
public struct DiscoInfo: Equatable, Sendable {
    /// `<identity category type [name]/>` (XEP-0030 §3.1; categories and types from the registry).
    public struct Identity: Hashable, Sendable {
        public var category: String
        public var type: String
        public var name: String?

        public init(category: String, type: String, name: String? = nil) {
            self.category = category
            self.type = type
            self.name = name
        }
    }

    public var identities: [Identity]
    /// Feature namespaces, kept sorted and without duplicates (XEP-0030 §3.1: each feature once;
    /// the order also makes results comparable and XEP-0115 hashing straightforward).
    public var features: [String] {
        didSet { features = Self.normalized(features) }
    }
    /// The node queried (XEP-0030 §3.2), echoed in the result.
    public var node: String?

    public init(identities: [Identity], features: [String], node: String? = nil) {
        self.identities = identities
        self.features = Self.normalized(features)
        self.node = node
    }

    private static func normalized(_ features: [String]) -> [String] {
        Array(Set(features)).sorted()
    }
}

// MARK: - XML

extension DiscoInfo {
    /// `<query xmlns='…disco#info' [node]> identity* feature* </query>`
    public var element: Element {
        Element(
            "query", namespace: Namespace.discoInfo, ["node": node],
            children: identities.map {
                Element("identity", namespace: Namespace.discoInfo,
                        ["category": $0.category, "type": $0.type, "name": $0.name])
            } + features.map {
                Element("feature", namespace: Namespace.discoInfo, ["var": $0])
            }
        )
    }

    /// Decodes a `disco#info` result. An identity without category or type, or a feature without
    /// `var`, is a `<bad-request/>` (XEP-0030 §3.1 requires them).
    public init(element: Element) throws(StanzaError) {
        guard element.name == "query", element.namespace == Namespace.discoInfo else {
            throw StanzaError.badRequest("expected <query xmlns='\(Namespace.discoInfo)'/>")
        }
        var identities: [Identity] = []
        for identity in element.children("identity", namespace: Namespace.discoInfo) {
            guard let category = identity[attribute: "category"], let type = identity[attribute: "type"] else {
                throw StanzaError.badRequest("identity needs category and type")
            }
            identities.append(Identity(category: category, type: type, name: identity[attribute: "name"]))
        }
        var features: [String] = []
        for feature in element.children("feature", namespace: Namespace.discoInfo) {
            guard let name = feature[attribute: "var"] else {
                throw StanzaError.badRequest("feature needs var")
            }
            features.append(name)
        }
        self.init(identities: identities, features: features, node: element[attribute: "node"])
    }

    /// The node a `disco#info` get asks about (XEP-0030 §3.2), nil for the entity itself.
    /// Children are ignored: a get carries an empty query (§3.1), but extensions such as
    /// XEP-0059 result set management may add some, and refusing them would help nobody.
    public static func requestedNode(_ query: Element) throws(StanzaError) -> String? {
        guard query.name == "query", query.namespace == Namespace.discoInfo else {
            throw StanzaError.badRequest("expected <query xmlns='\(Namespace.discoInfo)'/>")
        }
        return query[attribute: "node"]
    }
}
