import PubSub
import PubSubXMPP
import Testing
import XMPPCore

/// XEP-0060 §8.6: decoding the owner's answer to a subscription authorization request.
@Suite struct ApprovalRequestTests {
    static func message(_ type: DataForm.FormType, _ fields: [(String, String)], formType: String = Namespace.pubsubSubscribeAuthorization) -> Message {
        var all = [DataForm.Field.formType(formType)]
        for (name, value) in fields { all.append(DataForm.Field(var: name, values: [value])) }
        return Message(type: .normal, to: try? JID("pubsub.example.com"), payload: [DataForm(type: type, fields: all).element])
    }

    @Test func submittedFormIsAnApproval() throws {
        let command = try PubSubRequest.approval(from: Self.message(.submit, [
            ("pubsub#subid", "s1"), ("pubsub#node", "site-a"), ("pubsub#subscriber_jid", "h@example.com"), ("pubsub#allow", "true"),
        ]))
        guard case .approve(let node, let subid, let allow)? = command else {
            Issue.record("not an approval: \(String(describing: command))")
            return
        }
        #expect(node.rawValue == "site-a")
        #expect(subid == SubscriptionID("s1"))
        #expect(allow)
    }

    @Test func denialCancelAndOtherMessages() throws {
        guard case .approve(_, _, false)? = try PubSubRequest.approval(from: Self.message(.submit, [
            ("pubsub#subid", "s1"), ("pubsub#node", "n"), ("pubsub#allow", "0"),
        ])) else {
            Issue.record("deny not decoded")
            return
        }
        // §8.6: a cancelled form leaves the request pending; other forms and plain messages are not approvals.
        #expect(try PubSubRequest.approval(from: Self.message(.cancel, [])) == nil)
        #expect(try PubSubRequest.approval(from: Self.message(.submit, [("x", "y")], formType: "urn:other")) == nil)
        #expect(try PubSubRequest.approval(from: Message(type: .chat)) == nil)
    }

    @Test(arguments: [
        [("pubsub#subid", "s1"), ("pubsub#allow", "true")],
        [("pubsub#node", "n"), ("pubsub#allow", "true")],
        [("pubsub#node", "n"), ("pubsub#subid", "s1")],
        [("pubsub#node", "n"), ("pubsub#subid", "s1"), ("pubsub#allow", "maybe")],
    ])
    func incompleteAnswersAreRejected(_ fields: [(String, String)]) {
        #expect(throws: StanzaError.self) { try PubSubRequest.approval(from: Self.message(.submit, fields)) }
    }
}
