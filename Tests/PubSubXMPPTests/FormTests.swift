import Foundation
import PubSub
import PubSubXMPP
import Testing
import XMPPCore
import XMPPStream

@Suite struct FormTests {
    @Test func nodeConfigurationRoundTrip() throws {
        var c = NodeConfiguration.defaults(for: .collection)
        c.title = "Site A"; c.description = "floors"; c.payloadType = "urn:example:temp"
        c.maxItems = nil; c.itemExpire = .seconds(3600); c.accessModel = .authorize; c.publishModel = .open
        c.deliverPayloads = false; c.deliverNotifications = false; c.notifyConfig = true; c.notifyDelete = true
        c.notifyRetract = true; c.notifySub = true; c.persistItems = false; c.presenceBasedDelivery = true
        c.sendLastPublishedItem = .onSubAndPresence; c.notificationType = .normal; c.maxPayloadSize = 65536
        c.rosterGroupsAllowed = ["ops"]; c.subscribe = false; c.collections = [try NodeID("root")]
        c.childrenAssociationPolicy = .whitelist; c.childrenAssociationWhitelist = [jid("admin@example.org")]
        c.childrenMax = 20; c.publishNodeFull = .reject
        let children = [try NodeID("site-a/floor-2")]
        for type in [DataForm.FormType.form, .submit] {
            // Through XML and back, as a peer would see it.
            let form = try DataForm(element: parse(serializedForm(c.form(children: children, type: type))))
            var asSubmit = form
            asSubmit.type = .submit
            let decoded = try NodeConfiguration.decode(form: asSubmit, base: NodeConfiguration())
            #expect(decoded.configuration == c)
            #expect(decoded.children == children)
        }
        #expect(c.form(children: []).value("pubsub#max_items") == "max")
    }

    @Test func unknownFieldAndBadValueAreNotAcceptable() {
        for (name, value) in [("pubsub#bogus", "1"), ("pubsub#access_model", "everyone"), ("pubsub#max_items", "-1"),
                              ("pubsub#deliver_payloads", "maybe"), ("pubsub#max_items", "lots")] {
            let form = DataForm(type: .submit, fields: [
                .formType(Namespace.pubsubNodeConfig), DataForm.Field(var: name, values: [value]),
            ])
            do {
                _ = try NodeConfiguration.decode(form: form, base: NodeConfiguration())
                Issue.record("\(name)=\(value) accepted")
            } catch {
                #expect(error.condition == .notAcceptable, "\(name)=\(value)")
            }
        }
    }

    @Test func omittedFieldsKeepTheBase() throws {
        var base = NodeConfiguration(); base.title = "kept"
        let form = DataForm(type: .submit, fields: [DataForm.Field(var: "pubsub#max_items", values: ["5"])])
        let decoded = try NodeConfiguration.decode(form: form, base: base).configuration
        #expect(decoded.title == "kept" && decoded.maxItems == 5)
    }

    @Test func subscriptionOptionsRoundTrip() throws {
        let options = SubscriptionOptions(deliver: false, expire: Date(timeIntervalSince1970: 1_800_000_000),
                                          includeBody: true, showValues: ["chat", "online"],
                                          subscriptionType: .items, subscriptionDepth: .levels(3))
        var form = options.form(type: .submit)
        form = try DataForm(element: parse(serializedForm(form)))
        #expect(try SubscriptionOptions.decode(form: form) == options)
        let bad = DataForm(type: .submit, fields: [DataForm.Field(var: "pubsub#subscription_depth", values: ["deep"])])
        #expect(throws: PubSubError.invalidOptions.stanzaError.withText("field 'pubsub#subscription_depth': 'deep'")) {
            try SubscriptionOptions.decode(form: bad)
        }
    }

    @Test func publishOptionsRoundTrip() throws {
        let options = PublishOptions(accessModel: .whitelist, publishModel: .open, maxItems: .some(7), persistItems: true,
                                     deliverPayloads: false, deliverNotifications: true, sendLastPublishedItem: .onSub,
                                     notificationType: .normal, payloadType: "urn:t", title: "T",
                                     rosterGroupsAllowed: ["a", "b"])
        #expect(try PublishOptions.decode(form: DataForm(element: parse(serializedForm(options.form)))) == options)
    }

    private func serializedForm(_ form: DataForm) -> String {
        form.element.serialized(streamNamespace: Namespace.client)
    }
}

extension StanzaError {
    func withText(_ text: String) -> StanzaError {
        var copy = self
        copy.text = text
        return copy
    }
}
