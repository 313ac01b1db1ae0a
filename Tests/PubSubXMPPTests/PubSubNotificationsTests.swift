import Foundation
import NIOCore
import PubSub
import PubSubXMPP
import Testing
import XMPPCore
import XMPPStream

@Suite struct PubSubNotificationsTests {
    let service = jid("pubsub.example.org")
    let leaf = try! NodeID("site-a/floor-2/temp")  // test-only literal
    let payload = parse("<temp xmlns='urn:example' unit='C'>\n  21.5\t</temp>")

    func item() -> Item {
        Item(id: "r1", publisher: jid("device@example.org"), payload: ItemPayload.encode(payload),
             published: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func publishedWithSubIDAndCollectionHeaders() throws {
        let recipients = [
            Recipient(jid: jid("dash@example.org"), subscriptionIDs: [SubscriptionID("s1"), SubscriptionID("s2")],
                      collections: [try NodeID("site-a")]),
            Recipient(jid: jid("other@example.org"), subscriptionIDs: [SubscriptionID("s3")], collections: []),
        ]
        let delivery = Delivery(deliverPayloads: true, notificationType: .headline, presenceBased: false)
        let notifications = PubSubNotifications.notifications(
            for: .published(node: leaf, item: item(), delivery: delivery, recipients: recipients), service: service)
        #expect(notifications.count == 2)
        #expect(notifications[0].element == parse("""
            <message from='pubsub.example.org' to='dash@example.org' type='headline'>\
            <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='site-a/floor-2/temp'>\
            <item id='r1' publisher='device@example.org'><temp xmlns='urn:example' unit='C'>
              21.5\t</temp></item></items></event>\
            <headers xmlns='http://jabber.org/protocol/shim'><header name='SubID'>s1</header>\
            <header name='SubID'>s2</header><header name='Collection'>site-a</header></headers></message>
            """))
        // One subscription on the leaf itself: no headers.
        #expect(notifications[1].extras.isEmpty)
        // The event is one shared value.
        #expect(notifications[0].event == notifications[1].event)
    }

    @Test func serializeOnceMatchesFullSerialization() throws {
        let recipients = (0..<3).map {
            Recipient(jid: jid("u\($0)@example.org"), subscriptionIDs: [SubscriptionID("a"), SubscriptionID("b")],
                      collections: [])
        }
        let delivery = Delivery(deliverPayloads: true, notificationType: .normal, presenceBased: true)
        let notifications = PubSubNotifications.notifications(
            for: .published(node: leaf, item: item(), delivery: delivery, recipients: recipients), service: service)
        var eventBytes = ByteBuffer()
        notifications[0].event.write(to: &eventBytes, streamNamespace: Namespace.client)
        for notification in notifications {
            var fast = ByteBuffer()
            notification.write(eventBytes: eventBytes, to: &fast)
            var slow = ByteBuffer()
            notification.element.write(to: &slow, streamNamespace: Namespace.client)
            #expect(fast == slow)
            #expect(notification.presenceBased)
            #expect(notification.element[attribute: "type"] == nil)  // normal
        }
        // The stored payload bytes appear verbatim in the wire bytes.
        let wire = String(buffer: eventBytes)
        #expect(wire.contains(String(decoding: item().payload, as: UTF8.self)))
    }

    @Test func withoutPayloadWhenDeliverPayloadsIsOff() {
        let delivery = Delivery(deliverPayloads: false, notificationType: .headline, presenceBased: false)
        let recipient = Recipient(jid: jid("dash@example.org"), subscriptionIDs: [SubscriptionID("s")], collections: [])
        let notification = PubSubNotifications.notifications(
            for: .published(node: leaf, item: item(), delivery: delivery, recipients: [recipient]), service: service)[0]
        #expect(notification.event == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='site-a/floor-2/temp'>\
            <item id='r1' publisher='device@example.org'/></items></event>
            """))
    }

    @Test func nodeEvents() throws {
        let r = [Recipient(jid: jid("dash@example.org"), subscriptionIDs: [SubscriptionID("s")], collections: [try NodeID("site-a")])]
        func event(_ e: PubSubEvent) -> Element? {
            PubSubNotifications.notifications(for: e, service: service).first?.event
        }
        #expect(event(.retracted(node: leaf, itemIDs: ["r1"], recipients: r)) == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='site-a/floor-2/temp'><retract id='r1'/></items></event>
            """))
        #expect(event(.purged(node: leaf, recipients: r)) == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><purge node='site-a/floor-2/temp'/></event>
            """))
        #expect(event(.deleted(node: leaf, redirect: "xmpp:pubsub.example.org?;node=new", recipients: r)) == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><delete node='site-a/floor-2/temp'>\
            <redirect uri='xmpp:pubsub.example.org?;node=new'/></delete></event>
            """))
        let created = PubSubNotifications.notifications(for: .nodeCreated(node: leaf, recipients: r), service: service)[0]
        #expect(created.element == parse("""
            <message from='pubsub.example.org' to='dash@example.org' type='headline'>\
            <event xmlns='http://jabber.org/protocol/pubsub#event'><create node='site-a/floor-2/temp'/></event>\
            <headers xmlns='http://jabber.org/protocol/shim'><header name='Collection'>site-a</header></headers></message>
            """))
        var quiet = NodeConfiguration(); quiet.deliverPayloads = false
        #expect(event(.configured(node: leaf, configuration: quiet, recipients: r)) == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><configuration node='site-a/floor-2/temp'/></event>
            """))
        #expect(PubSubNotifications.notifications(for: .itemsRemoved(node: leaf, itemIDs: ["x"], reason: .expired),
                                                  service: service).isEmpty)
    }

    @Test func subscriptionChangeGoesToSubscriberAndOwners() {
        let subscription = Subscription(node: leaf, jid: jid("polonius@denmark.lit"), id: SubscriptionID("s"),
                                        state: .none, options: SubscriptionOptions())
        let notifications = PubSubNotifications.notifications(
            for: .subscriptionChanged(subscription, owners: [jid("hamlet@denmark.lit")]), service: service)
        #expect(notifications.map(\.to) == [jid("polonius@denmark.lit"), jid("hamlet@denmark.lit")])
        #expect(notifications[0].event == parse("""
            <event xmlns='http://jabber.org/protocol/pubsub#event'><subscription node='site-a/floor-2/temp' \
            jid='polonius@denmark.lit' subid='s' subscription='none'/></event>
            """))
        let approval = PubSubNotifications.notifications(
            for: .approvalRequested(subscription, owners: [jid("hamlet@denmark.lit")]), service: service)
        #expect(approval.first?.event.name == "x")
    }

    @Test func nonXMLPayloadIsDeliveredWithoutPayload() {
        #expect(ItemPayload.decode(Array("not xml <".utf8)) == nil)
        #expect(ItemPayload.decode([]) == nil)
        #expect(ItemPayload.decode(Array("<a xmlns='u'/><b xmlns='u'/>".utf8)) == nil)
    }
}
