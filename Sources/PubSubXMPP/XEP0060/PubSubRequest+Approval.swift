import PubSub
import XMPPCore

extension PubSubRequest {
    /// XEP-0060 §8.6 "Approving and Denying Subscription Requests": the owner answers the
    /// authorization form the service sent with a `<message/>` carrying it submitted.
    ///
    /// ```
    /// <message to='pubsub.example.com'>
    ///   <x xmlns='jabber:x:data' type='submit'>
    ///     <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_authorization</value></field>
    ///     <field var='pubsub#subid'><value>123-abc</value></field>
    ///     <field var='pubsub#node'><value>princely_musings</value></field>
    ///     <field var='pubsub#subscriber_jid'><value>horatio@denmark.lit</value></field>
    ///     <field var='pubsub#allow'><value>true</value></field>
    ///   </x>
    /// </message>
    /// ```
    /// Returns nil for messages that carry no such form, or a cancelled one (§8.6: the request
    /// then stays pending). A submitted form without node, subid or allow is a bad request.
    public static func approval(from message: Message) throws(StanzaError) -> PubSubCommand? {
        guard let x = message.element.child("x", namespace: Namespace.dataForms) else { return nil }
        let form = try DataForm(element: x)
        guard form.formType == Namespace.pubsubSubscribeAuthorization, form.type == .submit else { return nil }
        guard let rawNode = form.value("pubsub#node") else { throw .badRequest("pubsub#node is required") }
        let node: NodeID
        do {
            node = try NodeID(rawNode)
        } catch {
            throw error.stanzaError
        }
        guard let subid = form.value("pubsub#subid") else { throw PubSubError.subIDRequired.stanzaError }
        guard let allow = try form.bool("pubsub#allow") else { throw .badRequest("pubsub#allow is required") }
        return .approve(node: node, subscriptionID: SubscriptionID(subid), allow: allow)
    }
}
