import PubSub
import XMPPCore

/// Decodes a pubsub request IQ into a ``PubSubCommand`` (XEP-0060 §5–§8, XEP-0248, XEP-0059 paging).
///
/// ```
/// C: <iq type='set' from='device@example.org/a' to='pubsub.example.org' id='p1'>
///      <pubsub xmlns='http://jabber.org/protocol/pubsub'>
///        <publish node='site-a/floor-2/temp'><item id='r1'><temp xmlns='urn:example'>21.5</temp></item></publish>
///      </pubsub>
///    </iq>
/// ```
///
/// Malformed requests are bad-request (with the `pubsub#errors` condition the XEP names, such as
/// `nodeid-required` or `invalid-payload`); authorization and state errors are the domain's.
/// A disco#info query without a node is about the service itself and has no command: answer it with
/// ``PubSubDisco/serviceInfo(features:)`` after checking ``isServiceInfoQuery(_:)``.
public enum PubSubRequest {
    /// `currentConfiguration`: for an owner configure submission, the node's configuration now, so
    /// that fields the form leaves out keep their values (XEP-0004 §3.5, XEP-0060 §8.2.4); fetch it
    /// for ``configureTarget(_:)``. Without it, the submission applies over the type's defaults.
    public static func command(from iq: IQ, currentConfiguration: NodeConfiguration? = nil) throws(StanzaError) -> PubSubCommand {
        guard iq.type == .get || iq.type == .set, let payload = iq.payload else {
            throw .badRequest("a pubsub request is an iq get or set with one child")
        }
        switch (payload.namespace, payload.name) {
        case (Namespace.pubsub, "pubsub"): return try entity(payload, type: iq.type)
        case (Namespace.pubsubOwner, "pubsub"): return try owner(payload, type: iq.type, current: currentConfiguration)
        case (Namespace.discoInfo, "query"), (Namespace.discoItems, "query"): return try disco(payload, type: iq.type)
        default: throw .serviceUnavailable("not a pubsub request")
        }
    }

    /// The node an owner configure submission (XEP-0060 §8.2.4) is for; nil for any other request.
    public static func configureTarget(_ iq: IQ) -> NodeID? {
        guard iq.type == .set, let payload = iq.payload, payload.name == "pubsub",
              payload.namespace == Namespace.pubsubOwner,
              let configure = payload.child("configure", namespace: Namespace.pubsubOwner),
              let raw = configure[attribute: "node"]
        else { return nil }
        return try? NodeID(raw)
    }

    /// A disco#info get on the service (no `node`), XEP-0060 §5.1.
    public static func isServiceInfoQuery(_ iq: IQ) -> Bool {
        guard iq.type == .get, let query = iq.payload,
              query.name == "query", query.namespace == Namespace.discoInfo else { return false }
        return query[attribute: "node"] == nil
    }

    // MARK: - http://jabber.org/protocol/pubsub

    // <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    //   ( (create, configure?) | (subscribe, options?) | (publish, publish-options?) | affiliations | default
    //   | items | options | retract | subscription | subscriptions | unsubscribe ), rsm:set?
    // </pubsub>                                                                 (XEP-0060 §18.1 schema)
    static func entity(_ pubsub: Element, type: IQ.IQType) throws(StanzaError) -> PubSubCommand {
        // The first two children in the pubsub namespace: the action and its companion.
        var action: Element?
        var companion: Element?
        for case .element(let child) in pubsub.children where child.namespace == Namespace.pubsub {
            if action == nil { action = child } else { companion = child; break }
        }
        guard let action else { throw .badRequest("empty <pubsub/>") }
        switch (action.name, type) {
        case ("create", .set):
            // §8.1.3: the configure form may follow create in the same request.
            var configuration: NodeConfiguration?
            if let companion, companion.name == "configure", let form = try form(in: companion) {
                configuration = try NodeConfiguration.decode(form: form, base: NodeConfiguration()).configuration
            }
            return .create(node: try optionalNode(action), configuration: configuration)
        case ("publish", .set):
            return try publish(action, options: companion)
        case ("retract", .set):
            let ids = try action.children("item", namespace: Namespace.pubsub).map { item throws(StanzaError) in
                guard let id = item[attribute: "id"], !id.isEmpty else { throw PubSubError.itemRequired.stanzaError }
                return id
            }
            guard !ids.isEmpty else { throw PubSubError.itemRequired.stanzaError }
            return .retract(node: try node(action), itemIDs: ids, notify: try flag(action, "notify"))
        case ("subscribe", .set):
            var options: SubscriptionOptions?
            if let companion, companion.name == "options", let form = try form(in: companion) {
                options = try SubscriptionOptions.decode(form: form)  // §6.3.7 subscribe and configure
            }
            return .subscribe(node: try node(action), jid: try jid(action), options: options)
        case ("unsubscribe", .set):
            return .unsubscribe(node: try node(action), jid: try jid(action), subscriptionID: subID(action))
        case ("options", .get):
            return .getSubscriptionOptions(node: try node(action), jid: try jid(action), subscriptionID: subID(action))
        case ("options", .set):
            guard let form = try form(in: action) else { throw PubSubError.invalidOptions.stanzaError }
            return .setSubscriptionOptions(
                node: try node(action), jid: try jid(action), subscriptionID: subID(action),
                options: try SubscriptionOptions.decode(form: form)
            )
        case ("default", .get):
            return .defaultSubscriptionOptions(node: try optionalNode(action))  // §6.4
        case ("items", .get):
            return .items(node: try node(action), query: try itemQuery(action, in: pubsub))
        case ("subscriptions", .get):
            return .subscriptions(node: try optionalNode(action))  // §5.6
        case ("affiliations", .get):
            return .affiliations(node: try optionalNode(action))  // §5.7
        case ("create", _), ("publish", _), ("retract", _), ("subscribe", _), ("unsubscribe", _),
             ("default", _), ("items", _), ("subscriptions", _), ("affiliations", _):
            throw .badRequest("<\(action.name)/> with iq type \(type.rawValue)")
        default:
            throw .featureNotImplemented("<\(action.name)/> is not supported")
        }
    }

    // <publish node='…'><item id='…'?>payload?</item>?</publish>             (§7.1.1)
    // <publish-options><x xmlns='jabber:x:data' type='submit'>…</x></publish-options>?   (§7.1.5)
    private static func publish(_ action: Element, options companion: Element?) throws(StanzaError) -> PubSubCommand {
        let node = try node(action)
        let items = action.children("item", namespace: Namespace.pubsub)
        guard items.count <= 1 else { throw .badRequest("a publish request carries one <item/>") }
        var options: PublishOptions?
        if let companion, companion.name == "publish-options", let form = try form(in: companion) {
            options = try PublishOptions.decode(form: form)
        }
        // §4.3, §7.1.3.7: no <item/> is legal on a notification-only transient node; the domain knows the
        // node's event type and answers item-required or payload-required elsewhere.
        guard let item = items.first else { return .publishWithoutItem(node: node, options: options) }
        // §7.1.3.6: exactly one payload element, or none (a notification-only item).
        guard item.elementCount <= 1 else { throw PubSubError.invalidPayload.stanzaError }
        let payload = item.firstElement
        let id = item[attribute: "id"].flatMap { $0.isEmpty ? nil : $0 }
        // The root namespace travels beside the bytes, so the domain checks pubsub#type without parsing XML.
        return .publish(node: node, itemID: id, payload: payload.map(ItemPayload.encode) ?? [], options: options,
                        payloadNamespace: payload?.namespace)
    }

    // <items node='…' max_items='…'? subid='…'?><item id='…'/>*</items> <set xmlns='…rsm'>…</set>?
    //                                                                  (§6.5, §6.5.4 RSM, §6.5.7, §6.5.8)
    private static func itemQuery(_ items: Element, in pubsub: Element) throws(StanzaError) -> ItemQuery {
        let ids = items.children("item", namespace: Namespace.pubsub).compactMap { $0[attribute: "id"] }
        if !ids.isEmpty { return .ids(ids) }
        var query = ItemQuery.all
        if let raw = items[attribute: "max_items"] {
            guard let max = Int(raw), max >= 0 else { throw .badRequest("max_items must be a non-negative integer") }
            query.limit = max  // §6.5.7: the most recent N
        }
        guard let rsm = try ResultSetRequest(in: pubsub) else { return query }
        if rsm.index != nil {
            // Cursor paging only: an offset is not stable while items are published (XEP-0059 §2.6 permits this).
            throw .featureNotImplemented("RSM <index/> is not supported; page with <after/>/<before/>")
        }
        if let max = rsm.max { query.limit = min(max, query.limit ?? max) }
        if let after = rsm.after {
            guard let cursor = ItemCursor(token: after) else { throw .itemNotFound("unknown RSM <after/>") }  // §2.4
            query.after = cursor
        } else if let before = rsm.before, !before.isEmpty {
            guard let cursor = ItemCursor(token: before) else { throw .itemNotFound("unknown RSM <before/>") }
            query.before = cursor
        } else if rsm.before == nil, items[attribute: "max_items"] == nil {
            query.fromOldest = true  // the first page of forward paging (§2.1); empty <before/> is the last page
        }
        return query
    }

    // MARK: - Attribute and child readers shared by the decoders

    /// The `node` attribute; bad-request + nodeid-required when absent (§7.2.3.3, §8.2.3.2).
    static func node(_ element: Element, attribute: String = "node") throws(StanzaError) -> NodeID {
        guard let node = try optionalNode(element, attribute: attribute) else {
            throw StanzaError(.badRequest, applicationCondition: Element("nodeid-required", namespace: Namespace.pubsubErrors))
        }
        return node
    }

    static func optionalNode(_ element: Element, attribute: String = "node") throws(StanzaError) -> NodeID? {
        guard let raw = element[attribute: attribute] else { return nil }
        do { return try NodeID(raw) } catch { throw error.stanzaError }
    }

    /// The `jid` attribute (§6.1.1); bad-request + jid-required when absent (§6.3.4.3).
    static func jid(_ element: Element) throws(StanzaError) -> JID {
        guard let raw = element[attribute: "jid"] else { throw PubSubError.jidRequired.stanzaError }
        do { return try JID(raw) } catch { throw .badRequest("'\(raw)' is not a JID") }
    }

    static func subID(_ element: Element) -> SubscriptionID? {
        element[attribute: "subid"].flatMap { $0.isEmpty ? nil : SubscriptionID($0) }
    }

    /// An xs:boolean attribute, false when absent (`notify`, §7.2.2.1).
    static func flag(_ element: Element, _ name: String) throws(StanzaError) -> Bool {
        switch element[attribute: name] {
        case nil, "0", "false": false
        case "1", "true": true
        case let other?: throw .badRequest("\(name)='\(other)' is not a boolean")
        }
    }

    /// The data form inside `<configure/>`, `<options/>`, `<publish-options/>`, `<default/>`; nil when none.
    static func form(in element: Element) throws(StanzaError) -> DataForm? {
        guard let x = element.child("x", namespace: Namespace.dataForms) else { return nil }
        return try DataForm(element: x)
    }
}
