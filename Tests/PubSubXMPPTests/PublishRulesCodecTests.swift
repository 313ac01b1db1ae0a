import Foundation
import NIOCore
import PubSub
import PubSubXMPP
import Testing
import XMPPCore
import XMPPStream

/// Wire side of XEP-0060 §7.1.3.4, §7.1.3.6, §7.1.3.7 (itemless publish, item-forbidden, node-full,
/// `pubsub#type`), §4.3 empty-items notifications and §13.8 message bodies.
@Suite struct PublishRulesCodecTests {
    let service = jid("pubsub.example.org")
    let leaf = try! NodeID("site-a/floor-2/temp")  // test-only literal

    func decode(_ pubsubChildren: String) throws -> PubSubCommand {
        try PubSubRequest.command(from: iq("""
            <iq type='set' id='p1' to='pubsub.example.org'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'>\(pubsubChildren)</pubsub></iq>
            """))
    }

    @Test func publishWithoutItemDecodesForTheDomainToJudge() throws {
        guard case .publishWithoutItem(let node, nil) = try decode("<publish node='doorbell'/>") else {
            Issue.record("not an itemless publish"); return
        }
        #expect(node.rawValue == "doorbell")
        guard case .publishWithoutItem(_, let options?) = try decode("""
            <publish node='doorbell'/><publish-options><x xmlns='jabber:x:data' type='submit'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
            <field var='pubsub#persist_items'><value>false</value></field></x></publish-options>
            """) else { Issue.record("options lost"); return }
        #expect(options.persistItems == false)
    }

    @Test func payloadRootNamespaceTravelsBesideTheBytes() throws {
        guard case .publish(_, _, _, _, let namespace) = try decode(
            "<publish node='n'><item><temp xmlns='urn:example:temp'>21</temp></item></publish>") else {
            Issue.record("not a publish"); return
        }
        #expect(namespace == "urn:example:temp")
        // An empty item has no root element, so nothing to compare with pubsub#type.
        guard case .publish(_, _, let payload, _, nil) = try decode("<publish node='n'><item id='x'/></publish>") else {
            Issue.record("empty item"); return
        }
        #expect(payload.isEmpty)
    }

    @Test func newErrorsHaveTheirXEPWireForm() {
        // §7.1.3.7 example "Publisher attempts to publish to transient notification node with item".
        #expect(PubSubError.itemForbidden.stanzaError.element() == parse("""
            <error xmlns='jabber:client' type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <item-forbidden xmlns='http://jabber.org/protocol/pubsub#errors'/></error>
            """))
        // §7.1.3.4 example "Entity attempts to publish to a node with max_items reached".
        #expect(PubSubError.nodeFull.stanzaError.element() == parse("""
            <error xmlns='jabber:client' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <node-full xmlns='http://jabber.org/protocol/pubsub#errors'/></error>
            """))
        // §7.1.3.6 for a pubsub#type mismatch.
        #expect(PubSubError.invalidPayload.stanzaError.element() == parse("""
            <error xmlns='jabber:client' type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <invalid-payload xmlns='http://jabber.org/protocol/pubsub#errors'/></error>
            """))
    }

    @Test func publishNodeFullIsANodeConfigField() throws {
        var configuration = NodeConfiguration()
        #expect(configuration.form(children: []).value("pubsub#publish_node_full") == "retract-oldest")
        let form = try DataForm(element: parse("""
            <x xmlns='jabber:x:data' type='submit'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>\
            <field var='pubsub#publish_node_full'><value>reject</value></field></x>
            """))
        configuration = try NodeConfiguration.decode(form: form, base: configuration).configuration
        #expect(configuration.publishNodeFull == .reject)
        let bad = try DataForm(element: parse("""
            <x xmlns='jabber:x:data' type='submit'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>\
            <field var='pubsub#publish_node_full'><value>sometimes</value></field></x>
            """))
        #expect(throws: StanzaError.self) { try NodeConfiguration.decode(form: bad, base: configuration) }
    }

    @Test func itemlessNotificationCarriesAnEmptyItems() {
        let delivery = Delivery(deliverPayloads: false, notificationType: .headline, presenceBased: false)
        let recipients = [Recipient(jid: jid("dash@example.org"), subscriptionIDs: [SubscriptionID("s1")], collections: [])]
        let notifications = PubSubNotifications.notifications(
            for: .notified(node: leaf, delivery: delivery, recipients: recipients), service: service)
        #expect(notifications.map(\.element) == [parse("""
            <message from='pubsub.example.org' to='dash@example.org' type='headline'>\
            <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='site-a/floor-2/temp'/></event></message>
            """)])
    }

    @Test func includeBodyAddsABodyOnlyForThoseWhoAskedFor() {
        let payload = parse("<temp xmlns='urn:example' unit='C'>\n  21.5\t</temp>")
        let item = Item(id: "r1", publisher: nil, payload: ItemPayload.encode(payload),
                        published: Date(timeIntervalSince1970: 1_700_000_000))
        let recipients = [
            Recipient(jid: jid("human@example.org"), subscriptionIDs: [SubscriptionID("s1")], collections: [],
                      includeBody: true),
            Recipient(jid: jid("machine@example.org"), subscriptionIDs: [SubscriptionID("s2")], collections: []),
        ]
        let delivery = Delivery(deliverPayloads: true, notificationType: .headline, presenceBased: false,
                                title: "Floor 2 temperature")
        let notifications = PubSubNotifications.notifications(
            for: .published(node: leaf, item: item, delivery: delivery, recipients: recipients), service: service)
        #expect(notifications[0].element == parse("""
            <message from='pubsub.example.org' to='human@example.org' type='headline'>\
            <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='site-a/floor-2/temp'>\
            <item id='r1'><temp xmlns='urn:example' unit='C'>
              21.5\t</temp></item></items></event>\
            <body>Floor 2 temperature (site-a/floor-2/temp), item r1: 21.5</body></message>
            """))
        #expect(notifications[1].extras.isEmpty)
        // The shared-bytes path writes the body as a jabber:client child like the full serialization.
        var eventBytes = ByteBuffer()
        notifications[0].event.write(to: &eventBytes, streamNamespace: Namespace.client)
        var viaShared = ByteBuffer()
        notifications[0].write(eventBytes: eventBytes, to: &viaShared)
        var full = ByteBuffer()
        notifications[0].element.write(to: &full, streamNamespace: Namespace.client)
        #expect(viaShared == full)
    }

    @Test func bodyTextFallsBackToTheNodeAndHidesPayloadsOfNotificationOnlyNodes() {
        #expect(NotificationBody.text(node: leaf, title: "", itemID: "r1", payload: nil)
                == "site-a/floor-2/temp, item r1")
        // Structured payloads are not flattened into text.
        #expect(NotificationBody.text(node: leaf, title: "T", itemID: "r1", payload: parse("<a xmlns='u'><b/></a>"))
                == "T (site-a/floor-2/temp), item r1")
        let item = Item(id: "r1", publisher: nil, payload: ItemPayload.encode(parse("<t xmlns='u'>secret</t>")),
                        published: Date(timeIntervalSince1970: 1_700_000_000))
        let delivery = Delivery(deliverPayloads: false, notificationType: .normal, presenceBased: false)
        let notification = PubSubNotifications.notifications(
            for: .lastPublished(node: leaf, item: item, delivery: delivery, recipient: Recipient(
                jid: jid("human@example.org"), subscriptionIDs: [SubscriptionID("s1")], collections: [],
                includeBody: true)),
            service: service)
        #expect(notification.first?.extras.first == NotificationBody.element("site-a/floor-2/temp, item r1"))
    }
}
