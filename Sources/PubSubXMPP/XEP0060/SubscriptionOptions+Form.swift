import Foundation
import PubSub
import XMPPCore

/// `SubscriptionOptions` ⇄ the `http://jabber.org/protocol/pubsub#subscribe_options` form
/// (XEP-0060 §6.3, §16.4.2), including XEP-0248 §6.1 `pubsub#subscription_type` and
/// `pubsub#subscription_depth`.
///
/// ```
/// C: <options node='princely_musings' jid='francisco@denmark.lit'>
///      <x xmlns='jabber:x:data' type='submit'>
///        <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>
///        <field var='pubsub#deliver'><value>1</value></field>
///        <field var='pubsub#subscription_depth'><value>all</value></field>
///      </x>
///    </options>
/// ```
/// Unknown fields and bad values are bad-request + `invalid-options` (§6.3.5.2).
extension SubscriptionOptions {
    static let formFields: Set<String> = [
        "pubsub#deliver", "pubsub#expire", "pubsub#include_body", "pubsub#show-values",
        "pubsub#subscription_type", "pubsub#subscription_depth",
    ]

    /// Decodes a submitted options form over `base` (omitted fields keep their value).
    public static func decode(form: DataForm, base: SubscriptionOptions = SubscriptionOptions()) throws(StanzaError)
        -> SubscriptionOptions
    {
        let reader = try FormReader(
            form, formType: Namespace.pubsubSubscribeOptions, known: formFields,
            failure: PubSubError.invalidOptions.stanzaError
        )
        var o = base
        if let v = try reader.bool("pubsub#deliver") { o.deliver = v }
        if reader.has("pubsub#expire") {
            if let raw = try reader.string("pubsub#expire") {
                // §6.3.5 / XEP-0082 DateTime; "presence" leases (§13.19) are not supported.
                guard let date = DateTimeProfile.parse(raw) else {
                    throw reader.fail("field 'pubsub#expire': '\(raw)' is not a DateTime")
                }
                o.expire = date
            } else {
                o.expire = nil
            }
        }
        if let v = try reader.bool("pubsub#include_body") { o.includeBody = v }
        if reader.has("pubsub#show-values") { o.showValues = reader.strings("pubsub#show-values") }
        if let v = try reader.value("pubsub#subscription_type", as: SubscriptionType.self) { o.subscriptionType = v }
        if let raw = try reader.string("pubsub#subscription_depth") {
            // XEP-0248 §6.1: "any integer value, 0 or greater, or the value all".
            if raw == "all" {
                o.subscriptionDepth = .all
            } else if let levels = Int(raw), levels >= 0 {
                o.subscriptionDepth = .levels(levels)
            } else {
                throw reader.fail("field 'pubsub#subscription_depth': '\(raw)'")
            }
        }
        return o
    }

    /// The options as a form (§6.3.2 `type='form'`; §6.4.2 defaults).
    public func form(type: DataForm.FormType = .form) -> DataForm {
        let depth: String = switch subscriptionDepth {
        case .all: "all"
        case .levels(let levels): String(levels)
        }
        var fields: [DataForm.Field] = [
            .formType(Namespace.pubsubSubscribeOptions),
            .boolean("pubsub#deliver", "Enable delivery?", deliver),
            .make("pubsub#expire", .textSingle, "Requested lease expiration time",
                  [expire.map(DateTimeProfile.format) ?? ""]),
            .boolean("pubsub#include_body", "Receive message body in addition to payload?", includeBody),
            .make("pubsub#show-values", .listMulti, "Select the presence types which are allowed to receive event notifications",
                  showValues, options: ["away", "chat", "dnd", "online", "xa"]),
            .list("pubsub#subscription_type", "Type of notifications to receive", subscriptionType),
            .make("pubsub#subscription_depth", .listSingle, "Depth from subscription for which to receive notifications",
                  [depth], options: ["1", "all"] + (["1", "all"].contains(depth) ? [] : [depth])),
        ]
        if type == .submit {
            fields = fields.map { DataForm.Field(var: $0.var, type: $0.type, values: $0.values) }
        }
        return DataForm(type: type, fields: fields)
    }
}

/// XEP-0082 DateTime (`CCYY-MM-DDThh:mm:ss[.sss]TZD`), as `pubsub#expire` carries it.
enum DateTimeProfile {
    static func parse(_ string: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: string) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: string)
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
