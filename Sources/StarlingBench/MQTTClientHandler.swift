import NIOCore

/// One MQTT 3.1.1 client connection for the `mqtt` scenarios: CONNECT on activation, SUBSCRIBE on
/// request, a QoS 1 publish loop with at most `window` PUBLISH packets awaiting PUBACK (§4.3.2),
/// and, as a subscriber, a count of every PUBLISH received, each QoS 1 one acknowledged (§4.3.2).
/// Every method runs on the channel's event loop; `MQTTSession` is the handle from outside.
final class MQTTClientHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = ByteBuffer

    struct PublishPlan {
        var topic: String
        var total: Int
        var window: Int
        var qos: UInt8
        var payload: ByteBuffer
        var sent = 0
        var answered = 0
        var done: EventLoopPromise<Void>
    }

    private let clientID: String
    private let counters: PubSubCounters
    private let sessions: BenchCounters
    private var closing = false
    private let connected: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var subscribed: [UInt16: EventLoopPromise<Void>] = [:]
    private var nextPacketID: UInt16 = 0
    private var plan: PublishPlan?
    private var needsFlush = false
    private var isConnected = false
    /// PUBLISH packets this connection received.
    private(set) var received = 0

    init(clientID: String, counters: PubSubCounters, sessions: BenchCounters, connected: EventLoopPromise<Void>) {
        self.clientID = clientID
        self.counters = counters
        self.sessions = sessions
        self.connected = connected
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        // Keep-alive 0: no PINGREQ needed during a run (§3.1.2.10).
        send(.connect(clientID: clientID, keepAlive: 0, cleanSession: true), context: context)
        flush(context: context)
        context.fireChannelActive()
    }

    func subscribe(topic: String, qos: UInt8, on loop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context else { return loop.makeFailedFuture(BenchError.protocolError("MQTT session closed")) }
        let id = packetID()
        let promise = loop.makePromise(of: Void.self)
        subscribed[id] = promise
        send(.subscribe(packetID: id, filters: [.init(topic: topic, qos: qos)]), context: context)
        flush(context: context)
        return promise.futureResult
    }

    func startPublishing(_ newPlan: PublishPlan) {
        guard let context else {
            newPlan.done.fail(BenchError.protocolError("MQTT session closed before publishing"))
            return
        }
        plan = newPlan
        fillWindow(context: context)
        flush(context: context)
    }

    func disconnect() {
        guard let context else { return }
        closing = true
        send(.disconnect, context: context)
        flush(context: context)
        context.close(promise: nil)
    }

    private func fillWindow(context: ChannelHandlerContext) {
        guard var current = plan else { return }
        while current.sent < current.total && current.sent - current.answered < current.window {
            current.sent += 1
            counters.published.add(1, ordering: .relaxed)
            let id: UInt16? = current.qos > 0 ? packetID() : nil
            send(.publish(.init(topic: current.topic, qos: current.qos, packetID: id, payload: current.payload)), context: context)
            if current.qos == 0 {
                // QoS 0 has no acknowledgement (§4.3.1): the write is all there is.
                current.answered += 1
                counters.acknowledged.add(1, ordering: .relaxed)
            }
        }
        plan = current
        finishIfDone()
    }

    private func finishIfDone() {
        guard let current = plan, current.answered == current.total else { return }
        plan = nil
        current.done.succeed()
    }

    private func packetID() -> UInt16 {
        nextPacketID = nextPacketID == UInt16.max ? 1 : nextPacketID + 1  // 0 is not a packet id (§2.3.1)
        return nextPacketID
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .connack(_, let code):
            guard code == 0 else {
                connected.fail(BenchError.protocolError("CONNACK return code \(code)"))
                context.close(promise: nil)
                return
            }
            isConnected = true
            connected.succeed()
        case .suback(let id, let codes):
            guard let promise = subscribed.removeValue(forKey: id) else { return }
            if codes.contains(0x80) {
                promise.fail(BenchError.protocolError("SUBACK refused the subscription"))
            } else {
                promise.succeed()
            }
        case .puback:
            guard var current = plan else { return }
            current.answered += 1
            counters.acknowledged.add(1, ordering: .relaxed)
            plan = current
            fillWindow(context: context)
        case .publish(let publish):
            received += 1
            counters.notifications.add(1, ordering: .relaxed)
            if publish.qos == 1, let id = publish.packetID { send(.puback(packetID: id), context: context) }
        case .pingreq:
            send(.pingresp, context: context)
        case .connect, .subscribe, .pingresp, .disconnect:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context: context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        counters.recordError("MQTT: \(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let error = BenchError.protocolError("MQTT connection closed")
        if !isConnected { connected.fail(error) } else if !closing { sessions.dropped.add(1, ordering: .relaxed) }
        for promise in subscribed.values { promise.fail(error) }
        subscribed.removeAll()
        if let current = plan {
            plan = nil
            current.done.fail(error)
        }
        self.context = nil
        context.fireChannelInactive()
    }

    private func send(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        packet.write(to: &buffer)
        context.write(wrapOutboundOut(buffer), promise: nil)
        needsFlush = true
    }

    private func flush(context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }
}
