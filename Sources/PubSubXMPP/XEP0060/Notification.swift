import NIOCore
import XMPPCore
import XMPPStream

/// One `<message/>` carrying a pubsub event to one entity (XEP-0060 §7.1.2, §12).
///
/// ```
/// S: <message from='pubsub.example.org' to='dashboard@example.org' type='headline'>
///      <event xmlns='http://jabber.org/protocol/pubsub#event'>
///        <items node='site-a/floor-2/temp'><item id='r1' publisher='device@example.org'>…</item></items>
///      </event>
///      <headers xmlns='http://jabber.org/protocol/shim'><header name='Collection'>site-a</header></headers>
///    </message>
/// ```
///
/// Every notification of one event shares the same ``event`` element (built once, copy-on-write); only
/// the envelope — `to`, `type`, SHIM headers, delay — varies. ``element`` is the whole stanza. The hot
/// path serializes the event once and then each envelope around those bytes:
///
/// ```swift
/// var eventBytes = ByteBuffer()
/// batch.first?.event.write(to: &eventBytes, streamNamespace: Namespace.client)        // once per event
/// for notification in batch { notification.write(eventBytes: eventBytes, to: &out) }  // per recipient
/// ```
public struct Notification: Hashable, Sendable {
    public let to: JID
    public let from: JID
    public let type: Message.MessageType
    /// The shared `<event/>` (or, for §8.6 approval requests, the `<x/>` form).
    public let event: Element
    /// Per-recipient children written after `event` (SHIM headers, XEP-0203 delay).
    public let extras: [Element]
    /// `pubsub#presence_based_delivery` (§12.1): deliver only while `to` is available.
    public let presenceBased: Bool

    public init(to: JID, from: JID, type: Message.MessageType, event: Element, extras: [Element] = [],
                presenceBased: Bool = false) {
        self.to = to
        self.from = from
        self.type = type
        self.event = event
        self.extras = extras
        self.presenceBased = presenceBased
    }

    /// The complete stanza.
    public var element: Element {
        Message(type: type, from: from, to: to, payload: [event] + extras).element
    }

    /// Writes ``element`` to `buffer`, taking the event's bytes from `eventBytes`: ``event`` serialized
    /// once with the same `streamNamespace` (the event's namespace differs from it, so the bytes declare
    /// their own `xmlns` and fit inside any envelope). The output is byte-identical to serializing
    /// ``element`` with `streamNamespace`.
    public func write(eventBytes: ByteBuffer, to buffer: inout ByteBuffer, streamNamespace: String = Namespace.client) {
        // The envelope without children serializes as `<message …/>`; its start tag is that minus "/>".
        var envelope = Message(type: type, from: from, to: to).element
        envelope.namespace = streamNamespace
        var start = ByteBuffer()
        envelope.write(to: &start, streamNamespace: streamNamespace)
        start.moveWriterIndex(to: start.writerIndex - 2)
        buffer.writeBuffer(&start)
        buffer.writeString(">")
        var shared = eventBytes
        buffer.writeBuffer(&shared)
        for extra in extras { extra.write(to: &buffer, streamNamespace: streamNamespace) }
        buffer.writeString("</message>")
    }
}
