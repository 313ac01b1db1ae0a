import Testing
import XMPPCore
import XMPPServer

@Suite struct DiscoTests {
    private func info(_ children: [Element], node: String? = nil) -> Element {
        Element("query", namespace: Namespace.discoInfo, ["node": node], children: children)
    }

    private func identity(_ category: String, _ type: String, _ name: String? = nil) -> Element {
        Element("identity", namespace: Namespace.discoInfo, ["category": category, "type": type, "name": name])
    }

    private func feature(_ name: String) -> Element {
        Element("feature", namespace: Namespace.discoInfo, ["var": name])
    }

    // MARK: disco#info

    @Test func infoEncodesSortedUniqueFeatures() {
        let value = DiscoInfo(
            identities: [.init(category: "server", type: "im", name: "Starling")],
            features: [Namespace.ping, Namespace.discoInfo, Namespace.ping]
        )
        #expect(value.features == [Namespace.discoInfo, Namespace.ping])
        #expect(value.element == info([
            identity("server", "im", "Starling"), feature(Namespace.discoInfo), feature(Namespace.ping),
        ]))
    }

    @Test func featuresStaySortedWhenMutated() {
        var value = DiscoInfo(identities: [], features: ["b"])
        value.features.append("a")
        value.features.append("b")
        #expect(value.features == ["a", "b"])
    }

    @Test func infoWithNode() throws {
        // XEP-0030 §3.2: the node is echoed.
        let value = DiscoInfo(identities: [.init(category: "pubsub", type: "leaf")], features: [], node: "site-a")
        #expect(value.element == info([identity("pubsub", "leaf")], node: "site-a"))
        #expect(try DiscoInfo(element: value.element) == value)
    }

    @Test func infoDecodesFixture() throws {
        // XEP-0030 §3.1 example 2, abridged.
        let fixture = info([
            identity("conference", "text", "Play-Specific Chatrooms"),
            identity("directory", "chatroom", "Play-Specific Chatrooms"),
            feature("http://jabber.org/protocol/disco#info"),
            feature("http://jabber.org/protocol/muc"),
            feature("jabber:iq:register"),
        ])
        let value = try DiscoInfo(element: fixture)
        #expect(value == DiscoInfo(
            identities: [
                .init(category: "conference", type: "text", name: "Play-Specific Chatrooms"),
                .init(category: "directory", type: "chatroom", name: "Play-Specific Chatrooms"),
            ],
            features: ["http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/muc", "jabber:iq:register"]
        ))
        #expect(value.element == fixture)
    }

    @Test func infoRejectsIncompleteIdentityAndFeature() {
        for bad in [
            info([Element("identity", namespace: Namespace.discoInfo, ["category": "server"])]),
            info([Element("feature", namespace: Namespace.discoInfo)]),
            Element("query", namespace: Namespace.discoItems),
        ] {
            #expect { try DiscoInfo(element: bad) } throws: { ($0 as? StanzaError)?.condition == .badRequest }
        }
    }

    @Test func infoRequestNode() throws {
        #expect(try DiscoInfo.requestedNode(info([])) == nil)
        #expect(try DiscoInfo.requestedNode(info([], node: "n1")) == "n1")
        #expect(throws: StanzaError.self) { try DiscoInfo.requestedNode(Element("query", namespace: Namespace.roster)) }
    }

    @Test func serverFeatures() {
        let closed = ServerFeatures.discoInfo(registration: false)
        #expect(closed.identities == [.init(category: "server", type: "im", name: "Starling")])
        #expect(closed.features == ServerFeatures.base.sorted())
        #expect(!closed.features.contains(Namespace.register))
        let open = ServerFeatures.discoInfo(registration: true, extra: ["urn:example"])
        #expect(open.features.contains(Namespace.register))
        #expect(open.features.contains("urn:example"))
        #expect(open.features == open.features.sorted())
    }

    // MARK: disco#items

    @Test func itemsEncodeAndDecode() throws {
        // XEP-0030 §4.1 example, abridged.
        let fixture = Element("query", namespace: Namespace.discoItems, children: [
            Element("item", namespace: Namespace.discoItems, ["jid": "people.shakespeare.lit", "name": "Directory of Characters"]),
            Element("item", namespace: Namespace.discoItems, ["jid": "shakespeare.lit", "node": "books", "name": "Books by and about Shakespeare"]),
        ])
        let value = DiscoItems(items: [
            .init(jid: try JID("people.shakespeare.lit"), name: "Directory of Characters"),
            .init(jid: try JID("shakespeare.lit"), node: "books", name: "Books by and about Shakespeare"),
        ])
        #expect(value.element == fixture)
        #expect(try DiscoItems(element: fixture) == value)
    }

    @Test func emptyItemsWithNode() throws {
        let value = DiscoItems(items: [], node: "site-a")
        #expect(value.element == Element("query", namespace: Namespace.discoItems, ["node": "site-a"]))
        #expect(try DiscoItems(element: value.element) == value)
    }

    @Test func itemsRejectBadJID() {
        let missing = Element("query", namespace: Namespace.discoItems, children: [Element("item", namespace: Namespace.discoItems)])
        let malformed = Element("query", namespace: Namespace.discoItems, children: [
            Element("item", namespace: Namespace.discoItems, ["jid": "a@"]),
        ])
        #expect { try DiscoItems(element: missing) } throws: { ($0 as? StanzaError)?.condition == .badRequest }
        #expect { try DiscoItems(element: malformed) } throws: { ($0 as? StanzaError)?.condition == .jidMalformed }
    }

    @Test func itemsRequestNodeIgnoresRSM() throws {
        let request = Element("query", namespace: Namespace.discoItems, ["node": "n"], children: [
            Element("set", namespace: "http://jabber.org/protocol/rsm", children: [
                Element("max", namespace: "http://jabber.org/protocol/rsm", text: "10"),
            ]),
        ])
        #expect(try DiscoItems.requestedNode(request) == "n")
        #expect(throws: StanzaError.self) { try DiscoItems.requestedNode(Element("query", namespace: Namespace.discoInfo)) }
    }
}
