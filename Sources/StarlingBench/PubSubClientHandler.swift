import NIOCore
import XMPPCore
import XMPPStream

/// The pubsub side of one established session, behind `LoginHandler`: sends IQ requests and
/// matches their answers by id (RFC 6120 §8.2.3), runs publish loops on the event loop (no task
/// hop per publish, so the generator stays cheap), and counts the items of event notifications
/// (XEP-0060 §7.1.2.1).
///
/// Every method runs on the channel's event loop; the outside reaches it through `PubSubSession`.
final class PubSubClientHandler: ChannelInboundHandler {
    typealias InboundIn = Element
    typealias OutboundOut = ByteBuffer

    /// A publish loop: `total` items to `node`, either at most `window` unanswered at a time, or one
    /// every `interval` (the latency scenario's fixed rate).
    struct PublishPlan {
        var node: String
        var total: Int
        var window: Int
        var interval: TimeAmount?
        var filler: String
        var itemPrefix: String
        var sent = 0
        var answered = 0
        var done: EventLoopPromise<Void>
    }

    private let counters: PubSubCounters
    private let service: String
    private let measuresLatency: Bool
    private var context: ChannelHandlerContext?
    private var pending: [String: EventLoopPromise<Element>] = [:]
    private var nextRequest = 0
    private var plan: PublishPlan?
    private var pacer: RepeatedTask?
    private var needsFlush = false
    /// The full JID the server bound for this session.
    private(set) var jid = ""
    /// Items this session received in notifications.
    private(set) var received = 0

    init(counters: PubSubCounters, service: String, measuresLatency: Bool) {
        self.counters = counters
        self.service = service
        self.measuresLatency = measuresLatency
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: - Requests

    /// Sends `<iq type=… to=service>payload</iq>`; the future holds the result IQ, or fails with the
    /// server's error condition.
    func request(type: String, payload: Element, on eventLoop: any EventLoop) -> EventLoopFuture<Element> {
        guard let context else {
            return eventLoop.makeFailedFuture(BenchError.protocolError("session closed before a request"))
        }
        nextRequest += 1
        let id = "r\(nextRequest)"
        let promise = context.eventLoop.makePromise(of: Element.self)
        pending[id] = promise
        send(iq(type: type, id: id, payload: payload), context: context)
        flush(context: context)
        return promise.futureResult
    }

    /// Starts a publish loop (see `PublishPlan`); its `done` succeeds once every publish is answered.
    func startPublishing(_ newPlan: PublishPlan) {
        guard let context else {
            newPlan.done.fail(BenchError.protocolError("session closed before publishing"))
            return
        }
        plan = newPlan
        if let interval = newPlan.interval {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            pacer = context.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { task in
                bound.value.paceOne(task)
            }
        } else {
            fillWindow(context: context)
            flush(context: context)
        }
    }

    /// One publish of a paced plan; the pacer stops once all are sent.
    private func paceOne(_ task: RepeatedTask) {
        guard let context, var current = plan, current.sent < current.total else {
            task.cancel()
            return
        }
        sendPublish(&current, context: context)
        plan = current
        flush(context: context)
    }

    private func fillWindow(context: ChannelHandlerContext) {
        guard var current = plan, current.interval == nil else { return }
        while current.sent < current.total && current.sent - current.answered < current.window {
            sendPublish(&current, context: context)
        }
        plan = current
    }

    private func sendPublish(_ current: inout PublishPlan, context: ChannelHandlerContext) {
        current.sent += 1
        let sequence = current.sent
        let payload = PubSubWire.publish(
            node: current.node, itemID: "\(current.itemPrefix)\(sequence)", sequence: sequence,
            timestamp: NIODeadline.now().uptimeNanoseconds, filler: current.filler)
        counters.published.add(1, ordering: .relaxed)
        send(iq(type: "set", id: "p\(sequence)", payload: payload), context: context)
    }

    private func publishAnswered(_ stanza: Element, context: ChannelHandlerContext) {
        guard var current = plan else { return }
        current.answered += 1
        if stanza[attribute: "type"] == "result" {
            counters.acknowledged.add(1, ordering: .relaxed)
        } else {
            counters.publishErrors.add(1, ordering: .relaxed)
            counters.recordError("publish to \(current.node) refused: \(Self.condition(of: stanza))")
        }
        plan = current
        if current.answered == current.total {
            plan = nil
            pacer?.cancel()
            current.done.succeed()
        } else {
            fillWindow(context: context)
        }
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let stanza = unwrapInboundIn(data)
        switch stanza.name {
        case "message":
            let items = PubSubWire.notifiedItems(in: stanza)
            guard !items.isEmpty else { return }
            received += items.count
            counters.notifications.add(items.count, ordering: .relaxed)
            if measuresLatency {
                let now = NIODeadline.now().uptimeNanoseconds
                for case let stamp? in items where stamp <= now {
                    counters.latencies.record(microseconds: (now - stamp) / 1000)
                }
            }
        case "iq":
            handleIQ(stanza, context: context)
        default:
            break  // presence: not ours
        }
    }

    private func handleIQ(_ stanza: Element, context: ChannelHandlerContext) {
        let id = stanza[attribute: "id"] ?? ""
        switch stanza[attribute: "type"] {
        case "result", "error":
            if id.hasPrefix("p") {
                publishAnswered(stanza, context: context)
            } else if let promise = pending.removeValue(forKey: id) {
                if stanza[attribute: "type"] == "result" {
                    promise.succeed(stanza)
                } else {
                    promise.fail(BenchError.protocolError("IQ error \(Self.condition(of: stanza))"))
                }
            }
        case "get", "set":
            // RFC 6120 §8.2.3: every request gets an answer; the server's XEP-0199 ping a result.
            var answer = Element("iq", namespace: Namespace.client, ["type": "result", "id": id, "to": stanza[attribute: "from"]])
            if stanza.child("ping", namespace: PubSubWire.ping) == nil {
                answer[attribute: "type"] = "error"
                answer.children = [.element(Element("error", namespace: Namespace.client, ["type": "cancel"], children: [
                    Element("service-unavailable", namespace: "urn:ietf:params:xml:ns:xmpp-stanzas"),
                ]))]
            }
            send(answer, context: context)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let bound = event as? SessionBound { jid = bound.jid }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let error = BenchError.protocolError("connection closed with requests outstanding")
        for promise in pending.values { promise.fail(error) }
        pending.removeAll()
        pacer?.cancel()
        if let current = plan {
            plan = nil
            current.done.fail(BenchError.protocolError(
                "connection closed after \(current.answered) of \(current.total) publishes were answered"))
        }
        context.fireChannelInactive()
    }

    // MARK: - Output

    private func iq(type: String, id: String, payload: Element) -> Element {
        Element("iq", namespace: Namespace.client, ["type": type, "id": id, "to": service], children: [payload])
    }

    private func send(_ element: Element, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 512)
        element.write(to: &buffer)
        context.write(wrapOutboundOut(buffer), promise: nil)
        needsFlush = true
    }

    private func flush(context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    /// The defined condition of an IQ error (RFC 6120 §8.3.3), plus the XEP-0060 §7.1.3 detail.
    static func condition(of stanza: Element) -> String {
        guard let error = stanza.child("error", namespace: Namespace.client) ?? stanza.elements.first(where: { $0.name == "error" })
        else { return "(no <error/>)" }
        return error.elements.map(\.name).joined(separator: "+")
    }
}
