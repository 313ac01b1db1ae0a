import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing
import XMPPCore
@testable import XMPPServer

/// `ComponentInbox`: the batches that sessions hand a component during one event-loop turn reach it
/// in one call, and each session's future completes only once the component is done with it.
@Suite struct ComponentInboxTests {
    /// Records each `handle(_ batches:)` call as the bare names of the sessions, after a pause.
    final class Recorder: ComponentHandler {
        let domain: JID
        let calls = Mutex<[[String]]>([])
        let finished = Mutex(0)
        var discoName: String? { nil }

        init() throws { domain = try JID("pubsub.example.com") }

        func handle(_ stanza: Stanza, from session: Session) async {}
        func handle(_ batches: [ComponentBatch]) async {
            calls.withLock { $0.append(batches.map { $0.session.jid.localpart ?? "?" }) }
            try? await Task.sleep(for: .milliseconds(20))
            finished.withLock { $0 += batches.count }
        }
    }

    @Test func oneLoopTurnIsOneHandOver() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let inbox = ComponentInbox(eventLoop: loop)
        let component = try Recorder()
        let stanza = Stanza.iq(IQ(type: .get, id: "1", to: try JID("pubsub.example.com"),
                                  payload: Element(name: "ping", namespace: Namespace.ping)))
        let sessions = try ["a", "b", "c"].map { Session(jid: try JID("\($0)@example.com/r"), channel: EmbeddedChannel()) }

        // Three sessions in one turn: one call, in the order they were added.
        let futures = try await loop.submit {
            sessions.map { inbox.add(ComponentBatch(session: $0, stanzas: [stanza]), for: component) }
        }.get()
        for future in futures {
            try await future.get()
        }
        #expect(component.finished.withLock { $0 } == 3)   // nobody was released before the component finished
        #expect(component.calls.withLock { $0 } == [["a", "b", "c"]])

        // The next turn is the next call.
        try await loop.submit { inbox.add(ComponentBatch(session: sessions[1], stanzas: [stanza]), for: component) }.get().get()
        #expect(component.calls.withLock { $0 } == [["a", "b", "c"], ["b"]])
        try await group.shutdownGracefully()
    }
}
