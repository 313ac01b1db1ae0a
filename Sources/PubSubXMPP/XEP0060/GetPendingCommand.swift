import PubSub
import XMPPCore

/// XEP-0060 §8.7 "Process Pending Subscription Requests" as the XEP-0050 ad-hoc command
/// `http://jabber.org/protocol/pubsub#get-pending`.
///
/// 1. `<command node='…#get-pending' action='execute'/>` → the service answers `status='executing'`
///    with a form whose `pubsub#node` list-single offers the requester's own nodes (§8.7.2).
/// 2. The owner submits the form with one node → `status='completed'` (§8.7.4), and the service sends
///    one §8.6 authorization form per pending subscription of that node, as messages.
///
/// The command is stateless: the session id only ties the two steps together for the client
/// (XEP-0050 §3.3 session lifetime); a submit names its node, which is checked again.
public enum GetPendingCommand {
    public static let node = "http://jabber.org/protocol/pubsub#get-pending"
    public static let commandsNamespace = "http://jabber.org/protocol/commands"
    static let sessionPrefix = "pubsub-get-pending:"

    public enum Request: Hashable, Sendable {
        /// Step 1: list the requester's nodes.
        case start
        /// Step 2: send the pending requests of `node`.
        case submit(sessionID: String, node: NodeID)
        /// XEP-0050 §2.4.3 canceling.
        case cancel(sessionID: String)
    }

    /// The request when `iq` is an `<iq type='set'><command node='…#get-pending'/></iq>`; nil for any
    /// other IQ; throws the XEP-0050 §4.4 / XEP-0060 §8.7.3 error for a malformed one.
    public static func request(from iq: IQ) throws(StanzaError) -> Request? {
        guard let command = iq.payload, command.name == "command", command.namespace == commandsNamespace,
              command[attribute: "node"] == node else { return nil }
        guard iq.type == .set else { throw .badRequest("ad-hoc commands are executed with iq type 'set' (XEP-0050 §2.4)") }
        let action = command[attribute: "action"] ?? "execute"
        let sessionID = command[attribute: "sessionid"]
        if action == "cancel" {
            guard let sessionID else { throw badSession("cancel needs a sessionid") }
            return .cancel(sessionID: sessionID)
        }
        // XEP-0050 §4.4: an action outside the schema is malformed; `prev` has no earlier stage here.
        guard ["execute", "complete", "next", "prev"].contains(action) else {
            throw commandError("malformed-action", "unknown action '\(action)'")
        }
        guard action != "prev" else { throw commandError("bad-action", "get-pending has no previous stage") }
        guard let formElement = command.child("x", namespace: Namespace.dataForms) else {
            if sessionID != nil { throw badSession("a step after the first carries the submitted form") }
            return .start
        }
        guard let sessionID, sessionID.hasPrefix(sessionPrefix) else { throw badSession("unknown sessionid") }
        let form = try DataForm(element: formElement)
        guard form.type == .submit, let name = form.value("pubsub#node"), !name.isEmpty else {
            throw .badRequest("submit the form with a pubsub#node value (XEP-0060 §8.7.4)")
        }
        do {
            return .submit(sessionID: sessionID, node: try NodeID(name))
        } catch {
            throw .itemNotFound("no such node")
        }
    }

    /// §8.7.2: the form offering `nodes`, in a new session.
    public static func form(nodes: [NodeID], sessionID: String) -> Element {
        let form = DataForm(type: .form, title: "Pending subscription requests", fields: [
            .formType(Namespace.pubsubSubscribeAuthorization),
            DataForm.Field(
                var: "pubsub#node", type: .listSingle, label: "Node", required: true,
                options: nodes.map { DataForm.Option(value: $0.rawValue) }),
        ])
        var element = Element("command", namespace: commandsNamespace, [
            "node": node, "sessionid": sessionID, "status": "executing",
        ])
        var actions = Element("actions", namespace: commandsNamespace, ["execute": "complete"])
        actions.append(Element("complete", namespace: commandsNamespace))
        element.append(actions)
        element.append(form.element)
        return element
    }

    /// §8.7.4: the command finished (or was cancelled, XEP-0050 §4.4).
    public static func finished(sessionID: String, cancelled: Bool = false) -> Element {
        Element("command", namespace: commandsNamespace, [
            "node": node, "sessionid": sessionID, "status": cancelled ? "canceled" : "completed",
        ])
    }

    /// A new session id; `token` makes it unique (the caller passes something random or a counter).
    public static func newSessionID(_ token: String) -> String { sessionPrefix + token }

    /// XEP-0030 disco#items of the commands node (XEP-0050 §2.2): the one command.
    public static func commandList(service: JID) -> Element {
        var query = Element("query", namespace: Namespace.discoItems, ["node": commandsNamespace])
        query.append(Element("item", namespace: Namespace.discoItems, [
            "jid": service.description, "node": node, "name": "Get pending subscription requests",
        ]))
        return query
    }

    /// Whether `iq` asks disco#items of the commands node (XEP-0050 §2.2).
    public static func isCommandListQuery(_ iq: IQ) -> Bool {
        guard iq.type == .get, let query = iq.payload else { return false }
        return query.name == "query" && query.namespace == Namespace.discoItems
            && query[attribute: "node"] == commandsNamespace
    }

    /// XEP-0050 §4.4: bad-request + `<bad-sessionid/>`.
    static func badSession(_ text: String) -> StanzaError { commandError("bad-sessionid", text) }

    /// XEP-0050 §4.4: bad-request with a `commands` application condition.
    static func commandError(_ condition: String, _ text: String) -> StanzaError {
        StanzaError(.badRequest, text: text, applicationCondition: Element(condition, namespace: commandsNamespace))
    }
}
