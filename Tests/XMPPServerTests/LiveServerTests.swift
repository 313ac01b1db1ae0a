import Accounts
import Logging
import NIOCore
import NIOPosix
import SASL
import Testing
import XMPPCore
import XMPPStream
import XMPPTestSupport
@testable import XMPPServer

/// The server on a real loopback socket, driven by `TestClient`.
@Suite struct LiveServerTests {
    static let domain = "example.com"

    struct Running {
        let server: XMPPServer
        let port: Int
        let storage: InMemoryAccountStorage

        func stop() async { await server.shutdown() }
    }

    static func start(limits: XMLStreamLimits = .init(maxStanzaBytes: 4096, maxDepth: 8, maxAttributes: 16),
                      connectionLimits: ConnectionLimits.Configuration = .init(),
                      registration: Bool = false,
                      ping: (interval: TimeAmount, timeout: TimeAmount) = (.seconds(300), .seconds(60)),
                      negotiationTimeout: TimeAmount = .seconds(30),
                      maximumResources: Int = 32) async throws -> Running {
        let storage = InMemoryAccountStorage()
        for name in ["juliet", "romeo"] {
            _ = try await storage.createAccount(InstantMessaging.makeAccount(username: name, password: "secret-\(name)"))
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let configuration = ServerConfiguration(
            domain: domain, c2sHost: "127.0.0.1", c2sPort: 0, tls: nil, streamLimits: limits,
            connectionLimits: connectionLimits, registrationEnabled: registration,
            pingInterval: ping.interval, pingTimeout: ping.timeout, negotiationTimeout: negotiationTimeout,
            maximumResourcesPerAccount: maximumResources
        )
        let server = XMPPServer(core: try ServerCore(configuration: configuration, storage: storage, logger: logger),
                                group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let addresses = try await server.start()
        return Running(server: server, port: addresses[0].port ?? 0, storage: storage)
    }

    static func login(_ port: Int, _ user: String, resource: String? = "test") async throws -> (TestClient, JID) {
        let client = try await TestClient.connect(port: port)
        _ = try await client.open(domain: domain)
        try await client.authenticate(username: user, password: "secret-\(user)")
        _ = try await client.open(domain: domain)
        let jid = try await client.bind(resource: resource)
        return (client, jid)
    }

    static func expectStreamError(_ client: TestClient, _ condition: StreamError.Condition) async throws {
        let error = try await client.waitFor("stream error \(condition.rawValue)") {
            $0.name == "error" && $0.namespace == Namespace.streams
        }
        #expect(StreamError(element: error)?.condition == condition, "got \(error.serialized())")
        try await client.waitForClose()
    }

    /// RFC 6120 §4.9.3 / §11: each bad input ends that stream with the named error, closes that
    /// connection, and the server keeps serving everyone else.
    @Test(arguments: [
        ("<!-- hello -->", StreamError.Condition.restrictedXML),
        ("<?pi data?>", .restrictedXML),
        ("<message>&custom;</message>", .restrictedXML),
        ("<message><body></message>", .notWellFormed),
        ("<foo:bar/>", .notWellFormed),
        ("<message><body>" + String(repeating: "x", count: 5000) + "</body></message>", .policyViolation),
        (String(repeating: "<a>", count: 20), .policyViolation),
    ])
    func badInputClosesOnlyThatStream(input: String, condition: StreamError.Condition) async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let (bystander, bystanderJID) = try await Self.login(running.port, "romeo")

        let client = try await TestClient.connect(port: running.port)
        _ = try await client.open(domain: Self.domain)
        try await client.send(input)
        try await Self.expectStreamError(client, condition)

        // The others still get service.
        try await bystander.send(IQ(type: .get, id: "p1", to: try JID(Self.domain), payload: Element(name: "ping", namespace: Namespace.ping)).element)
        let pong = try await bystander.waitFor("ping result") { $0[attribute: "id"] == "p1" }
        #expect(pong[attribute: "type"] == "result")
        #expect(bystanderJID.localpart == "romeo")
        let (late, _) = try await Self.login(running.port, "juliet")
        await late.close()
        await bystander.close()
    }

    @Test func doctypeBeforeTheStreamIsRestrictedXML() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let client = try await TestClient.connect(port: running.port)
        try await client.send("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;'>]>")
        try await Self.expectStreamError(client, .restrictedXML)
    }

    @Test func messagesAndPresenceBetweenTwoUsers() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let (juliet, julietJID) = try await Self.login(running.port, "juliet", resource: "balcony")
        let (romeo, romeoJID) = try await Self.login(running.port, "romeo", resource: "orchard")
        for client in [juliet, romeo] {
            try await client.send(Presence(type: .available).element)
            // RFC 6121 §4.2.2: the server echoes the presence to the user's own resources.
            _ = try await client.waitFor("own presence") { $0.name == "presence" }
        }

        try await juliet.send(Message(type: .chat, to: romeoJID.bare, id: "m1",
                                      payload: [Element("body", namespace: Namespace.client, text: "wherefore")]).element)
        let received = try await romeo.waitFor("juliet's message") { $0.name == "message" }
        #expect(received[attribute: "from"] == julietJID.description)
        #expect(received.child("body", namespace: Namespace.client)?.text == "wherefore")

        // Full-JID routing and an IQ between clients.
        try await romeo.send(IQ(type: .get, id: "v1", to: julietJID, payload: Element(name: "query", namespace: Namespace.version)).element)
        let iq = try await juliet.waitFor("romeo's iq") { $0.name == "iq" && $0[attribute: "id"] == "v1" }
        #expect(iq[attribute: "from"] == romeoJID.description)
        await juliet.close()
        await romeo.close()
    }

    @Test func offlineRecipientBouncesServiceUnavailable() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let (juliet, _) = try await Self.login(running.port, "juliet")
        try await juliet.send(Message(type: .chat, to: try JID("romeo@example.com"), id: "m2",
                                      payload: [Element("body", namespace: Namespace.client, text: "hello?")]).element)
        let bounce = try await juliet.waitFor("bounce") { $0[attribute: "id"] == "m2" }
        #expect(bounce[attribute: "type"] == "error")
        #expect(bounce.child("error", namespace: Namespace.client).map(StanzaError.init(element:))?.condition == .serviceUnavailable)
        await juliet.close()
    }

    @Test func newestSessionWinsResourceConflict() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let (first, _) = try await Self.login(running.port, "juliet", resource: "phone")
        let (second, jid) = try await Self.login(running.port, "juliet", resource: "phone")
        try await Self.expectStreamError(first, .conflict)
        #expect(jid.resourcepart == "phone")
        #expect(!second.isClosed)
        await second.close()
    }

    @Test func repeatedFailedLoginsAreThrottled() async throws {
        let running = try await Self.start(connectionLimits: .init(failedLoginsPerMinutePerIP: 2))
        defer { Task { await running.stop() } }
        for _ in 0..<2 {
            let client = try await TestClient.connect(port: running.port)
            _ = try await client.open(domain: Self.domain)
            await #expect(throws: TestClient.ClientError.self) {
                try await client.authenticate(username: "juliet", password: "wrong")
            }
            await client.close()
        }
        // Right password, but the address is cooling down: temporary-auth-failure (RFC 6120 §6.5.12).
        let client = try await TestClient.connect(port: running.port)
        _ = try await client.open(domain: Self.domain)
        var scram = SCRAMClient(algorithm: .sha256, username: "juliet", password: "secret-juliet")
        try await client.send(Element("auth", namespace: Namespace.sasl, ["mechanism": "SCRAM-SHA-256"],
                                      text: SASLBase64.encode(scram.clientFirstMessage())))
        let failure = try await client.nextElement("SASL failure")
        #expect(failure.name == "failure")
        #expect(failure.elements.first?.name == "temporary-auth-failure")
        await client.close()
    }

    @Test func shutdownSendsSystemShutdown() async throws {
        let running = try await Self.start()
        let (client, _) = try await Self.login(running.port, "juliet")
        await running.stop()
        try await Self.expectStreamError(client, .systemShutdown)
    }

    // MARK: - XEP-0077, XEP-0199, limits

    @Test func inBandRegistrationThenLogin() async throws {
        let running = try await Self.start(connectionLimits: .init(registrationsPerHourPerIP: 1), registration: true)
        defer { Task { await running.stop() } }
        let client = try await TestClient.connect(port: running.port)
        let features = try await client.open(domain: Self.domain)
        #expect(features.child("register", namespace: Namespace.registerFeature) != nil)
        try await client.send(IQ(type: .get, id: "r1", payload: Element(name: "query", namespace: Namespace.register)).element)
        let form = try await client.waitFor("registration form") { $0[attribute: "id"] == "r1" }
        #expect(form.child("query", namespace: Namespace.register)?.child("username", namespace: Namespace.register) != nil)
        let query = Element("query", namespace: Namespace.register, children: [
            Element("username", namespace: Namespace.register, text: "Mercutio"),
            Element("password", namespace: Namespace.register, text: "queen-mab"),
        ])
        try await client.send(IQ(type: .set, id: "r2", payload: query).element)
        #expect(try await client.waitFor("registration result") { $0[attribute: "id"] == "r2" }[attribute: "type"] == "result")
        // The username is stored normalized (RFC 7622 §3.3): log in with it.
        try await client.authenticate(username: "mercutio", password: "queen-mab")
        await client.close()

        // The per-IP budget (1 per hour here) refuses the next one.
        let second = try await TestClient.connect(port: running.port)
        _ = try await second.open(domain: Self.domain)
        let again = Element("query", namespace: Namespace.register, children: [
            Element("username", namespace: Namespace.register, text: "tybalt"),
            Element("password", namespace: Namespace.register, text: "x"),
        ])
        try await second.send(IQ(type: .set, id: "r3", payload: again).element)
        let refused = try await second.waitFor("refusal") { $0[attribute: "id"] == "r3" }
        #expect(refused.child("error", namespace: Namespace.client).map(StanzaError.init(element:))?.condition == .resourceConstraint)
        #expect(try await running.storage.account(username: "tybalt") == nil)
        await second.close()
    }

    @Test func registrationIsRefusedWhenDisabled() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let client = try await TestClient.connect(port: running.port)
        let features = try await client.open(domain: Self.domain)
        #expect(features.child("register", namespace: Namespace.registerFeature) == nil)
        try await client.send(IQ(type: .get, id: "r1", payload: Element(name: "query", namespace: Namespace.register)).element)
        try await Self.expectStreamError(client, .notAuthorized)
    }

    @Test func idleSessionIsPingedAndClosedWhenSilent() async throws {
        let running = try await Self.start(ping: (.milliseconds(300), .milliseconds(300)))
        defer { Task { await running.stop() } }
        let (client, jid) = try await Self.login(running.port, "juliet")
        // XEP-0199 §4.2: the server pings the idle client ...
        let ping = try await client.waitFor("server ping", timeout: .seconds(15)) {
            $0.name == "iq" && $0.child("ping", namespace: Namespace.ping) != nil
        }
        #expect(ping[attribute: "to"] == jid.description)
        // ... and closes the stream when no answer comes.
        try await Self.expectStreamError(client, .connectionTimeout)
    }

    @Test func answeredPingKeepsTheSessionOpen() async throws {
        let running = try await Self.start(ping: (.milliseconds(300), .milliseconds(1500)))
        defer { Task { await running.stop() } }
        let (client, _) = try await Self.login(running.port, "juliet")
        for _ in 0..<2 {
            let ping = try await client.waitFor("server ping", timeout: .seconds(15)) {
                $0.name == "iq" && $0.child("ping", namespace: Namespace.ping) != nil
            }
            try await client.send(IQ(type: .result, id: ping[attribute: "id"] ?? "", to: try JID(Self.domain)).element)
        }
        #expect(!client.isClosed)
        await client.close()
    }

    @Test func unauthenticatedStreamTimesOut() async throws {
        let running = try await Self.start(negotiationTimeout: .milliseconds(1500))
        defer { Task { await running.stop() } }
        // A silent client: the server still opens its side of the stream before the error
        // (RFC 6120 §4.9.1.2), so the outcome does not depend on how fast this client is.
        let client = try await TestClient.connect(port: running.port)
        try await Self.expectStreamError(client, .connectionTimeout)
    }

    @Test func connectionsPerIPAreLimited() async throws {
        let running = try await Self.start(connectionLimits: .init(maxConnectionsPerIP: 2))
        defer { Task { await running.stop() } }
        let first = try await TestClient.connect(port: running.port)
        let second = try await TestClient.connect(port: running.port)
        _ = try await first.open(domain: Self.domain)
        _ = try await second.open(domain: Self.domain)
        let third = try await TestClient.connect(port: running.port)
        try await third.waitForClose()
        await first.close()
        // A slot frees up when a connection closes.
        try await Task.sleep(for: .milliseconds(200))
        let fourth = try await TestClient.connect(port: running.port)
        _ = try await fourth.open(domain: Self.domain)
        await second.close()
        await fourth.close()
    }

    // MARK: - RFC 6121 §8.5.2.1.1, XEP-0077 §3.2/§3.3

    @Test func messageToBareJIDGoesToTheHighestPriorityResource() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let (high, _) = try await Self.login(running.port, "romeo", resource: "high")
        let (low, _) = try await Self.login(running.port, "romeo", resource: "low")
        let (juliet, _) = try await Self.login(running.port, "juliet")
        for (client, priority) in [(high, "5"), (low, "1")] {
            try await client.send(Presence(type: .available, payload: [Element("priority", namespace: Namespace.client, text: priority)]).element)
            _ = try await client.waitFor("own presence") { $0.name == "presence" && $0.child("priority", namespace: Namespace.client)?.text == priority }
        }
        try await juliet.send(Message(type: .chat, to: try JID("romeo@example.com"), id: "pm",
                                      payload: [Element("body", namespace: Namespace.client, text: "to the best")]).element)
        let delivered = try await high.waitFor("message at the high-priority resource") { $0.name == "message" }
        #expect(delivered[attribute: "id"] == "pm")
        // The low-priority resource gets a marker message sent after, and not the first one.
        try await juliet.send(Message(type: .chat, to: try JID("romeo@example.com/low"), id: "marker").element)
        let next = try await low.waitFor("a message at the low-priority resource") { $0.name == "message" }
        #expect(next[attribute: "id"] == "marker")
        for c in [high, low, juliet] { await c.close() }
    }

    @Test func authenticatedPasswordChangeAndAccountRemoval() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let (client, _) = try await Self.login(running.port, "juliet")
        let change = Element("query", namespace: Namespace.register, children: [
            Element("username", namespace: Namespace.register, text: "juliet"),
            Element("password", namespace: Namespace.register, text: "new-secret"),
        ])
        try await client.send(IQ(type: .set, id: "pw", payload: change).element)
        #expect(try await client.waitFor("password change") { $0[attribute: "id"] == "pw" }[attribute: "type"] == "result")
        let other = try await TestClient.connect(port: running.port)
        _ = try await other.open(domain: Self.domain)
        try await other.authenticate(username: "juliet", password: "new-secret")
        await other.close()

        try await client.send(IQ(type: .set, id: "rm", payload: Element("query", namespace: Namespace.register, children: [
            Element(name: "remove", namespace: Namespace.register)
        ])).element)
        #expect(try await client.waitFor("removal") { $0[attribute: "id"] == "rm" }[attribute: "type"] == "result")
        try await Self.expectStreamError(client, .notAuthorized)
        #expect(try await running.storage.account(username: "juliet") == nil)
    }

    @Test func bindBeyondTheResourceLimitIsResourceConstraint() async throws {
        let running = try await Self.start(maximumResources: 1)
        defer { Task { await running.stop() } }
        let (first, _) = try await Self.login(running.port, "juliet", resource: "one")
        let second = try await TestClient.connect(port: running.port)
        _ = try await second.open(domain: Self.domain)
        try await second.authenticate(username: "juliet", password: "secret-juliet")
        _ = try await second.open(domain: Self.domain)
        await #expect(throws: TestClient.ClientError.self) { try await second.bind(resource: "two") }
        #expect(second.received.contains("<resource-constraint"))  // RFC 6120 §7.6.2.1
        // Rebinding the same resource is not a new resource: newest wins (§7.7.2.2).
        let (third, _) = try await Self.login(running.port, "juliet", resource: "one")
        try await Self.expectStreamError(first, .conflict)
        await second.close()
        await third.close()
    }
}
