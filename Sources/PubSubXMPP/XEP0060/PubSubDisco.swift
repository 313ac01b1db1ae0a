import Foundation
import PubSub
import XMPPCore

/// Service discovery for the pubsub service and its nodes (XEP-0060 §5.1–§5.4, XEP-0248 §5, XEP-0030).
///
/// ```
/// S: <query xmlns='http://jabber.org/protocol/disco#info' node='blogs'>
///      <identity category='pubsub' type='collection'/>
///      <feature var='http://jabber.org/protocol/pubsub'/>
///      <x xmlns='jabber:x:data' type='result'> … pubsub#meta-data … </x>
///    </query>                                                                         (§5.4)
/// ```
public enum PubSubDisco {
    /// The `pubsub#…` features (§10, §11) Starling implements, for the service's disco#info. Only
    /// what is reachable over XMPP (`get-pending` through the XEP-0050 command, GetPendingCommand);
    /// not `filtered-notifications` or `presence-notifications` (presence-triggered delivery).
    public static let defaultFeatures: [String] = [
        "access-authorize", "access-open", "access-presence", "access-roster", "access-whitelist",
        "auto-create", "collections", "config-node", "create-and-configure", "create-nodes", "delete-items",
        "delete-nodes", "get-pending", "instant-nodes", "item-ids", "manage-subscriptions",
        "meta-data", "modify-affiliations", "multi-collection", "multi-subscribe", "outcast-affiliation",
        "persistent-items", "publish", "publish-only-affiliation", "publish-options",
        "publisher-affiliation", "purge-nodes", "retract-items", "retrieve-affiliations", "retrieve-default",
        "retrieve-default-sub", "retrieve-items", "retrieve-subscriptions", "subscribe", "subscription-options",
        "subscription-notifications",
    ].map { "\(Namespace.pubsub)#\($0)" }

    /// §5.1: `<identity category='pubsub' type='service'/>`, the pubsub and RSM features, then `features`.
    public static func serviceInfo(features: [String] = defaultFeatures) -> Element {
        var query = Element("query", namespace: Namespace.discoInfo)
        query.append(Element("identity", namespace: Namespace.discoInfo, ["category": "pubsub", "type": "service"]))
        // XEP-0050 ad-hoc commands: §8.7 get-pending (GetPendingCommand).
        for feature in [Namespace.pubsub, Namespace.rsm, GetPendingCommand.commandsNamespace] + features {
            query.append(Element("feature", namespace: Namespace.discoInfo, ["var": feature]))
        }
        return query
    }

    /// §5.3 node identity and §5.4 meta-data form (§16.4.3).
    public static func nodeInfo(_ metadata: NodeMetadata) -> Element {
        let node = metadata.node
        let configuration = node.configuration
        var query = Element("query", namespace: Namespace.discoInfo, ["node": node.id.rawValue])
        query.append(Element("identity", namespace: Namespace.discoInfo, ["category": "pubsub", "type": node.type.rawValue]))
        query.append(Element("feature", namespace: Namespace.discoInfo, ["var": Namespace.pubsub]))
        func field(_ name: String, _ type: DataForm.FieldType, _ values: [String]) -> DataForm.Field {
            DataForm.Field(var: name, type: type, values: values)
        }
        var fields: [DataForm.Field] = [
            .formType(Namespace.pubsubMetadata),
            field("pubsub#type", .textSingle, [configuration.payloadType ?? ""]),
            field("pubsub#title", .textSingle, [configuration.title]),
            field("pubsub#description", .textSingle, [configuration.description]),
            field("pubsub#creation_date", .textSingle, [DateTimeProfile.format(node.created)]),
            field("pubsub#owner", .jidMulti, metadata.owners.map(\.description)),
            field("pubsub#publisher", .jidMulti, metadata.publishers.map(\.description)),
            field("pubsub#access_model", .listSingle, [configuration.accessModel.rawValue]),
            field("pubsub#publish_model", .listSingle, [configuration.publishModel.rawValue]),
            field("pubsub#num_subscribers", .textSingle, [String(metadata.subscriberCount)]),
            field("pubsub#collection", .textMulti, configuration.collections.map(\.rawValue)),
        ]
        if let creator = node.creator { fields.append(field("pubsub#creator", .jidSingle, [creator.description])) }
        if node.type == .collection {
            fields.append(field("pubsub#children", .textMulti, metadata.children.map(\.rawValue)))
        }
        query.append(DataForm(type: .result, fields: fields).element)
        return query
    }

    /// §5.5: a leaf's items, `<item jid='service' name='ItemID'/>` each; "the item MUST NOT possess a
    /// 'node' attribute", and the query echoes the node (JID+NodeID addressing, as §5.5 recommends).
    public static func itemIDs(_ ids: [String], node: NodeID, service: JID?) -> Element {
        var query = Element("query", namespace: Namespace.discoItems, ["node": node.rawValue])
        for id in ids {
            query.append(Element("item", namespace: Namespace.discoItems, ["jid": service?.description, "name": id]))
        }
        return query
    }

    /// §5.2 / XEP-0248 §5.2: `<item jid='service' node='…' name='title'/>` per node.
    public static func items(_ nodes: [NodeSummary], parent: NodeID?, service: JID?) -> Element {
        var query = Element("query", namespace: Namespace.discoItems, ["node": parent?.rawValue])
        for node in nodes {
            query.append(Element("item", namespace: Namespace.discoItems, [
                "jid": service?.description, "node": node.id.rawValue, "name": node.title.isEmpty ? nil : node.title,
            ]))
        }
        return query
    }
}
