import NIOCore
import Synchronization
import XMPPCore
import XMPPStream

/// A bound client session (RFC 6120 §7) as the rest of the server sees it: its full JID, a way to
/// send it bytes from any thread, and its presence state (RFC 6121 §4).
public final class Session: Sendable, Hashable, CustomStringConvertible {
    public let jid: JID
    let channel: Channel

    struct PresenceState: Sendable {
        /// Sent initial presence and not yet unavailable (RFC 6121 §4.2, §4.5).
        var isAvailable = false
        var priority = 0
        /// The last available presence broadcast, `from` stamped, for probes and new subscribers.
        var lastPresence: Element?
        /// Requested the roster, so receives roster pushes (RFC 6121 §2.1.6 "interested resource").
        var isInterested = false
    }

    private let state = Mutex(PresenceState())

    init(jid: JID, channel: Channel) {
        self.jid = jid
        self.channel = channel
    }

    public var eventLoop: EventLoop { channel.eventLoop }

    var presence: PresenceState { state.withLock { $0 } }

    func updatePresence<R: Sendable>(_ body: (inout PresenceState) -> R) -> R {
        state.withLock { state in body(&state) }
    }

    /// Serializes once and writes; safe from any thread.
    public func send(_ element: Element) {
        var buffer = channel.allocator.buffer(capacity: 256)
        element.write(to: &buffer, streamNamespace: Namespace.client)
        send(buffer)
    }

    /// Writes already-serialized stanza bytes (shared by fan-out); safe from any thread.
    public func send(_ bytes: ByteBuffer) {
        channel.writeAndFlush(bytes, promise: nil)
    }

    /// Writes several buffers as one stanza (a per-recipient envelope around shared bytes) and
    /// flushes once; safe from any thread. The parts go out in one event-loop task, so stanzas
    /// sent concurrently from other threads never interleave with them.
    public func send(parts: [ByteBuffer]) {
        let channel = self.channel
        channel.eventLoop.execute {
            for part in parts { channel.write(part, promise: nil) }
            channel.flush()
        }
    }

    /// Ends the stream with a stream error (e.g. `<conflict/>` when a newer session takes the resource).
    public func close(with error: StreamError) {
        channel.pipeline.fireUserInboundEventTriggered(C2SHandler.CloseStream(error: error))
    }

    public static func == (lhs: Session, rhs: Session) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    public var description: String { "Session(\(jid))" }
}
