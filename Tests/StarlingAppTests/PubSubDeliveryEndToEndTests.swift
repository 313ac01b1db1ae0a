import Foundation
import Logging
import Testing
import XMPPCore
import XMPPTestSupport
@testable import StarlingApp

/// XEP-0060 delivery rules and §8.7 through the running broker: §12.3/§13.6 presence-based delivery in
/// the notifier, §13.7 no offline storage, the XEP-0203 delay on §6.1.7 last items, and the XEP-0050
/// `get-pending` command. "Nothing arrived" is never waited out: a later stanza that must arrive after
/// the one that must not (same sender, same connection) is awaited, and it must be the first.
@Suite struct PubSubDeliveryEndToEndTests {
    typealias E2E = PubSubEndToEndTests
    static let service = "pubsub.localhost"
    static let commands = "http://jabber.org/protocol/commands"
    static let getPending = "http://jabber.org/protocol/pubsub#get-pending"
    static let authorization = "http://jabber.org/protocol/pubsub#subscribe_authorization"

    /// Runs `body` against a fresh broker with the given accounts (name → password), on its direct-TLS port.
    static func withBroker(_ users: [String: String], _ body: @Sendable (Int) async throws -> Void) async throws {
        let dataDir = try StarlingServiceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = StarlingServiceTests.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        for (user, password) in users { try await admin.add(user, password: password) }
        try await StarlingServiceTests.withService(configuration) { addresses in
            try await body(addresses[1].port ?? 0)
        }
    }

    /// `<pubsub><create node/><configure>form</configure></pubsub>` with `pubsub#node_config` fields.
    static func create(_ node: String, _ fields: KeyValuePairs<String, String>) -> Element {
        Element("pubsub", namespace: E2E.pubsub, children: [
            Element("create", namespace: E2E.pubsub, ["node": node]),
            Element("configure", namespace: E2E.pubsub, children: [
                E2E.form("http://jabber.org/protocol/pubsub#node_config", fields)
            ]),
        ])
    }

    static func subscribe(_ node: String, jid: String) -> Element {
        Element("pubsub", namespace: E2E.pubsub, children: [Element("subscribe", namespace: E2E.pubsub, ["node": node, "jid": jid])])
    }

    static func publish(_ node: String, item: String) -> Element {
        Element("pubsub", namespace: E2E.pubsub, children: [
            Element("publish", namespace: E2E.pubsub, ["node": node], children: [
                Element("item", namespace: E2E.pubsub, ["id": item], children: [
                    Element("reading", namespace: "urn:example:sensor", text: item)
                ])
            ])
        ])
    }

    /// A pubsub event notification: `(node, first item id)` of its `<items/>`.
    static func itemEvent(_ element: Element) -> (node: String, item: String)? {
        guard element.name == "message",
              let items = element.child("event", namespace: E2E.event)?.child("items", namespace: E2E.event),
              let node = items[attribute: "node"],
              let item = items.child("item", namespace: E2E.event)?[attribute: "id"] else { return nil }
        return (node, item)
    }

    /// Subscribes and returns the §6.1.7 last-item notification, whichever of it and the IQ result
    /// comes first.
    static func subscribeAndTakeLastItem(_ client: TestClient, _ node: String, jid: String) async throws
        -> (message: Element, node: String, item: String)
    {
        try await client.send(IQ(type: .set, id: "s-last", to: try JID("pubsub.localhost"),
                                 payload: subscribe(node, jid: jid)).element)
        var result: Element?
        var event: Element?
        while result == nil || event == nil {
            let next = try await client.waitFor("the subscribe result and the last item") {
                ($0.name == "iq" && $0[attribute: "id"] == "s-last") || itemEvent($0) != nil
            }
            if next.name == "iq" { result = next } else { event = next }
        }
        #expect(result?[attribute: "type"] == "result")
        let message = try #require(event)
        let parsed = try #require(itemEvent(message))
        return (message, parsed.node, parsed.item)
    }

    static func nextItemEvent(_ client: TestClient, _ what: String) async throws -> (message: Element, node: String, item: String) {
        let message = try await client.waitFor(what) { itemEvent($0) != nil }
        let event = try #require(itemEvent(message))
        return (message, event.node, event.item)
    }

    // MARK: §12.3 / §13.6

    /// `pubsub#presence_based_delivery` (§12.3, §13.6): a resource that bound but sent no presence gets
    /// nothing from such a node, while a node without the option reaches it (a full-JID subscription,
    /// §6.1.1); once it is available, the same node reaches it.
    @Test func presenceBasedDeliverySkipsAResourceUntilItIsAvailable() async throws {
        try await Self.withBroker(["owner": "o-secret", "viewer": "v-secret"]) { port in
            let owner = try await E2E.login(port: port, "owner", "o-secret")
            _ = try await E2E.request(owner, "c1", .set, Self.create("boiler/alarm", ["pubsub#presence_based_delivery": "1"]))
            _ = try await E2E.request(owner, "c2", .set, Self.create("boiler/log", ["pubsub#presence_based_delivery": "0"]))
            let viewer = try await E2E.login(port: port, "viewer", "v-secret", resource: "panel")
            for (id, node) in [("s1", "boiler/alarm"), ("s2", "boiler/log")] {
                let reply = try await E2E.request(viewer, id, .set, Self.subscribe(node, jid: "viewer@localhost/panel"))
                #expect(reply.serialized().contains("subscription='subscribed'"), "\(node)")
            }

            // Unavailable: the alarm is skipped; the log item, published after it, is the first to arrive.
            _ = try await E2E.request(owner, "p1", .set, Self.publish("boiler/alarm", item: "while-unavailable"))
            _ = try await E2E.request(owner, "p2", .set, Self.publish("boiler/log", item: "barrier"))
            let first = try await Self.nextItemEvent(viewer, "the log item")
            #expect(first.node == "boiler/log")
            #expect(first.item == "barrier")
            #expect(first.message[attribute: "to"] == "viewer@localhost/panel")

            try await viewer.send(Presence(type: .available).element)
            _ = try await viewer.waitFor("own presence") { $0.name == "presence" }
            _ = try await E2E.request(owner, "p3", .set, Self.publish("boiler/alarm", item: "while-available"))
            let second = try await Self.nextItemEvent(viewer, "the alarm")
            #expect(second.node == "boiler/alarm")
            #expect(second.item == "while-available")
            for client in [owner, viewer] { await client.close() }
        }
    }

    // MARK: §13.7

    /// §13.7: "the service SHOULD NOT route notifications to offline storage": an item published while the
    /// subscriber is offline is never delivered, not even as a `normal` message when it comes back
    /// (`pubsub#send_last_published_item` is `never`).
    @Test func notificationsToAnOfflineSubscriberAreDropped() async throws {
        try await Self.withBroker(["owner": "o-secret", "viewer": "v-secret"]) { port in
            let owner = try await E2E.login(port: port, "owner", "o-secret", available: true)
            _ = try await E2E.request(owner, "c", .set, Self.create("meter", ["pubsub#notification_type": "normal"]))
            _ = try await E2E.request(owner, "so", .set, Self.subscribe("meter", jid: "owner@localhost"))
            let away = try await E2E.login(port: port, "viewer", "v-secret", resource: "first", available: true)
            _ = try await E2E.request(away, "sv", .set, Self.subscribe("meter", jid: "viewer@localhost"))
            await away.close()

            _ = try await E2E.request(owner, "p1", .set, Self.publish("meter", item: "while-offline"))
            // The owner's copy shows the notifier has handled that event before the viewer returns.
            let handled = try await Self.nextItemEvent(owner, "the owner's copy")
            #expect(handled.item == "while-offline")
            #expect(handled.message[attribute: "type"] == nil || handled.message[attribute: "type"] == "normal")

            let back = try await E2E.login(port: port, "viewer", "v-secret", resource: "again", available: true)
            _ = try await E2E.request(owner, "p2", .set, Self.publish("meter", item: "after-return"))
            let first = try await Self.nextItemEvent(back, "the item published after the return")
            #expect(first.item == "after-return")
            for client in [owner, back] { await client.close() }
        }
    }

    // MARK: XEP-0203 on §6.1.7

    /// §6.1.7 + XEP-0203: the last item sent on subscription carries `<delay from='service'
    /// stamp='…'/>` whose stamp is when the item was published, not when it is sent. The subscription
    /// comes more than two seconds after the publish so the two cannot round to the same second.
    @Test func lastPublishedItemIsDelayedFromItsPublicationTime() async throws {
        try await Self.withBroker(["owner": "o-secret", "viewer": "v-secret"]) { port in
            let owner = try await E2E.login(port: port, "owner", "o-secret")
            _ = try await E2E.request(owner, "c", .set, Self.create("boiler/pressure", ["pubsub#send_last_published_item": "on_sub"]))
            let before = Date().timeIntervalSince1970.rounded(.down)
            _ = try await E2E.request(owner, "p", .set, Self.publish("boiler/pressure", item: "earlier"))
            let after = Date().timeIntervalSince1970.rounded(.up)
            try await Task.sleep(for: .milliseconds(2_100))  // separates publication from sending, asserts nothing

            let viewer = try await E2E.login(port: port, "viewer", "v-secret", available: true)
            let subscribed = Date().timeIntervalSince1970
            // The last item may arrive before the subscribe result (the notifier runs apart from the
            // IQ reply), so wait for both without discarding either.
            let last = try await Self.subscribeAndTakeLastItem(viewer, "boiler/pressure", jid: "viewer@localhost")
            #expect(last.item == "earlier")
            #expect(last.message[attribute: "from"] == Self.service)
            let delay = try #require(last.message.child("delay", namespace: Namespace.delay))
            #expect(delay[attribute: "from"] == Self.service)
            let raw = try #require(delay[attribute: "stamp"])
            let stamp = try #require(ISO8601DateFormatter().date(from: raw), "XEP-0082 DateTime: \(raw)").timeIntervalSince1970
            #expect(stamp >= before && stamp <= after, "stamp \(raw) outside the publish request")
            #expect(stamp < subscribed - 1, "stamp \(raw) is the sending time")
            for client in [owner, viewer] { await client.close() }
        }
    }

    // MARK: §8.7 through XEP-0050

    /// §8.7: the owner executes `pubsub#get-pending`, gets the form offering its nodes (§8.7.2), submits
    /// one with a pending subscription and receives that request's §8.6 authorization form by message,
    /// which it can answer; an entity that does not own the node is refused with forbidden (§8.7.3.3).
    @Test func ownerProcessesPendingRequestsWithTheGetPendingCommand() async throws {
        try await Self.withBroker(["owner": "o-secret", "viewer": "v-secret", "other": "x-secret"]) { port in
            let owner = try await E2E.login(port: port, "owner", "o-secret", available: true)
            let viewer = try await E2E.login(port: port, "viewer", "v-secret", available: true)
            let other = try await E2E.login(port: port, "other", "x-secret", available: true)

            let info = try await E2E.request(owner, "info", .get, Element("query", namespace: Namespace.discoInfo))
            let features = info.child("query", namespace: Namespace.discoInfo)?
                .children("feature", namespace: Namespace.discoInfo).compactMap { $0[attribute: "var"] } ?? []
            // §8.7 through XEP-0050, and §6.3.1 subscription options, as the service advertises them.
            for feature in [Self.commands, Self.getPending, "http://jabber.org/protocol/pubsub#subscription-options"] {
                #expect(features.contains(feature), "\(feature)")
            }

            _ = try await E2E.request(owner, "c1", .set, Self.create("private", ["pubsub#access_model": "authorize"]))
            _ = try await E2E.request(owner, "c2", .set, Self.create("open-node", [:]))
            let pending = try await E2E.request(viewer, "s", .set, Self.subscribe("private", jid: "viewer@localhost"))
            #expect(pending.serialized().contains("subscription='pending'"))
            _ = try await owner.waitFor("the request sent on subscribe (§8.6)") { Self.authorizationForm($0) != nil }

            // §8.7.1 execute → §8.7.2 form of the owner's nodes.
            let started = try await E2E.request(owner, "g1", .set, Element("command", namespace: Self.commands, [
                "node": Self.getPending, "action": "execute",
            ]))
            let command = try #require(started.child("command", namespace: Self.commands))
            #expect(command[attribute: "node"] == Self.getPending)
            #expect(command[attribute: "status"] == "executing")
            let session = try #require(command[attribute: "sessionid"])
            let offered = try DataForm(element: try #require(command.child("x", namespace: Namespace.dataForms)))
            #expect(offered.type == .form)
            #expect(offered.formType == Self.authorization)
            let nodeField = try #require(offered.fields.first { $0.var == "pubsub#node" })
            #expect(nodeField.type == .listSingle)
            #expect(nodeField.options.map(\.value) == ["open-node", "private"])

            // §8.7.4: submit one node; the command completes and the owner gets the request again.
            try await owner.send(IQ(type: .set, id: "g2", to: try JID(Self.service),
                                    payload: Self.submit(session: session, node: "private")).element)
            var completed: Element?
            var request: Element?
            while completed == nil || request == nil {
                let next = try await owner.waitFor("the completed command and the authorization form") {
                    $0[attribute: "id"] == "g2" || Self.authorizationForm($0) != nil
                }
                if next[attribute: "id"] == "g2" { completed = next } else { request = next }
            }
            let done = try #require(completed)
            #expect(done[attribute: "type"] == "result")
            let finished = try #require(done.child("command", namespace: Self.commands))
            #expect(finished[attribute: "status"] == "completed")
            #expect(finished[attribute: "sessionid"] == session)
            let message = try #require(request)
            #expect(message[attribute: "from"] == Self.service)
            var form = try #require(Self.authorizationForm(message))
            #expect(form.value("pubsub#node") == "private")
            #expect(form.value("pubsub#subscriber_jid") == "viewer@localhost")
            #expect(form.value("pubsub#allow") == "false")
            #expect(!(form.value("pubsub#subid") ?? "").isEmpty)

            // Someone who does not own the node: forbidden, and the subscription stays pending.
            let theirs = try await E2E.request(other, "o1", .set, Element("command", namespace: Self.commands, [
                "node": Self.getPending, "action": "execute",
            ]))
            let otherSession = try #require(theirs.child("command", namespace: Self.commands)?[attribute: "sessionid"])
            try await other.send(IQ(type: .set, id: "o2", to: try JID(Self.service),
                                    payload: Self.submit(session: otherSession, node: "private")).element)
            let refused = try await other.waitFor("the refusal") { $0[attribute: "id"] == "o2" }
            #expect(refused[attribute: "type"] == "error")
            let error = try #require(refused.child("error", namespace: Namespace.client))
            #expect(StanzaError(element: error).condition == .forbidden)

            // The form the command produced is a working §8.6 request: approving it subscribes the viewer.
            form.type = .submit
            form.fields = form.fields.map { field in
                var field = field
                if field.var == "pubsub#allow" { field.values = ["true"] }
                return field
            }
            try await owner.send(Message(type: .normal, to: try JID(Self.service), payload: [form.element]).element)
            let decision = try await viewer.waitFor("subscription decision") {
                $0.name == "message" && $0.serialized().contains("subscription='subscribed'")
            }
            #expect(decision[attribute: "from"] == Self.service)
            for client in [owner, viewer, other] { await client.close() }
        }
    }

    /// `<command node='…#get-pending' sessionid='…' action='complete'>` with the submitted form (§8.7.4).
    static func submit(session: String, node: String) -> Element {
        Element("command", namespace: commands, ["node": getPending, "sessionid": session, "action": "complete"], children: [
            DataForm(type: .submit, fields: [
                .formType(authorization), DataForm.Field(var: "pubsub#node", values: [node]),
            ]).element
        ])
    }

    /// The §8.6 `pubsub#subscribe_authorization` form a message carries, if any.
    static func authorizationForm(_ element: Element) -> DataForm? {
        guard element.name == "message", let x = element.child("x", namespace: Namespace.dataForms),
              let form = try? DataForm(element: x), form.formType == authorization else { return nil }
        return form
    }
}
