import Foundation
import PubSub
import XMPPCore

/// Turns a ``PubSubEvent`` into the `<message/>`s XEP-0060 §7.1.2, §7.2.2.1, §8.2.5.3, §8.4.2, §8.5.2,
/// §8.6, §8.8.4 and XEP-0248 §5.3 describe, one per recipient.
///
/// The `<event/>` is built once per event (the payload parsed from its stored bytes once) and shared by
/// every ``Notification``; see ``Notification/write(eventBytes:to:streamNamespace:)`` to serialize it once.
public enum PubSubNotifications {
    public static func notifications(for event: PubSubEvent, service: JID) -> [Notification] {
        switch event {
        case .published(let node, let item, let delivery, let recipients):
            // Nobody to tell (a node without subscribers): no payload parse, no event element.
            guard !recipients.isEmpty else { return [] }
            // §7.1.2.1 with payload, §7.1.2.2 without (pubsub#deliver_payloads false).
            let shared = itemsEvent(node: node, item: item, withPayload: delivery.deliverPayloads)
            let body = Body(node: node, item: item, delivery: delivery, recipients: recipients)
            return recipients.map {
                Notification(to: $0.jid, from: service, type: messageType(delivery.notificationType), event: shared,
                             extras: body.extras(for: $0) + headers($0), presenceBased: delivery.presenceBased)
            }
        case .lastPublished(let node, let item, let delivery, let recipient):
            // §6.1.7: the last item on subscription, stamped with XEP-0203 delay.
            let shared = itemsEvent(node: node, item: item, withPayload: delivery.deliverPayloads)
            let body = Body(node: node, item: item, delivery: delivery, recipients: [recipient])
            let delay = Element("delay", namespace: Namespace.delay,
                                ["from": service.description, "stamp": DateTimeProfile.format(item.published)])
            return [Notification(to: recipient.jid, from: service, type: messageType(delivery.notificationType),
                                 event: shared, extras: body.extras(for: recipient) + headers(recipient) + [delay],
                                 presenceBased: delivery.presenceBased)]
        case .notified(let node, let delivery, let recipients):
            // §4.3: a notification-only transient node "MUST include an empty <items/> element".
            let shared = eventElement(Element("items", namespace: Namespace.pubsubEvent, ["node": node.rawValue]))
            return recipients.map {
                Notification(to: $0.jid, from: service, type: messageType(delivery.notificationType), event: shared,
                             extras: headers($0), presenceBased: delivery.presenceBased)
            }
        case .associated(let collection, let node, let recipients),
             .dissociated(let collection, let node, let recipients):
            // XEP-0248 §5.3.2: <collection node='parent'><associate node='child'/></collection> (or dissociate).
            var name = "associate"
            if case .dissociated = event { name = "dissociate" }
            let change = Element("collection", namespace: Namespace.pubsubEvent, ["node": collection.rawValue],
                                 children: [Element(name, namespace: Namespace.pubsubEvent, ["node": node.rawValue])])
            return broadcast(eventElement(change), to: recipients, from: service)
        case .retracted(let node, let itemIDs, let recipients):
            // §7.2.2.1: <items node='…'><retract id='…'/></items>
            let retracts = itemIDs.map { Element("retract", namespace: Namespace.pubsubEvent, ["id": $0]) }
            return broadcast(eventElement(Element("items", namespace: Namespace.pubsubEvent, ["node": node.rawValue],
                                                  children: retracts)), to: recipients, from: service)
        case .itemsRemoved:
            return []  // retention is silent in XEP-0060; bridges and upload stores consume the event
        case .purged(let node, let recipients):
            // §8.5.2: <purge node='…'/>
            return broadcast(eventElement(Element("purge", namespace: Namespace.pubsubEvent, ["node": node.rawValue])),
                             to: recipients, from: service)
        case .deleted(let node, let redirect, let recipients):
            // §8.4.2: <delete node='…'><redirect uri='…'/>?</delete>
            var delete = Element("delete", namespace: Namespace.pubsubEvent, ["node": node.rawValue])
            if let redirect { delete.append(Element("redirect", namespace: Namespace.pubsubEvent, ["uri": redirect])) }
            return broadcast(eventElement(delete), to: recipients, from: service)
        case .configured(let node, let configuration, let recipients):
            // §8.2.5.3: <configuration node='…'/>, with the form when payloads are delivered (§8.2.5.3.2).
            var element = Element("configuration", namespace: Namespace.pubsubEvent, ["node": node.rawValue])
            if configuration.deliverPayloads {
                var form = configuration.form(children: [])
                form.type = .result
                form.fields = form.fields.map { DataForm.Field(var: $0.var, type: $0.type, values: $0.values) }
                element.append(form.element)
            }
            return broadcast(eventElement(element), to: recipients, from: service)
        case .nodeCreated(let node, let recipients):
            // XEP-0248 §5.3 "Notifications about Nodes": <create node='…'/> + Collection header.
            return broadcast(eventElement(Element("create", namespace: Namespace.pubsubEvent, ["node": node.rawValue])),
                             to: recipients, from: service)
        case .subscriptionChanged(let subscription, let owners):
            // §8.8.4 / §13.14: <subscription node='…' jid='…' subid='…' subscription='…'/>
            let shared = eventElement(Element("subscription", namespace: Namespace.pubsubEvent, [
                "node": subscription.node.rawValue, "jid": subscription.jid.description,
                "subid": subscription.id.rawValue, "subscription": subscription.state.rawValue,
            ]))
            var targets = [subscription.jid]
            for owner in owners where !targets.contains(owner) { targets.append(owner) }
            return targets.map { Notification(to: $0, from: service, type: .normal, event: shared) }
        case .approvalRequested(let subscription, let owners):
            // §8.6: the pubsub#subscribe_authorization form, to each owner.
            let form = authorizationForm(subscription).element
            return owners.map { Notification(to: $0, from: service, type: .normal, event: form) }
        }
    }

    /// The §13.8 body of one item event, built once (payload parsed once) and only when a recipient wants it.
    private struct Body {
        let element: Element?

        init(node: NodeID, item: Item, delivery: Delivery, recipients: [Recipient]) {
            guard recipients.contains(where: \.includeBody) else {
                element = nil
                return
            }
            // Payload text only where payloads are delivered: a notification-only node keeps it private.
            let payload = delivery.deliverPayloads ? ItemPayload.decode(item.payload) : nil
            element = NotificationBody.element(
                NotificationBody.text(node: node, title: delivery.title, itemID: item.id, payload: payload))
        }

        func extras(for recipient: Recipient) -> [Element] {
            guard recipient.includeBody, let element else { return [] }
            return [element]
        }
    }

    /// `<event xmlns='…#event'><items node='…'><item id='…' publisher='…'?>payload?</item></items></event>`
    static func itemsEvent(node: NodeID, item: Item, withPayload: Bool) -> Element {
        let payload = withPayload ? ItemPayload.decode(item.payload) : nil
        let itemElement = PubSubResponse.itemElement(item, namespace: Namespace.pubsubEvent, payload: payload)
        return eventElement(Element("items", namespace: Namespace.pubsubEvent, ["node": node.rawValue],
                                    children: [itemElement]))
    }

    /// §8.6 example "Service sends authorization request to node owner".
    public static func authorizationForm(_ subscription: Subscription) -> DataForm {
        DataForm(type: .form, title: "PubSub subscriber request", fields: [
            .formType(Namespace.pubsubSubscribeAuthorization),
            DataForm.Field(var: "pubsub#subid", type: .hidden, values: [subscription.id.rawValue]),
            DataForm.Field(var: "pubsub#node", type: .textSingle, label: "Node ID", values: [subscription.node.rawValue]),
            DataForm.Field(var: "pubsub#subscriber_jid", type: .jidSingle, label: "Subscriber Address",
                           values: [subscription.jid.description]),
            DataForm.Field(var: "pubsub#allow", type: .boolean,
                           label: "Allow this JID to subscribe to this pubsub node?", values: ["false"]),
        ])
    }

    private static func eventElement(_ child: Element) -> Element {
        Element("event", namespace: Namespace.pubsubEvent, children: [child])
    }

    private static func broadcast(_ shared: Element, to recipients: [Recipient], from service: JID) -> [Notification] {
        recipients.map { Notification(to: $0.jid, from: service, type: .headline, event: shared, extras: headers($0)) }
    }

    private static func headers(_ recipient: Recipient) -> [Element] {
        let headers = recipient.shimHeaders
        return headers.isEmpty ? [] : [headers.element]
    }

    private static func messageType(_ type: NotificationType) -> Message.MessageType {
        switch type {
        case .headline: .headline
        case .normal: .normal
        }
    }
}
