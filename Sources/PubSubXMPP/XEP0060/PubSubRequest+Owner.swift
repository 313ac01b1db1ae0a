import PubSub
import XMPPCore

extension PubSubRequest {
    // <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>
    //   affiliations | configure | default | delete | purge | subscriptions
    //   | collection                                                            (XEP-0248 §7.5, §7.6)
    // </pubsub>                                                                 (XEP-0060 §18.2 schema)
    static func owner(_ pubsub: Element, type: IQ.IQType, current: NodeConfiguration? = nil) throws(StanzaError) -> PubSubCommand {
        guard let action = pubsub.elements.first(where: { $0.namespace == Namespace.pubsubOwner }) else {
            throw .badRequest("empty <pubsub/>")
        }
        switch (action.name, type) {
        case ("configure", .get):
            return .getConfiguration(node: try node(action))  // §8.2.1
        case ("configure", .set):
            // §8.2.4. The submitted fields are applied over the node's current configuration when the
            // caller passes it (XEP-0004 §3.5: omitted fields keep their values), else over the
            // defaults for the node type the form names.
            guard let form = try form(in: action) else { throw .badRequest("<configure/> without a form") }
            guard form.type == .submit else {
                throw .badRequest("§8.2.6 cancel is answered by the handler, not the domain")
            }
            let node = try node(action)
            let type = (try? FormReader(form, formType: Namespace.pubsubNodeConfig, known: [],
                                        failure: .badRequest()).value("pubsub#node_type", as: NodeType.self)) ?? nil
            let decoded = try NodeConfiguration.decode(form: form, base: current ?? .defaults(for: type ?? .leaf))
            return .configure(node: node, configuration: decoded.configuration, children: decoded.children)
        case ("default", .get):
            // §8.3; XEP-0248 §7.3 asks for a collection's defaults with a pubsub#node_type form field.
            var nodeType = NodeType.leaf
            if let form = try form(in: action) {
                let reader = try FormReader(form, formType: Namespace.pubsubNodeConfig,
                                            known: NodeConfiguration.formFields,
                                            failure: StanzaError(.notAcceptable, type: .modify))
                nodeType = try reader.value("pubsub#node_type", as: NodeType.self) ?? .leaf
            } else if let raw = action[attribute: "type"] {
                guard let parsed = NodeType(rawValue: raw) else { throw .badRequest("unknown node type '\(raw)'") }
                nodeType = parsed
            }
            return .defaultConfiguration(type: nodeType)
        case ("delete", .set):
            // §8.4.1, with <redirect uri='…'/> (§8.4.2).
            let redirect = action.child("redirect", namespace: Namespace.pubsubOwner)?[attribute: "uri"]
            return .delete(node: try node(action), redirect: redirect)
        case ("purge", .set):
            return .purge(node: try node(action))  // §8.5
        case ("subscriptions", .get):
            return .ownerSubscriptions(node: try node(action))  // §8.8.1
        case ("subscriptions", .set):
            // §8.8.2: <subscription jid='…' subscription='…' subid='…'?/>+
            let changes = try action.children("subscription", namespace: Namespace.pubsubOwner).map {
                entry throws(StanzaError) -> SubscriptionChange in
                guard let raw = entry[attribute: "subscription"], let state = SubscriptionState(rawValue: raw) else {
                    throw .badRequest("<subscription/> needs a subscription state")
                }
                return SubscriptionChange(jid: try jid(entry), subscriptionID: subID(entry), state: state)
            }
            return .setOwnerSubscriptions(node: try node(action), changes: changes)
        case ("affiliations", .get):
            return .ownerAffiliations(node: try node(action))  // §8.9.1
        case ("affiliations", .set):
            // §8.9.2: <affiliation jid='…' affiliation='…'/>+
            let changes = try action.children("affiliation", namespace: Namespace.pubsubOwner).map {
                entry throws(StanzaError) -> AffiliationChange in
                guard let raw = entry[attribute: "affiliation"], let affiliation = Affiliation(rawValue: raw) else {
                    throw .badRequest("<affiliation/> needs a known affiliation")
                }
                return AffiliationChange(jid: try jid(entry), affiliation: affiliation)
            }
            return .setOwnerAffiliations(node: try node(action), changes: changes)
        case ("collection", .set):
            // XEP-0248 §7.5.1 / §7.6.1: <collection node='parent'><associate node='child'/></collection>,
            // or <dissociate node='child'/>; exactly one of them.
            let collection = try node(action)
            let edges = action.elements.filter {
                $0.namespace == Namespace.pubsubOwner && ($0.name == "associate" || $0.name == "dissociate")
            }
            guard edges.count == 1, let edge = edges.first, action.elements.count == 1 else {
                throw .badRequest("<collection/> holds one <associate/> or <dissociate/>")
            }
            let child = try node(edge)
            return edge.name == "associate"
                ? .associate(collection: collection, node: child) : .dissociate(collection: collection, node: child)
        case ("configure", _), ("default", _), ("delete", _), ("purge", _), ("collection", _):
            throw .badRequest("<\(action.name)/> with iq type \(type.rawValue)")
        default:
            throw .featureNotImplemented("<\(action.name)/> is not supported")
        }
    }

    // <query xmlns='http://jabber.org/protocol/disco#info' node='…'/>   (§5.3, §5.4)
    // <query xmlns='http://jabber.org/protocol/disco#items' node='…'?/> (§5.2, §5.5 on a leaf, XEP-0248 §5.2)
    static func disco(_ query: Element, type: IQ.IQType) throws(StanzaError) -> PubSubCommand {
        guard type == .get else { throw .badRequest("disco queries are iq get") }
        if query.namespace == Namespace.discoItems {
            return .childNodes(of: try optionalNode(query))
        }
        guard let node = try optionalNode(query) else {
            throw .badRequest("disco#info on the service has no command; see PubSubRequest.isServiceInfoQuery")
        }
        return .metadata(node: node)
    }
}
