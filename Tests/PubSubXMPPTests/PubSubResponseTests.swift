import Foundation
import PubSub
import PubSubXMPP
import Testing
import XMPPCore
import XMPPStream

@Suite struct PubSubResponseTests {
    let node = try! NodeID("princely_musings")  // test-only literal

    @Test func instantNodeIsReturned() throws {
        let payload = PubSubResponse.payload(for: .created(try NodeID("25e3d37d")), command: .create(node: nil, configuration: nil))
        #expect(payload == parse("""
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='25e3d37d'/></pubsub>
            """))
    }

    @Test func subscriptionWithSubIDAndState() {
        let subscription = Subscription(node: node, jid: jid("francisco@denmark.lit"), id: SubscriptionID("ba49"),
                                        state: .pending, options: SubscriptionOptions())
        let payload = PubSubResponse.payload(for: .subscription(subscription),
                                             command: .subscribe(node: node, jid: subscription.jid, options: nil))
        #expect(payload == parse("""
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscription node='princely_musings' \
            jid='francisco@denmark.lit' subid='ba49' subscription='pending'/></pubsub>
            """))
    }

    @Test func itemsCarryPayloadsAndRSMCursor() throws {
        let payloadElement = parse("<temp xmlns='urn:example' unit='C'> 21.5 </temp>")
        let first = Item(id: "a", publisher: jid("device@example.org"), payload: ItemPayload.encode(payloadElement),
                         published: Date(timeIntervalSince1970: 1_700_000_000))
        let second = Item(id: "b", publisher: nil, payload: [], published: Date(timeIntervalSince1970: 1_700_000_001))
        let page = ItemPage(items: [first, second], count: 9)
        let payload = try #require(PubSubResponse.payload(
            for: .items(node: node, page: page), command: .items(node: node, query: ItemQuery(limit: 2, fromOldest: true))))
        #expect(payload == parse("""
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='princely_musings'>\
            <item id='a' publisher='device@example.org'><temp xmlns='urn:example' unit='C'> 21.5 </temp></item>\
            <item id='b'/></items>\
            <set xmlns='http://jabber.org/protocol/rsm'><first>\(first.cursor.token)</first>\
            <last>\(second.cursor.token)</last><count>9</count></set></pubsub>
            """))
        // The token handed out pages on: decoding it as <after/> yields the same cursor.
        let next = try PubSubRequest.command(from: iq("""
            <iq type='get' id='n'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='princely_musings'/>\
            <set xmlns='http://jabber.org/protocol/rsm'><max>2</max><after>\(second.cursor.token)</after></set></pubsub></iq>
            """))
        guard case .items(_, let query) = next else { Issue.record("items"); return }
        #expect(query.after == second.cursor)
    }

    @Test func configurationFormAndOwnerLists() throws {
        let config = try #require(PubSubResponse.payload(
            for: .configuration(NodeConfiguration(), children: []), command: .getConfiguration(node: node)))
        let form = try DataForm(element: try #require(config.child("configure", namespace: Namespace.pubsubOwner)?
            .child("x", namespace: Namespace.dataForms)))
        #expect(form.formType == Namespace.pubsubNodeConfig)
        let affiliations = PubSubResponse.payload(
            for: .affiliations([AffiliationEntry(node: node, jid: jid("hamlet@denmark.lit"), affiliation: .owner)]),
            command: .ownerAffiliations(node: node))
        #expect(affiliations == parse("""
            <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='princely_musings'>\
            <affiliation jid='hamlet@denmark.lit' affiliation='owner'/></affiliations></pubsub>
            """))
        #expect(PubSubResponse.payload(for: .done, command: .purge(node: node)) == nil)
    }

    @Test func discoItemsNameTheService() throws {
        let nodes = [NodeSummary(id: try NodeID("site-a/floor-2"), title: "Floor 2", type: .collection)]
        let payload = PubSubResponse.payload(for: .nodes(nodes), command: .childNodes(of: try NodeID("site-a")),
                                             service: jid("pubsub.example.org"))
        #expect(payload == parse("""
            <query xmlns='http://jabber.org/protocol/disco#items' node='site-a'>\
            <item jid='pubsub.example.org' node='site-a/floor-2' name='Floor 2'/></query>
            """))
    }
}
