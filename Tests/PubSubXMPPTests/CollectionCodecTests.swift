import Foundation
import PubSub
import PubSubXMPP
import Testing
import XMPPCore
import XMPPStream

/// Wire side of XEP-0248 §5.3.2 (association notifications), §6.2 (items on a collection), §7.5/§7.6
/// (associate, dissociate) and XEP-0060 §5.5 (disco#items on a leaf).
@Suite struct CollectionCodecTests {
    let service = jid("pubsub.shakespeare.lit")

    func owner(_ children: String) throws(StanzaError) -> PubSubCommand {
        try PubSubRequest.command(from: iq("""
            <iq type='set' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='assoc1'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>\(children)</pubsub></iq>
            """))
    }

    @Test func associateAndDissociateDecode() throws {
        // XEP-0248 §7.5.1 and §7.6.1 examples.
        guard case .associate(let collection, let child) = try owner(
            "<collection node='some-collection'><associate node='new-child-node'/></collection>") else {
            Issue.record("associate"); return
        }
        #expect((collection.rawValue, child.rawValue) == ("some-collection", "new-child-node"))
        guard case .dissociate(let from, let old) = try owner(
            "<collection node='some-collection'><dissociate node='old-child-node'/></collection>") else {
            Issue.record("dissociate"); return
        }
        #expect((from.rawValue, old.rawValue) == ("some-collection", "old-child-node"))
    }

    @Test func malformedCollectionRequestsAreBadRequests() throws {
        for children in [
            "<collection node='c'/>",
            "<collection node='c'><associate node='a'/><dissociate node='b'/></collection>",
            "<collection node='c'><associate node='a'/><associate node='b'/></collection>",
        ] {
            #expect(throws: StanzaError.self) { try owner(children) }
            do { _ = try owner(children) } catch { #expect(error.condition == .badRequest) }
        }
        // A missing NodeID on either element: bad-request + nodeid-required.
        for children in ["<collection><associate node='a'/></collection>", "<collection node='c'><associate/></collection>"] {
            do {
                _ = try owner(children)
                Issue.record("accepted \(children)")
            } catch {
                #expect(error.applicationCondition?.name == "nodeid-required")
            }
        }
        let get = try iq("""
            <iq type='get' id='g'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>\
            <collection node='c'><associate node='a'/></collection></pubsub></iq>
            """)
        #expect(throws: StanzaError.self) { try PubSubRequest.command(from: get) }
    }

    @Test func notAssociatedIsAPlainBadRequest() {
        // §7.6.3.1 example "Node is not associated".
        #expect(PubSubError.notAssociated.stanzaError.element() == parse("""
            <error xmlns='jabber:client' type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
            """))
    }

    @Test func associationNotificationsAsTheXEPShowsThem() throws {
        let recipients = [
            Recipient(jid: jid("francisco@denmark.lit"), subscriptionIDs: [SubscriptionID("s")], collections: []),
            Recipient(jid: jid("bernardo@denmark.lit"), subscriptionIDs: [SubscriptionID("t")],
                      collections: [try NodeID("root")]),
        ]
        let collection = try NodeID("some-collection")
        let associated = PubSubNotifications.notifications(
            for: .associated(collection: collection, node: try NodeID("new-node-id"), recipients: recipients),
            service: service)
        // XEP-0248 §5.3.2 "Notification of node association".
        #expect(associated.map(\.element) == [
            parse("""
                <message from='pubsub.shakespeare.lit' to='francisco@denmark.lit' type='headline'>\
                <event xmlns='http://jabber.org/protocol/pubsub#event'><collection node='some-collection'>\
                <associate node='new-node-id'/></collection></event></message>
                """),
            parse("""
                <message from='pubsub.shakespeare.lit' to='bernardo@denmark.lit' type='headline'>\
                <event xmlns='http://jabber.org/protocol/pubsub#event'><collection node='some-collection'>\
                <associate node='new-node-id'/></collection></event>\
                <headers xmlns='http://jabber.org/protocol/shim'><header name='Collection'>root</header></headers></message>
                """),
        ])
        let dissociated = PubSubNotifications.notifications(
            for: .dissociated(collection: collection, node: try NodeID("old-node-id"), recipients: [recipients[0]]),
            service: service)
        #expect(dissociated.first?.event == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><collection node='some-collection'>\
            <dissociate node='old-node-id'/></collection></event>
            """))
    }

    @Test func collectionItemsOneItemsElementPerLeaf() throws {
        let romeo = try NodeID("Romeoance"), julia = try NodeID("Julliennui"), blogs = try NodeID("blogs")
        func item(_ id: String, _ second: Double, _ text: String) -> Item {
            Item(id: id, publisher: nil, payload: ItemPayload.encode(parse("<p xmlns='urn:x'>\(text)</p>")),
                 published: Date(timeIntervalSince1970: 1_700_000_000 + second))
        }
        let page = CollectionItemPage(items: [
            LeafItem(node: romeo, item: item("r1", 0, "a")),
            LeafItem(node: julia, item: item("j1", 1, "b")),
            LeafItem(node: romeo, item: item("r2", 2, "c")),
        ], count: 7)
        let command = PubSubCommand.items(node: blogs, query: ItemQuery(limit: 3))
        let payload = try #require(PubSubResponse.payload(for: .collectionItems(node: blogs, page: page), command: command))
        // XEP-0248 §6.2.2 "Service returns items on leaf nodes", plus the RSM page of the merged items.
        let first = ItemCursor(published: Date(timeIntervalSince1970: 1_700_000_000), id: "r1").token
        let last = ItemCursor(published: Date(timeIntervalSince1970: 1_700_000_002), id: "r2").token
        #expect(payload == parse("""
            <pubsub xmlns='http://jabber.org/protocol/pubsub'>\
            <items node='Romeoance'><item id='r1'><p xmlns='urn:x'>a</p></item><item id='r2'><p xmlns='urn:x'>c</p></item></items>\
            <items node='Julliennui'><item id='j1'><p xmlns='urn:x'>b</p></item></items>\
            <set xmlns='http://jabber.org/protocol/rsm'><first>\(first)</first><last>\(last)</last><count>7</count></set>\
            </pubsub>
            """))
        let empty = PubSubResponse.payload(for: .collectionItems(node: blogs, page: CollectionItemPage(items: [], count: 0)),
                                           command: .items(node: blogs, query: .ids(["x"])))
        #expect(empty == parse("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='blogs'/></pubsub>"))
    }

    @Test func discoItemsOnALeafNameItsItems() throws {
        let node = try NodeID("princely_musings")
        guard case .childNodes(of: node?) = try PubSubRequest.command(from: iq("""
            <iq type='get' id='items1'><query xmlns='http://jabber.org/protocol/disco#items' node='princely_musings'/></iq>
            """)) else { Issue.record("decode"); return }
        // XEP-0060 §5.5 example: name = ItemID, no node attribute.
        let payload = PubSubResponse.payload(
            for: .itemIDs(node: node, ids: ["368866411b877c30064a5f62b917cffe", "3300659945416e274474e469a1f0154c"]),
            command: .childNodes(of: node), service: service)
        #expect(payload == parse("""
            <query xmlns='http://jabber.org/protocol/disco#items' node='princely_musings'>\
            <item jid='pubsub.shakespeare.lit' name='368866411b877c30064a5f62b917cffe'/>\
            <item jid='pubsub.shakespeare.lit' name='3300659945416e274474e469a1f0154c'/></query>
            """))
    }
}
