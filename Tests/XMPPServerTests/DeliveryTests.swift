import NIOCore
import Testing
import XMPPCore
import XMPPStream
import XMPPTestSupport
@testable import XMPPServer

/// Server-originated delivery (what the pubsub service will use): RFC 6121 §8.5 recipient rules and
/// a shared payload with per-recipient envelopes.
@Suite struct DeliveryTests {
    @Test func sharedPayloadReachesEveryAvailableResourceWithItsOwnEnvelope() async throws {
        let running = try await LiveServerTests.start()
        defer { Task { await running.stop() } }
        let (a, aJID) = try await LiveServerTests.login(running.port, "juliet", resource: "a")
        let (b, _) = try await LiveServerTests.login(running.port, "juliet", resource: "b")
        let (c, _) = try await LiveServerTests.login(running.port, "juliet", resource: "c")  // never available
        for client in [a, b] {
            try await client.send(Presence(type: .available).element)
            _ = try await client.waitFor("own presence") { $0.name == "presence" }
        }
        let core = running.server.core
        #expect(core.isAvailable(try JID("juliet@example.com")))
        #expect(!core.isAvailable(try JID("romeo@example.com")))

        var payload = ByteBufferAllocator().buffer(capacity: 64)
        Element("event", namespace: "http://jabber.org/protocol/pubsub#event", children: [
            Element("items", namespace: "http://jabber.org/protocol/pubsub#event", ["node": "site-a/temp"])
        ]).write(to: &payload, streamNamespace: Namespace.client)
        let pubsub = try JID("pubsub.example.com")
        // headline to the bare JID: every available resource (§8.5.2.1.1), not the unavailable one.
        #expect(core.deliverMessage(from: pubsub, to: try JID("juliet@example.com"), type: .headline, id: "n1", payload: payload) == 2)
        for client in [a, b] {
            let message = try await client.waitFor("notification") { $0.name == "message" }
            #expect(message[attribute: "from"] == "pubsub.example.com")
            #expect(message[attribute: "to"] == "juliet@example.com")
            #expect(message[attribute: "type"] == "headline")
            #expect(message.child("event", namespace: "http://jabber.org/protocol/pubsub#event")?
                .child("items", namespace: "http://jabber.org/protocol/pubsub#event")?[attribute: "node"] == "site-a/temp")
        }
        // A full JID reaches exactly that session, available or not.
        #expect(core.deliverMessage(from: pubsub, to: try JID("juliet@example.com/c"), type: .headline, payload: payload) == 1)
        #expect(try await c.waitFor("notification to the full JID") { $0.name == "message" }[attribute: "to"] == "juliet@example.com/c")
        // Nobody there: nothing is written, nothing stored.
        #expect(core.deliverMessage(from: pubsub, to: try JID("romeo@example.com"), type: .headline, payload: payload) == 0)
        #expect(aJID.resourcepart == "a")
        for client in [a, b, c] { await client.close() }
    }

    @Test func concurrentMultipartSendsNeverInterleave() async throws {
        let running = try await LiveServerTests.start()
        defer { Task { await running.stop() } }
        let (client, jid) = try await LiveServerTests.login(running.port, "juliet")
        let session = try #require(running.server.core.sessions.session(jid))
        let count = 200
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                group.addTask {
                    session.send(parts: [ByteBuffer(string: "<message id='\(i)'>"),
                                         ByteBuffer(string: "<body>\(i)</body>"),
                                         ByteBuffer(string: "</message>")])
                }
            }
        }
        var seen = Set<String>()
        for _ in 0..<count {
            let message = try await client.waitFor("message") { $0.name == "message" }
            #expect(message.child("body", namespace: Namespace.client)?.text == message[attribute: "id"])
            seen.insert(message[attribute: "id"] ?? "")
        }
        #expect(seen.count == count)
        await client.close()
    }

    /// The batched path (one task per event loop): every addressee once, with its own `to`, the
    /// shared payload intact, and per session the order in which the batches were handed over.
    @Test func batchesToManyAddresseesKeepOrderPerSession() async throws {
        let running = try await LiveServerTests.start()
        defer { Task { await running.stop() } }
        var clients: [(TestClient, JID)] = []
        for index in 0..<6 {
            clients.append(try await LiveServerTests.login(running.port, index % 2 == 0 ? "juliet" : "romeo", resource: "r\(index)"))
        }
        let core = running.server.core
        let pubsub = try JID("pubsub.example.com")
        // Full JIDs of every session, one of them twice, and one nobody holds.
        let addressees = clients.map(\.1) + [clients[0].1, try JID("nobody@example.com/x")]
        let batches = 20
        for batch in 0..<batches {
            let payload = ByteBuffer(string: "<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n&amp;\(batch)'/></event>")
            #expect(core.deliverMessage(from: pubsub, to: addressees, type: .headline, id: "b\(batch)", payload: payload) == 7)
        }
        for (index, (client, jid)) in clients.enumerated() {
            var ids: [String] = []
            let expected = index == 0 ? batches * 2 : batches
            for _ in 0..<expected {
                let message = try await client.waitFor("notification") { $0.name == "message" }
                #expect(message[attribute: "to"] == jid.description)
                #expect(message[attribute: "from"] == "pubsub.example.com")
                let node = message.child("event", namespace: "http://jabber.org/protocol/pubsub#event")?
                    .child("items", namespace: "http://jabber.org/protocol/pubsub#event")?[attribute: "node"]
                #expect(node == "n&" + (message[attribute: "id"] ?? "").dropFirst())
                ids.append(message[attribute: "id"] ?? "")
            }
            let order = (0..<batches).flatMap { index == 0 ? ["b\($0)", "b\($0)"] : ["b\($0)"] }
            #expect(ids == order)
        }
        for (client, _) in clients { await client.close() }
    }
}
