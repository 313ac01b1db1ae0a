import Foundation
import Logging
import Testing
import XMPPCore
import XMPPTestSupport
@testable import StarlingApp

/// XEP-0060 + XEP-0248 through the running broker: a device publishes into
/// site-a > site-a/floor-2 > site-a/floor-2/temp; a dashboard subscribed to site-a with depth
/// `all` receives it.
@Suite struct PubSubEndToEndTests {
    static let pubsub = "http://jabber.org/protocol/pubsub"
    static let event = "http://jabber.org/protocol/pubsub#event"

    static func form(_ formType: String, _ fields: KeyValuePairs<String, String>) -> Element {
        var all = [DataForm.Field.formType(formType)]
        for (name, value) in fields { all.append(DataForm.Field(var: name, values: [value])) }
        return DataForm(type: .submit, fields: all).element
    }

    static func create(_ node: String, type: String, parent: String?) -> Element {
        var fields: [(String, String)] = [("pubsub#node_type", type)]
        if let parent { fields.append(("pubsub#collection", parent)) }
        var form = [DataForm.Field.formType("http://jabber.org/protocol/pubsub#node_config")]
        for (name, value) in fields { form.append(DataForm.Field(var: name, values: [value])) }
        return Element("pubsub", namespace: pubsub, children: [
            Element("create", namespace: pubsub, ["node": node]),
            Element("configure", namespace: pubsub, children: [DataForm(type: .submit, fields: form).element]),
        ])
    }

    /// Sends an IQ to the service and returns the reply, which must be a result.
    static func request(_ client: TestClient, _ id: String, _ type: IQ.IQType, _ payload: Element) async throws -> Element {
        try await client.send(IQ(type: type, id: id, to: try JID("pubsub.localhost"), payload: payload).element)
        let reply = try await client.waitFor("reply \(id)") { $0.name == "iq" && $0[attribute: "id"] == id }
        #expect(reply[attribute: "type"] == "result", "\(id): \(reply.serialized())")
        return reply
    }

    /// Logs in over direct TLS and binds `resource`; with `available`, also sends initial presence
    /// (notifications to a bare JID reach available resources, RFC 6121 §8.5.2.1.1).
    static func login(port: Int, _ user: String, _ password: String, resource: String = "r",
                      available: Bool = false) async throws -> TestClient {
        let client = try await TestClient.connect(port: port, directTLS: true)
        _ = try await client.open(domain: "localhost")
        try await client.authenticate(username: user, password: password)
        _ = try await client.open(domain: "localhost")
        _ = try await client.bind(resource: resource)
        if available {
            try await client.send(Presence(type: .available).element)
            _ = try await client.waitFor("own presence") { $0.name == "presence" }
        }
        return client
    }

    @Test func dashboardOnACollectionReceivesReadingsPublishedBelow() async throws {
        let dataDir = try StarlingServiceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = StarlingServiceTests.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        try await admin.add("device", password: "d-secret")
        try await admin.add("dashboard", password: "b-secret")
        try await StarlingServiceTests.withService(configuration) { addresses in
            let port = addresses[1].port ?? 0
            let device = try await Self.login(port: port, "device", "d-secret")
            let dashboard = try await Self.login(port: port, "dashboard", "b-secret", available: true)

            // The server lists the service (XEP-0030 items), which answers as pubsub/service.
            let items = try await Self.request(dashboard, "disco", .get, Element(name: "query", namespace: Namespace.discoItems))
            #expect(items.serialized().contains("pubsub.localhost"))

            _ = try await Self.request(device, "c1", .set, Self.create("site-a", type: "collection", parent: nil))
            _ = try await Self.request(device, "c2", .set, Self.create("site-a/floor-2", type: "collection", parent: "site-a"))
            _ = try await Self.request(device, "c3", .set, Self.create("site-a/floor-2/temp", type: "leaf", parent: "site-a/floor-2"))

            // XEP-0248 §6.1: subscribe to the collection for items at any depth.
            let subscribe = Element("pubsub", namespace: Self.pubsub, children: [
                Element("subscribe", namespace: Self.pubsub, ["node": "site-a", "jid": "dashboard@localhost"]),
                Element("options", namespace: Self.pubsub, children: [Self.form(
                    "http://jabber.org/protocol/pubsub#subscribe_options",
                    ["pubsub#subscription_type": "items", "pubsub#subscription_depth": "all"])]),
            ])
            let subscribed = try await Self.request(dashboard, "s1", .set, subscribe)
            #expect(subscribed.serialized().contains("subscription='subscribed'"))

            // A reading: byte-exact payload with its namespace, attribute and inner whitespace.
            let reading = Element("reading", namespace: "urn:example:sensor", ["unit": "C"], text: " 21.5\t")
            let publish = Element("pubsub", namespace: Self.pubsub, children: [
                Element("publish", namespace: Self.pubsub, ["node": "site-a/floor-2/temp"], children: [
                    Element("item", namespace: Self.pubsub, ["id": "r1"], children: [reading])
                ])
            ])
            _ = try await Self.request(device, "p1", .set, publish)

            let notification = try await dashboard.waitFor("the event notification") {
                $0.name == "message" && $0.child("event", namespace: Self.event) != nil
            }
            #expect(notification[attribute: "from"] == "pubsub.localhost")
            let eventItems = try #require(notification.child("event", namespace: Self.event)?.child("items", namespace: Self.event))
            #expect(eventItems[attribute: "node"] == "site-a/floor-2/temp")
            let item = try #require(eventItems.child("item", namespace: Self.event))
            #expect(item[attribute: "id"] == "r1")
            #expect(item.child("reading", namespace: "urn:example:sensor") == reading)
            // XEP-0248: the collection the subscription matched, so the dashboard knows the path.
            #expect(notification.serialized().contains("site-a"))

            // Retrieve it back (XEP-0060 §6.5).
            let retrieve = Element("pubsub", namespace: Self.pubsub, children: [
                Element("items", namespace: Self.pubsub, ["node": "site-a/floor-2/temp"])
            ])
            let retrieved = try await Self.request(device, "i1", .get, retrieve)
            #expect(retrieved.serialized().contains("21.5"))

            // Publishing to a collection is refused (XEP-0248 §4.1).
            var toCollection = publish
            toCollection.children = [.element(Element("publish", namespace: Self.pubsub, ["node": "site-a"], children: [
                Element("item", namespace: Self.pubsub, children: [reading])
            ]))]
            try await device.send(IQ(type: .set, id: "p2", to: try JID("pubsub.localhost"), payload: toCollection).element)
            let refused = try await device.waitFor("refusal") { $0[attribute: "id"] == "p2" }
            #expect(refused[attribute: "type"] == "error")
            for client in [device, dashboard] { await client.close() }
        }
    }

    /// RFC 6120 §10.1 with pipelining: stanzas written in one go (publishes, a ping to the server,
    /// a refused publish, a retract) are handled in the order sent, even though consecutive
    /// publishes reach the service together; replies come back in that order and the subscriber
    /// gets the notifications in publish order.
    @Test func pipelinedStanzasAreHandledInOrder() async throws {
        let dataDir = try StarlingServiceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = StarlingServiceTests.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        try await admin.add("device", password: "d-secret")
        try await admin.add("dashboard", password: "b-secret")
        try await StarlingServiceTests.withService(configuration) { addresses in
            let port = addresses[1].port ?? 0
            let device = try await Self.login(port: port, "device", "d-secret")
            let dashboard = try await Self.login(port: port, "dashboard", "b-secret", available: true)
            _ = try await Self.request(device, "c1", .set, Self.create("tree", type: "collection", parent: nil))
            _ = try await Self.request(device, "c2", .set, Self.create("tree/temp", type: "leaf", parent: "tree"))
            let subscribe = Element("pubsub", namespace: Self.pubsub, children: [
                Element("subscribe", namespace: Self.pubsub, ["node": "tree/temp", "jid": "dashboard@localhost/r"]),
            ])
            _ = try await Self.request(dashboard, "s1", .set, subscribe)

            func publish(_ id: String, node: String = "tree/temp") throws -> Element {
                let item = Element("item", namespace: Self.pubsub, ["id": id], children: [
                    Element("reading", namespace: "urn:example:sensor", text: id),
                ])
                let payload = Element("pubsub", namespace: Self.pubsub, children: [
                    Element("publish", namespace: Self.pubsub, ["node": node], children: [item]),
                ])
                return IQ(type: .set, id: "p-\(id)", to: try JID("pubsub.localhost"), payload: payload).element
            }
            let retract = IQ(type: .set, id: "r-a", to: try JID("pubsub.localhost"), payload: Element(
                "pubsub", namespace: Self.pubsub, children: [
                    Element("retract", namespace: Self.pubsub, ["node": "tree/temp", "notify": "true"], children: [
                        Element("item", namespace: Self.pubsub, ["id": "a"]),
                    ]),
                ])).element
            let ping = IQ(type: .get, id: "ping", to: try JID("localhost"),
                          payload: Element(name: "ping", namespace: Namespace.ping)).element
            let stanzas = [try publish("a"), try publish("b"), ping, try publish("c"), try publish("x", node: "tree"),
                           try publish("d"), retract, try publish("e")]
            // One write, so the server parses them together.
            try await device.send(stanzas.map { $0.serialized(streamNamespace: Namespace.client) }.joined())

            var replies: [String] = []
            while replies.count < stanzas.count {
                let reply = try await device.nextElement("reply \(replies.count + 1)")
                guard reply.name == "iq" else { continue }
                replies.append("\(reply[attribute: "id"] ?? "?"):\(reply[attribute: "type"] ?? "?")")
            }
            #expect(replies == ["p-a:result", "p-b:result", "ping:result", "p-c:result", "p-x:error", "p-d:result",
                                "r-a:result", "p-e:result"])

            var seen: [String] = []
            while seen.count < 6 {
                let message = try await dashboard.waitFor("notification \(seen.count + 1)") {
                    $0.name == "message" && $0.child("event", namespace: Self.event) != nil
                }
                let items = try #require(message.child("event", namespace: Self.event)?.child("items", namespace: Self.event))
                for child in items.children {
                    guard case .element(let entry) = child else { continue }
                    seen.append("\(entry.name):\(entry[attribute: "id"] ?? "?")")
                }
            }
            #expect(seen == ["item:a", "item:b", "item:c", "item:d", "retract:a", "item:e"])

            let retrieve = Element("pubsub", namespace: Self.pubsub, children: [
                Element("items", namespace: Self.pubsub, ["node": "tree/temp"]),
            ])
            let stored = try await Self.request(device, "i1", .get, retrieve).serialized()
            #expect(!stored.contains("id='a'") && ["b", "c", "d", "e"].allSatisfy { stored.contains("id='\($0)'") })
            for client in [device, dashboard] { await client.close() }
        }
    }

    /// Many devices publishing at the same moment: their runs reach the service together (one loop
    /// turn's sessions in one hand-over, ComponentInbox), yet each device gets its own results, in
    /// its order, and exactly its items are stored.
    @Test func devicesPublishingAtOnceEachGetTheirOwnResultsInOrder() async throws {
        let dataDir = try StarlingServiceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = StarlingServiceTests.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        try await admin.add("device", password: "d-secret")
        try await StarlingServiceTests.withService(configuration) { addresses in
            let port = addresses[1].port ?? 0
            let count = 8, items = 6
            var devices: [TestClient] = []
            for index in 0..<count {
                let device = try await Self.login(port: port, "device", "d-secret", resource: "d\(index)")
                _ = try await Self.request(device, "c\(index)", .set, Self.create("site/d\(index)", type: "leaf", parent: nil))
                devices.append(device)
            }
            func publish(_ device: Int, _ item: Int) throws -> String {
                let id = "\(device)-\(item)"
                return IQ(type: .set, id: "p\(id)", to: try JID("pubsub.localhost"), payload: Element(
                    "pubsub", namespace: Self.pubsub, children: [
                        Element("publish", namespace: Self.pubsub, ["node": "site/d\(device)"], children: [
                            Element("item", namespace: Self.pubsub, ["id": id], children: [
                                Element("reading", namespace: "urn:example:sensor", text: id),
                            ]),
                        ]),
                    ])).element.serialized(streamNamespace: Namespace.client)
            }
            // Every device's run in one write, all at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, device) in devices.enumerated() {
                    let run = try (0..<items).map { try publish(index, $0) }.joined()
                    group.addTask { try await device.send(run) }
                }
                try await group.waitForAll()
            }
            for (index, device) in devices.enumerated() {
                var replies: [String] = []
                while replies.count < items {
                    let reply = try await device.nextElement("device \(index) reply \(replies.count + 1)")
                    guard reply.name == "iq" else { continue }
                    replies.append("\(reply[attribute: "id"] ?? "?"):\(reply[attribute: "type"] ?? "?")")
                }
                #expect(replies == (0..<items).map { "p\(index)-\($0):result" })
                let retrieve = Element("pubsub", namespace: Self.pubsub, children: [
                    Element("items", namespace: Self.pubsub, ["node": "site/d\(index)"]),
                ])
                let stored = try await Self.request(device, "i\(index)", .get, retrieve)
                let ids = stored.child("pubsub", namespace: Self.pubsub)?.child("items", namespace: Self.pubsub)?
                    .children.compactMap { child -> String? in
                        guard case .element(let item) = child else { return nil }
                        return item[attribute: "id"]
                    }
                #expect(Set(ids ?? []) == Set((0..<items).map { "\(index)-\($0)" }))
            }
            for device in devices { await device.close() }
        }
    }

    /// XEP-0060 §6.1.4 and §8.6: on an authorize node a subscription waits for the owner, who gets
    /// a form by message and answers with it submitted; then items flow.
    @Test func ownerApprovesAPendingSubscriptionByMessage() async throws {
        let dataDir = try StarlingServiceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = StarlingServiceTests.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        try await admin.add("owner", password: "o-secret")
        try await admin.add("viewer", password: "v-secret")
        try await StarlingServiceTests.withService(configuration) { addresses in
            let port = addresses[1].port ?? 0
            let owner = try await Self.login(port: port, "owner", "o-secret", available: true)
            let viewer = try await Self.login(port: port, "viewer", "v-secret", available: true)
            var form = [DataForm.Field.formType("http://jabber.org/protocol/pubsub#node_config")]
            form.append(DataForm.Field(var: "pubsub#access_model", values: ["authorize"]))
            _ = try await Self.request(owner, "c", .set, Element("pubsub", namespace: Self.pubsub, children: [
                Element("create", namespace: Self.pubsub, ["node": "private"]),
                Element("configure", namespace: Self.pubsub, children: [DataForm(type: .submit, fields: form).element]),
            ]))
            let pending = try await Self.request(viewer, "s", .set, Element("pubsub", namespace: Self.pubsub, children: [
                Element("subscribe", namespace: Self.pubsub, ["node": "private", "jid": "viewer@localhost"])
            ]))
            #expect(pending.serialized().contains("subscription='pending'"))

            // The owner gets the authorization form (§8.6) and submits it with allow = true.
            let request = try await owner.waitFor("authorization request") {
                $0.name == "message" && $0.child("x", namespace: Namespace.dataForms) != nil
            }
            var answer = try DataForm(element: try #require(request.child("x", namespace: Namespace.dataForms)))
            answer.type = .submit
            answer.fields = answer.fields.map { field in
                var field = field
                if field.var == "pubsub#allow" { field.values = ["true"] }
                return field
            }
            try await owner.send(Message(type: .normal, to: try JID("pubsub.localhost"), payload: [answer.element]).element)
            let decision = try await viewer.waitFor("subscription decision") {
                $0.name == "message" && $0.serialized().contains("subscription='subscribed'")
            }
            #expect(decision[attribute: "from"] == "pubsub.localhost")

            let reading = Element("reading", namespace: "urn:example:sensor", text: "7")
            _ = try await Self.request(owner, "p", .set, Element("pubsub", namespace: Self.pubsub, children: [
                Element("publish", namespace: Self.pubsub, ["node": "private"], children: [
                    Element("item", namespace: Self.pubsub, ["id": "i1"], children: [reading])
                ])
            ]))
            let event = try await viewer.waitFor("the item") {
                $0.name == "message" && $0.child("event", namespace: Self.event) != nil && $0.serialized().contains("i1")
            }
            #expect(event.serialized().contains("urn:example:sensor"))

            // An answer for a subscription that is no longer pending is refused (§8.6 error).
            try await owner.send(Message(type: .normal, to: try JID("pubsub.localhost"), id: "again", payload: [answer.element]).element)
            let refused = try await owner.waitFor("refusal") { $0.name == "message" && $0[attribute: "id"] == "again" }
            #expect(refused[attribute: "type"] == "error")
            for client in [owner, viewer] { await client.close() }
        }
    }

    /// pubsub#send_last_published_item = on_sub_and_presence (XEP-0060 §12.4): a dashboard that
    /// comes back online gets the last reading published while it was away, at the new resource.
    @Test func lastItemIsSentWhenTheSubscriberComesOnline() async throws {
        let dataDir = try StarlingServiceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = StarlingServiceTests.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        try await admin.add("device", password: "d-secret")
        try await admin.add("dashboard", password: "b-secret")
        try await StarlingServiceTests.withService(configuration) { addresses in
            let port = addresses[1].port ?? 0
            let device = try await Self.login(port: port, "device", "d-secret", resource: "d")
            var form = [DataForm.Field.formType("http://jabber.org/protocol/pubsub#node_config")]
            form.append(DataForm.Field(var: "pubsub#send_last_published_item", values: ["on_sub_and_presence"]))
            _ = try await Self.request(device, "c", .set, Element("pubsub", namespace: Self.pubsub, children: [
                Element("create", namespace: Self.pubsub, ["node": "boiler/pressure"]),
                Element("configure", namespace: Self.pubsub, children: [DataForm(type: .submit, fields: form).element]),
            ]))
            let first = try await Self.login(port: port, "dashboard", "b-secret", resource: "first")
            _ = try await Self.request(first, "s", .set, Element("pubsub", namespace: Self.pubsub, children: [
                Element("subscribe", namespace: Self.pubsub, ["node": "boiler/pressure", "jid": "dashboard@localhost"])
            ]))
            await first.close()

            _ = try await Self.request(device, "p", .set, Element("pubsub", namespace: Self.pubsub, children: [
                Element("publish", namespace: Self.pubsub, ["node": "boiler/pressure"], children: [
                    Element("item", namespace: Self.pubsub, ["id": "while-away"], children: [
                        Element("bar", namespace: "urn:example:pressure", text: "2.4")
                    ])
                ])
            ]))

            let again = try await Self.login(port: port, "dashboard", "b-secret", resource: "again")
            try await again.send(Presence(type: .available).element)
            let last = try await again.waitFor("the last published item") {
                $0.name == "message" && $0.child("event", namespace: Self.event) != nil
            }
            #expect(last[attribute: "to"] == "dashboard@localhost/again")
            #expect(last.serialized().contains("while-away"))
            #expect(last.serialized().contains("2.4"))
            for client in [device, again] { await client.close() }
        }
    }
}
