import PubSub
import XMPPCore

/// `PublishOptions` ⇄ the `http://jabber.org/protocol/pubsub#publish-options` form (XEP-0060 §7.1.5).
///
/// ```
/// C: <publish-options>
///      <x xmlns='jabber:x:data' type='submit'>
///        <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>
///        <field var='pubsub#access_model'><value>presence</value></field>
///      </x>
///    </publish-options>
/// ```
/// §7.1.5: the service "MUST reject the publication upon encountering unknown fields"; like a
/// precondition that does not hold, that is conflict + `precondition-not-met`, as is a value that is
/// not one of the field's values.
extension PublishOptions {
    static let formFields: Set<String> = [
        "pubsub#access_model", "pubsub#publish_model", "pubsub#max_items", "pubsub#persist_items",
        "pubsub#deliver_payloads", "pubsub#deliver_notifications", "pubsub#send_last_published_item",
        "pubsub#notification_type", "pubsub#type", "pubsub#title", "pubsub#roster_groups_allowed",
    ]

    public static func decode(form: DataForm) throws(StanzaError) -> PublishOptions {
        let reader = try FormReader(
            form, formType: Namespace.pubsubPublishOptions, known: formFields,
            failure: PubSubError.preconditionNotMet.stanzaError
        )
        var o = PublishOptions()
        o.accessModel = try reader.value("pubsub#access_model", as: AccessModel.self)
        o.publishModel = try reader.value("pubsub#publish_model", as: PublishModel.self)
        o.maxItems = try reader.countOrMax("pubsub#max_items")
        o.persistItems = try reader.bool("pubsub#persist_items")
        o.deliverPayloads = try reader.bool("pubsub#deliver_payloads")
        o.deliverNotifications = try reader.bool("pubsub#deliver_notifications")
        o.sendLastPublishedItem = try reader.value("pubsub#send_last_published_item", as: SendLastPublishedItem.self)
        o.notificationType = try reader.value("pubsub#notification_type", as: NotificationType.self)
        o.payloadType = try reader.string("pubsub#type")
        o.title = try reader.string("pubsub#title")
        if reader.has("pubsub#roster_groups_allowed") { o.rosterGroupsAllowed = reader.strings("pubsub#roster_groups_allowed") }
        return o
    }

    /// The preconditions as a `submit` form (what a publishing client sends).
    public var form: DataForm {
        var fields: [DataForm.Field] = [.formType(Namespace.pubsubPublishOptions)]
        func add(_ name: String, _ values: [String]?) {
            if let values { fields.append(DataForm.Field(var: name, values: values)) }
        }
        add("pubsub#access_model", accessModel.map { [$0.rawValue] })
        add("pubsub#publish_model", publishModel.map { [$0.rawValue] })
        add("pubsub#max_items", maxItems.map { [$0.map(String.init) ?? "max"] })
        add("pubsub#persist_items", persistItems.map { [$0 ? "1" : "0"] })
        add("pubsub#deliver_payloads", deliverPayloads.map { [$0 ? "1" : "0"] })
        add("pubsub#deliver_notifications", deliverNotifications.map { [$0 ? "1" : "0"] })
        add("pubsub#send_last_published_item", sendLastPublishedItem.map { [$0.rawValue] })
        add("pubsub#notification_type", notificationType.map { [$0.rawValue] })
        add("pubsub#type", payloadType.map { [$0] })
        add("pubsub#title", title.map { [$0] })
        add("pubsub#roster_groups_allowed", rosterGroupsAllowed)
        return DataForm(type: .submit, fields: fields)
    }
}
