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
    /// Stanzas sent from other threads wait here until the event loop gets to the flush queued
    /// behind them, then leave as one buffer: one TLS record and one syscall for however many
    /// notifications a busy loop collected (NIOSSL seals each buffered write separately).
    private let pending: NIOLoopBoundBox<ByteBuffer?>

    /// Identity of the channel's event loop, for grouping deliveries by loop without asking the channel.
    let loopID: ObjectIdentifier

    init(jid: JID, channel: Channel) {
        self.jid = jid
        self.channel = channel
        self.loopID = ObjectIdentifier(channel.eventLoop)
        self.pending = NIOLoopBoundBox.makeEmptyBox(valueType: ByteBuffer.self, eventLoop: channel.eventLoop)
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

    /// Several stanzas in order, serialized here into one buffer and handed to the event loop once.
    public func send(_ elements: [Element]) {
        guard !elements.isEmpty else { return }
        var buffer = channel.allocator.buffer(capacity: 256 * elements.count)
        for element in elements { element.write(to: &buffer, streamNamespace: Namespace.client) }
        send(buffer)
    }

    /// Writes already-serialized stanza bytes (shared by fan-out); safe from any thread. Stanzas
    /// keep the order of the calls from one thread.
    public func send(_ bytes: ByteBuffer) {
        send(parts: CollectionOfOne(bytes))
    }

    /// Writes several buffers as one stanza (a per-recipient envelope around shared bytes); safe
    /// from any thread. The parts are appended to the session's pending buffer on its event loop,
    /// so a stanza never interleaves with another, and everything pending leaves in one write:
    /// each write reaching NIOSSL becomes its own TLS record (one `SSL_write` per buffered write),
    /// so coalescing saves AEAD seals, record framing and syscalls under load.
    public func send(parts: some Collection<ByteBuffer> & Sendable) {
        if channel.eventLoop.inEventLoop {
            appendAndScheduleFlush(parts)
        } else {
            channel.eventLoop.execute { self.appendAndScheduleFlush(parts) }
        }
    }

    private func appendAndScheduleFlush(_ parts: some Collection<ByteBuffer>) {
        let owesFlush = appendPending { buffer in
            for part in parts { buffer.writeImmutableBuffer(part) }
        }
        if owesFlush {
            // Queued behind the sends already waiting on this loop, which join this buffer.
            channel.eventLoop.execute { self.flushPending() }
        }
    }

    /// On the session's event loop: appends one whole stanza, written by `body`, to the bytes
    /// waiting for the next flush. Returns true when nothing was waiting before, i.e. the caller
    /// owes this session a `flushPending()` later in the loop turn (`LoopDelivery` batches those).
    func appendPending(_ body: (inout ByteBuffer) -> Void) -> Bool {
        channel.eventLoop.assertInEventLoop()
        if var buffer = pending.value {
            // Out of the box first, so the buffer is uniquely referenced and grows in place.
            pending.value = nil
            body(&buffer)
            pending.value = buffer
            return false
        }
        var buffer = channel.allocator.buffer(capacity: 512)
        body(&buffer)
        pending.value = buffer
        return true
    }

    /// On the session's event loop: writes what is pending as one buffer.
    func flushPending() {
        guard let whole = pending.value else { return }
        pending.value = nil
        channel.writeAndFlush(whole, promise: nil)
    }

    /// Ends the stream with a stream error (e.g. `<conflict/>` when a newer session takes the resource).
    public func close(with error: StreamError) {
        let channel = self.channel
        channel.eventLoop.execute {
            // What was sent before the close goes out before the stream error.
            self.flushPending()
            channel.pipeline.fireUserInboundEventTriggered(C2SHandler.CloseStream(error: error))
        }
    }

    public static func == (lhs: Session, rhs: Session) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    public var description: String { "Session(\(jid))" }
}
