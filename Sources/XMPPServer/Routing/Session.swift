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

    /// Writes several buffers as one stanza (a per-recipient envelope around shared bytes); safe
    /// from any thread. The parts are copied into one buffer first: each write reaching NIOSSL
    /// becomes its own TLS record (one `SSL_write` per buffered write), so three parts cost three
    /// records, three AEAD seals and 3 × 22 bytes of framing; one memcpy of a notification is
    /// cheaper. One write also means stanzas sent concurrently never interleave with it.
    public func send(parts: [ByteBuffer]) {
        var whole = channel.allocator.buffer(capacity: parts.reduce(0) { $0 + $1.readableBytes })
        for part in parts { whole.writeImmutableBuffer(part) }
        channel.writeAndFlush(whole, promise: nil)
    }

    /// Ends the stream with a stream error (e.g. `<conflict/>` when a newer session takes the resource).
    public func close(with error: StreamError) {
        channel.pipeline.fireUserInboundEventTriggered(C2SHandler.CloseStream(error: error))
    }

    public static func == (lhs: Session, rhs: Session) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    public var description: String { "Session(\(jid))" }
}
