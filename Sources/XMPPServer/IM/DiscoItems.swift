import XMPPCore

/// A `disco#items` result (XEP-0030 §4.1): the entities (or nodes) an entity offers.
///
/// ```
/// S: <query xmlns='http://jabber.org/protocol/disco#items'>
///      <item jid='pubsub.example.com' name='Telemetry'/>
///    </query>
/// ```
public struct DiscoItems: Equatable, Sendable {
    /// `<item jid [node] [name]/>` (XEP-0030 §4.1).
    public struct Item: Hashable, Sendable {
        public var jid: JID
        public var node: String?
        public var name: String?

        public init(jid: JID, node: String? = nil, name: String? = nil) {
            self.jid = jid
            self.node = node
            self.name = name
        }
    }

    public var items: [Item]
    /// The node queried (XEP-0030 §4.2), echoed in the result.
    public var node: String?

    public init(items: [Item], node: String? = nil) {
        self.items = items
        self.node = node
    }
}

// MARK: - XML

extension DiscoItems {
    /// `<query xmlns='…disco#items' [node]> item* </query>`
    public var element: Element {
        Element(
            "query", namespace: Namespace.discoItems, ["node": node],
            children: items.map {
                Element("item", namespace: Namespace.discoItems,
                        ["jid": $0.jid.description, "node": $0.node, "name": $0.name])
            }
        )
    }

    /// Decodes a `disco#items` result: an item without `jid` is a `<bad-request/>`, one whose `jid`
    /// is no JID a `<jid-malformed/>` (XEP-0030 §4.1 requires a JID).
    public init(element: Element) throws(StanzaError) {
        guard element.name == "query", element.namespace == Namespace.discoItems else {
            throw StanzaError.badRequest("expected <query xmlns='\(Namespace.discoItems)'/>")
        }
        var items: [Item] = []
        for item in element.children("item", namespace: Namespace.discoItems) {
            guard let raw = item[attribute: "jid"] else {
                throw StanzaError.badRequest("item needs a jid")
            }
            let jid: JID
            do {
                jid = try JID(raw)
            } catch {
                throw StanzaError.jidMalformed("'jid': \(error.description)")
            }
            items.append(Item(jid: jid, node: item[attribute: "node"], name: item[attribute: "name"]))
        }
        self.init(items: items, node: element[attribute: "node"])
    }

    /// The node a `disco#items` get asks about (XEP-0030 §4.2), nil for the entity itself.
    /// Children are ignored: a get carries an empty query (§4.1), but extensions such as
    /// XEP-0059 result set management may add some, and refusing them would help nobody.
    public static func requestedNode(_ query: Element) throws(StanzaError) -> String? {
        guard query.name == "query", query.namespace == Namespace.discoItems else {
            throw StanzaError.badRequest("expected <query xmlns='\(Namespace.discoItems)'/>")
        }
        return query[attribute: "node"]
    }
}
