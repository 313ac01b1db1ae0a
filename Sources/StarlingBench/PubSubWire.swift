import NIOCore
import XMPPCore

/// The XEP-0060 (and XEP-0248) requests the pubsub scenarios send, and the one thing they read
/// from notifications. Only what Starling, Prosody (mod_pubsub) and ejabberd (mod_pubsub, `flat`
/// plugin) all implement, so one tool measures all three; collection fields are used by `subtree`
/// only (XEP-0248: Starling alone implements it).
enum PubSubWire {
    static let pubsub = "http://jabber.org/protocol/pubsub"
    static let owner = "http://jabber.org/protocol/pubsub#owner"
    static let event = "http://jabber.org/protocol/pubsub#event"
    static let dataForms = "jabber:x:data"
    static let ping = "urn:xmpp:ping"
    /// Namespace of the benchmark's own item payload: `<t xmlns=… ts='ns' seq='n'>filler</t>`.
    static let payload = "urn:starling:bench"

    /// How a benchmark node is configured at creation (XEP-0060 §8.1.3 create-and-configure, §16.4.4
    /// field names): anyone may subscribe and publish (so one owner session sets up every node and
    /// any bench account may publish, since Prosody lets only admins create nodes), items persisted
    /// and trimmed to a few, no last-item or retract/delete notifications to muddy the counts.
    struct NodeSettings: Sendable {
        var maxItems = 10
        /// XEP-0248 §7.1: `collection` for a collection node; nil leaves the server's default (leaf).
        var nodeType: String?
        /// XEP-0248 §7.1.1: the collection this node is associated with.
        var collection: String?
    }

    /// `<pubsub><create node=…/><configure><x type='submit'>…</x></configure></pubsub>` (§8.1.3).
    static func create(node: String, settings: NodeSettings) -> Element {
        var fields: [(String, String)] = [
            ("pubsub#access_model", "open"),
            ("pubsub#publish_model", "open"),
            ("pubsub#persist_items", "1"),
            ("pubsub#max_items", String(settings.maxItems)),
            ("pubsub#deliver_payloads", "1"),
            ("pubsub#send_last_published_item", "never"),
            ("pubsub#notify_retract", "0"),
            ("pubsub#notify_delete", "0"),
        ]
        if let type = settings.nodeType {
            fields.append(("pubsub#node_type", type))
            if type == "collection" {
                // A collection holds no items (XEP-0248 §4.1); max_items/persist_items do not apply.
                fields.removeAll { ["pubsub#max_items", "pubsub#persist_items", "pubsub#deliver_payloads"].contains($0.0) }
            }
        }
        if let collection = settings.collection { fields.append(("pubsub#collection", collection)) }
        let form = submitForm(type: "http://jabber.org/protocol/pubsub#node_config", fields: fields)
        return Element("pubsub", namespace: pubsub, children: [
            Element("create", namespace: pubsub, ["node": node]),
            Element("configure", namespace: pubsub, children: [form]),
        ])
    }

    /// `<pubsub xmlns=…#owner><delete node=…/></pubsub>` (§8.4.1).
    static func delete(node: String) -> Element {
        Element("pubsub", namespace: owner, children: [Element("delete", namespace: owner, ["node": node])])
    }

    /// `<pubsub><subscribe node=… jid=…/>[<options>…</options>]</pubsub>` (§6.1.1, §6.3.7
    /// subscribe-and-configure). `depthAll` asks for items from the whole subtree of a collection
    /// (XEP-0248 §6.1: subscription_type items, subscription_depth all).
    static func subscribe(node: String, jid: String, depthAll: Bool) -> Element {
        var children = [Element("subscribe", namespace: pubsub, ["node": node, "jid": jid])]
        if depthAll {
            let form = submitForm(type: "http://jabber.org/protocol/pubsub#subscribe_options", fields: [
                ("pubsub#deliver", "1"),
                ("pubsub#subscription_type", "items"),
                ("pubsub#subscription_depth", "all"),
            ])
            children.append(Element("options", namespace: pubsub, children: [form]))
        }
        return Element("pubsub", namespace: pubsub, children: children)
    }

    /// `<pubsub><publish node=…><item id=…><t xmlns=urn:starling:bench ts=… seq=…>x…</t></item></publish></pubsub>`
    /// (§7.1.1). `ts` is CLOCK_MONOTONIC nanoseconds, comparable across processes of one machine.
    static func publish(node: String, itemID: String, sequence: Int, timestamp: UInt64, filler: String) -> Element {
        let payload = Element("t", namespace: payload, ["ts": String(timestamp), "seq": String(sequence)], text: filler)
        return Element("pubsub", namespace: pubsub, children: [
            Element("publish", namespace: pubsub, ["node": node], children: [
                Element("item", namespace: pubsub, ["id": itemID], children: [payload]),
            ]),
        ])
    }

    /// The items of an event notification (§7.1.2.1: `<message><event><items node=…><item>…`), as
    /// the payload timestamps (nil when an item carries none). Empty for any other stanza.
    static func notifiedItems(in message: Element) -> [UInt64?] {
        guard message.name == "message",
              let items = message.child("event", namespace: event)?.child("items", namespace: event)
        else { return [] }
        return items.children("item", namespace: event).map { item in
            item.child("t", namespace: payload)?[attribute: "ts"].flatMap { UInt64($0) }
        }
    }

    private static func submitForm(type: String, fields: [(String, String)]) -> Element {
        var children = [Element("field", namespace: dataForms, ["var": "FORM_TYPE", "type": "hidden"],
                                children: [Element("value", namespace: dataForms, text: type)])]
        for (name, value) in fields {
            children.append(Element("field", namespace: dataForms, ["var": name],
                                    children: [Element("value", namespace: dataForms, text: value)]))
        }
        return Element("x", namespace: dataForms, ["type": "submit"], children: children)
    }
}
