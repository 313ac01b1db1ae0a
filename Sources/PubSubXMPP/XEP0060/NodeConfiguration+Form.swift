import PubSub
import XMPPCore

/// `NodeConfiguration` ⇄ the `http://jabber.org/protocol/pubsub#node_config` data form
/// (XEP-0060 §16.4.4, XEP-0248 §12.2.2).
///
/// ```
/// S: <x xmlns='jabber:x:data' type='form'>
///      <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>
///      <field var='pubsub#max_items' type='text-single' label='Max # of items to persist'><value>10</value></field>
///      …
/// C: <x xmlns='jabber:x:data' type='submit'> … <field var='pubsub#max_items'><value>max</value></field> …
/// ```
///
/// Submitted fields override `base`; omitted ones keep its value (XEP-0004 §3.5). An unknown field or a
/// value the service cannot apply is `not-acceptable` (§8.2.5.2).
extension NodeConfiguration {
    /// Every `var` this codec reads and writes (besides FORM_TYPE).
    static let formFields: Set<String> = [
        "pubsub#node_type", "pubsub#title", "pubsub#description", "pubsub#type", "pubsub#max_items",
        "pubsub#item_expire", "pubsub#access_model", "pubsub#publish_model", "pubsub#deliver_payloads",
        "pubsub#deliver_notifications", "pubsub#notify_config", "pubsub#notify_delete",
        "pubsub#notify_retract", "pubsub#notify_sub", "pubsub#persist_items",
        "pubsub#presence_based_delivery", "pubsub#send_last_published_item", "pubsub#notification_type",
        "pubsub#max_payload_size", "pubsub#roster_groups_allowed", "pubsub#subscribe", "pubsub#collection",
        "pubsub#children", "pubsub#children_association_policy", "pubsub#children_association_whitelist",
        "pubsub#children_max", "pubsub#publish_node_full",
    ]

    /// Decodes a submitted configuration over `base`; `children` is the `pubsub#children` field when
    /// sent (XEP-0248 §7.2: the exact set of child nodes).
    public static func decode(form: DataForm, base: NodeConfiguration) throws(StanzaError)
        -> (configuration: NodeConfiguration, children: [NodeID]?)
    {
        let reader = try FormReader(
            form, formType: Namespace.pubsubNodeConfig, known: formFields,
            failure: StanzaError(.notAcceptable, type: .modify)
        )
        var c = base
        if let v = try reader.value("pubsub#node_type", as: NodeType.self) { c.nodeType = v }
        if reader.has("pubsub#title") { c.title = try reader.string("pubsub#title") ?? "" }
        if reader.has("pubsub#description") { c.description = try reader.string("pubsub#description") ?? "" }
        if reader.has("pubsub#type") { c.payloadType = try reader.string("pubsub#type") }
        if case .some(let v) = try reader.countOrMax("pubsub#max_items") { c.maxItems = v }
        if reader.has("pubsub#item_expire") {
            // Seconds; empty or 0 means items never expire.
            let seconds = try reader.count("pubsub#item_expire")
            c.itemExpire = seconds.flatMap { $0 == 0 ? nil : Duration.seconds($0) }
        }
        if let v = try reader.value("pubsub#publish_node_full", as: PublishNodeFull.self) { c.publishNodeFull = v }
        if let v = try reader.value("pubsub#access_model", as: AccessModel.self) { c.accessModel = v }
        if let v = try reader.value("pubsub#publish_model", as: PublishModel.self) { c.publishModel = v }
        if let v = try reader.bool("pubsub#deliver_payloads") { c.deliverPayloads = v }
        if let v = try reader.bool("pubsub#deliver_notifications") { c.deliverNotifications = v }
        if let v = try reader.bool("pubsub#notify_config") { c.notifyConfig = v }
        if let v = try reader.bool("pubsub#notify_delete") { c.notifyDelete = v }
        if let v = try reader.bool("pubsub#notify_retract") { c.notifyRetract = v }
        if let v = try reader.bool("pubsub#notify_sub") { c.notifySub = v }
        if let v = try reader.bool("pubsub#persist_items") { c.persistItems = v }
        if let v = try reader.bool("pubsub#presence_based_delivery") { c.presenceBasedDelivery = v }
        if let v = try reader.value("pubsub#send_last_published_item", as: SendLastPublishedItem.self) {
            c.sendLastPublishedItem = v
        }
        if let v = try reader.value("pubsub#notification_type", as: NotificationType.self) { c.notificationType = v }
        if reader.has("pubsub#max_payload_size") {
            if case .some(let v) = try reader.countOrMax("pubsub#max_payload_size") { c.maxPayloadSize = v } else {
                c.maxPayloadSize = nil
            }
        }
        if reader.has("pubsub#roster_groups_allowed") { c.rosterGroupsAllowed = reader.strings("pubsub#roster_groups_allowed") }
        if let v = try reader.bool("pubsub#subscribe") { c.subscribe = v }
        if reader.has("pubsub#collection") { c.collections = try nodeIDs(reader, "pubsub#collection") }
        if let v = try reader.value("pubsub#children_association_policy", as: ChildrenAssociationPolicy.self) {
            c.childrenAssociationPolicy = v
        }
        if reader.has("pubsub#children_association_whitelist") {
            c.childrenAssociationWhitelist = try reader.jids("pubsub#children_association_whitelist")
        }
        if reader.has("pubsub#children_max") {
            if case .some(let v) = try reader.countOrMax("pubsub#children_max") { c.childrenMax = v } else {
                c.childrenMax = nil
            }
        }
        let children = reader.has("pubsub#children") ? try nodeIDs(reader, "pubsub#children") : nil
        return (c, children)
    }

    private static func nodeIDs(_ reader: FormReader, _ name: String) throws(StanzaError) -> [NodeID] {
        var ids: [NodeID] = []
        for raw in reader.strings(name) {
            do { ids.append(try NodeID(raw)) } catch { throw reader.fail("field '\(name)': invalid NodeID") }
        }
        return ids
    }

    /// The configuration as a form (`type='form'` for §8.2.1 and §8.3; `type='submit'` to send one).
    public func form(children: [NodeID], type: DataForm.FormType = .form) -> DataForm {
        typealias F = DataForm.Field
        let seconds = itemExpire.map { String($0.components.seconds) } ?? ""
        var fields: [F] = [
            .formType(Namespace.pubsubNodeConfig),
            .make("pubsub#node_type", .listSingle, "Node type", [nodeType.rawValue], options: ["leaf", "collection"]),
            .make("pubsub#title", .textSingle, "A friendly name for the node", [title]),
            .make("pubsub#description", .textSingle, "A description of the node", [description]),
            .make("pubsub#type", .textSingle, "The type of node data, usually specified by the namespace of the payload",
                  [payloadType ?? ""]),
            .make("pubsub#max_items", .textSingle, "Max # of items to persist", [maxItems.map(String.init) ?? "max"]),
            .make("pubsub#item_expire", .textSingle, "Number of seconds after which to automatically purge items",
                  [seconds]),
            .list("pubsub#publish_node_full", "Action to be performed by the service when publishing on a full node",
                  publishNodeFull),
            .list("pubsub#access_model", "Specify the subscriber model", accessModel),
            .list("pubsub#publish_model", "Specify the publisher model", publishModel),
            .boolean("pubsub#deliver_payloads", "Deliver payloads with event notifications", deliverPayloads),
            .boolean("pubsub#deliver_notifications", "Deliver event notifications", deliverNotifications),
            .boolean("pubsub#notify_config", "Notify subscribers when the node configuration changes", notifyConfig),
            .boolean("pubsub#notify_delete", "Notify subscribers when the node is deleted", notifyDelete),
            .boolean("pubsub#notify_retract", "Notify subscribers when items are removed from the node", notifyRetract),
            .boolean("pubsub#notify_sub", "Notify owners about new subscribers and unsubscribes", notifySub),
            .boolean("pubsub#persist_items", "Persist items to storage", persistItems),
            .boolean("pubsub#presence_based_delivery", "Deliver notifications only to available users",
                     presenceBasedDelivery),
            .list("pubsub#send_last_published_item", "When to send the last published item", sendLastPublishedItem),
            .list("pubsub#notification_type", "Specify the delivery style for notifications", notificationType),
            .make("pubsub#max_payload_size", .textSingle, "Max Payload size in bytes",
                  [maxPayloadSize.map(String.init) ?? ""]),
            .make("pubsub#roster_groups_allowed", .listMulti, "Roster groups allowed to subscribe",
                  rosterGroupsAllowed, options: rosterGroupsAllowed),
            .boolean("pubsub#subscribe", "Whether to allow subscriptions", subscribe),
            .make("pubsub#collection", .textMulti, "The collections with which a node is affiliated",
                  collections.map(\.rawValue)),
        ]
        if nodeType == .collection {
            fields += [
                .make("pubsub#children", .textMulti, "The child nodes (leaf or collection) associated with a collection",
                      children.map(\.rawValue)),
                .list("pubsub#children_association_policy", "Who may associate leaf nodes with a collection",
                      childrenAssociationPolicy),
                .make("pubsub#children_association_whitelist", .jidMulti,
                      "The list of JIDs that may associate leaf nodes with a collection",
                      childrenAssociationWhitelist.map(\.description)),
                .make("pubsub#children_max", .textSingle, "The maximum number of child nodes that can be associated with a collection",
                      [childrenMax.map(String.init) ?? ""]),
            ]
        }
        if type == .submit {
            // A submitted form carries values only (XEP-0004 §3.5 leaves labels and options to `form`s).
            fields = fields.map { DataForm.Field(var: $0.var, type: $0.type, values: $0.values) }
        }
        return DataForm(type: type, fields: fields)
    }
}
