import PubSub
import XMPPCore

/// Encodes a ``PubSubResult`` as the payload of the IQ result answering `command` (XEP-0060 §5–§8);
/// nil for an empty result.
///
/// ```
/// S: <iq type='result' …>
///      <pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='25e3d37dabbab9541f7523321421edc5bfeb2dae'/></pubsub>
///    </iq>                                                                                    (§8.1.2)
/// ```
public enum PubSubResponse {
    /// `service` is the pubsub service's JID, needed for the `jid` of disco#items entries (§5.2).
    public static func payload(for result: PubSubResult, command: PubSubCommand, service: JID? = nil) -> Element? {
        switch result {
        case .done:
            return nil
        case .created(let node):
            // §8.1.2: MUST for instant nodes; harmless and useful for named ones.
            return pubsub([Element("create", namespace: Namespace.pubsub, ["node": node.rawValue])])
        case .configuration(let configuration, let children):
            let form = configuration.form(children: children).element
            if case .getConfiguration(let node) = command {
                // §8.2.1
                return owner([Element("configure", namespace: Namespace.pubsubOwner, ["node": node.rawValue], children: [form])])
            }
            return owner([Element("default", namespace: Namespace.pubsubOwner, children: [form])])  // §8.3
        case .published(let node, let itemID):
            // §7.1.2
            let item = Element("item", namespace: Namespace.pubsub, ["id": itemID])
            return pubsub([Element("publish", namespace: Namespace.pubsub, ["node": node.rawValue], children: [item])])
        case .subscription(let subscription):
            switch command {
            case .getSubscriptionOptions:
                // §6.3.2: <options node jid subid><x type='form'/></options>
                var options = subscriptionElement(subscription, name: "options", state: false)
                options.append(subscription.options.form().element)
                return pubsub([options])
            case .setSubscriptionOptions:
                return nil  // §6.3.5: an empty result
            default:
                return pubsub([subscriptionElement(subscription, name: "subscription", state: true)])  // §6.1.2
            }
        case .subscriptionOptions(let options):
            // §6.4.2: <default node='…'?><x type='form'/></default>
            var node: String?
            if case .defaultSubscriptionOptions(let id) = command { node = id?.rawValue }
            return pubsub([Element("default", namespace: Namespace.pubsub, ["node": node], children: [options.form().element])])
        case .items(let node, let page):
            return items(node: node, page: page, command: command)
        case .collectionItems(let node, let page):
            return collectionItems(node: node, page: page, command: command)
        case .itemIDs(let node, let ids):
            return PubSubDisco.itemIDs(ids, node: node, service: service)
        case .subscriptions(let subscriptions):
            return subscriptionList(subscriptions, command: command)
        case .affiliations(let entries):
            return affiliationList(entries, command: command)
        case .metadata(let metadata):
            return PubSubDisco.nodeInfo(metadata)
        case .nodes(let nodes):
            var parent: NodeID?
            if case .childNodes(let of) = command { parent = of }
            return PubSubDisco.items(nodes, parent: parent, service: service)
        }
    }

    // <pubsub><items node='…'><item id='…' publisher='…'?>payload?</item>*</items><set xmlns='…rsm'/>?</pubsub>
    //                                                                         (§6.5.2, §6.5.4, XEP-0059 §2)
    private static func items(node: NodeID, page: ItemPage, command: PubSubCommand) -> Element {
        var items = Element("items", namespace: Namespace.pubsub, ["node": node.rawValue])
        for item in page.items {
            items.append(itemElement(item, namespace: Namespace.pubsub, payload: ItemPayload.decode(item.payload)))
        }
        var children = [items]
        // RSM: the cursor tokens are the UIDs clients hand back in <after/>/<before/>. Requests for
        // particular ids are not pages.
        if case .items(_, let query) = command, query.ids == nil {
            children.append(ResultSetPage(first: page.first?.token, last: page.last?.token, count: page.count).element)
        }
        return pubsub(children)
    }

    // <pubsub><items node='leaf-1'><item …/>*</items><items node='leaf-2'>…</items>*<set xmlns='…rsm'/>?</pubsub>
    //                                                                               (XEP-0248 §6.2.2)
    /// "When a collection contains multiple nodes with items it MUST return multiple <items/> elements, one
    /// per node": the `node` of each `<items/>` names the leaf. Leaves appear in the order of their oldest
    /// item on the page, items oldest first within each; an empty page is `<items node='collection'/>`.
    private static func collectionItems(node: NodeID, page: CollectionItemPage, command: PubSubCommand) -> Element {
        var order: [NodeID] = []
        var groups: [NodeID: Element] = [:]
        for entry in page.items {
            if groups[entry.node] == nil {
                order.append(entry.node)
                groups[entry.node] = Element("items", namespace: Namespace.pubsub, ["node": entry.node.rawValue])
            }
            groups[entry.node]?.append(
                itemElement(entry.item, namespace: Namespace.pubsub, payload: ItemPayload.decode(entry.item.payload)))
        }
        var children = order.compactMap { groups[$0] }
        if children.isEmpty { children = [Element("items", namespace: Namespace.pubsub, ["node": node.rawValue])] }
        if case .items(_, let query) = command, query.ids == nil {
            children.append(ResultSetPage(first: page.first?.token, last: page.last?.token, count: page.count).element)
        }
        return pubsub(children)
    }

    /// `<item id='…' publisher='…'?>payload?</item>` in `namespace` (pubsub for retrieval, pubsub#event
    /// for notifications); `publisher` per §7.1.2.3.
    static func itemElement(_ item: Item, namespace: String, payload: Element?) -> Element {
        Element(
            "item", namespace: namespace, ["id": item.id, "publisher": item.publisher?.description],
            children: payload.map { [$0] } ?? []
        )
    }

    private static func subscriptionElement(_ subscription: Subscription, name: String, state: Bool,
                                            namespace: String = Namespace.pubsub, node: Bool = true) -> Element {
        Element(name, namespace: namespace, [
            "node": node ? subscription.node.rawValue : nil,
            "jid": subscription.jid.description,
            "subid": subscription.id.rawValue,
            "subscription": state ? subscription.state.rawValue : nil,
        ])
    }

    private static func subscriptionList(_ subscriptions: [Subscription], command: PubSubCommand) -> Element {
        switch command {
        case .ownerSubscriptions(let node), .pending(let node):
            // §8.8.1: owner view, no per-entry node.
            let entries = subscriptions.map {
                subscriptionElement($0, name: "subscription", state: true, namespace: Namespace.pubsubOwner, node: false)
            }
            return owner([Element("subscriptions", namespace: Namespace.pubsubOwner, ["node": node.rawValue], children: entries)])
        default:
            // §5.6: entity view.
            var node: String?
            if case .subscriptions(let id) = command { node = id?.rawValue }
            let entries = subscriptions.map { subscriptionElement($0, name: "subscription", state: true) }
            return pubsub([Element("subscriptions", namespace: Namespace.pubsub, ["node": node], children: entries)])
        }
    }

    private static func affiliationList(_ entries: [AffiliationEntry], command: PubSubCommand) -> Element {
        if case .ownerAffiliations(let node) = command {
            // §8.9.1: <affiliation jid='…' affiliation='…'/>
            let list = entries.map {
                Element("affiliation", namespace: Namespace.pubsubOwner, ["jid": $0.jid.description, "affiliation": $0.affiliation.rawValue])
            }
            return owner([Element("affiliations", namespace: Namespace.pubsubOwner, ["node": node.rawValue], children: list)])
        }
        // §5.7: <affiliation node='…' affiliation='…'/>
        var node: String?
        if case .affiliations(let id) = command { node = id?.rawValue }
        let list = entries.map {
            Element("affiliation", namespace: Namespace.pubsub, ["node": $0.node.rawValue, "affiliation": $0.affiliation.rawValue])
        }
        return pubsub([Element("affiliations", namespace: Namespace.pubsub, ["node": node], children: list)])
    }

    private static func pubsub(_ children: [Element]) -> Element {
        Element("pubsub", namespace: Namespace.pubsub, children: children)
    }

    private static func owner(_ children: [Element]) -> Element {
        Element("pubsub", namespace: Namespace.pubsubOwner, children: children)
    }
}
