import NIOCore
import NIOPosix

/// One connected MQTT client (CONNACK received); the Sendable handle scenario tasks use.
struct MQTTSession: Sendable {
    let index: Int
    let channel: any Channel
    private let handler: NIOLoopBound<MQTTClientHandler>

    /// Connects client `index` (client id `<prefix>-<index>`); failures count in `client.counters`.
    static func open(client: BenchClient, index: Int, prefix: String, counters: PubSubCounters,
                     timeout: TimeAmount) async throws -> MQTTSession {
        client.counters.started.add(1, ordering: .relaxed)
        let loop = client.group.next()
        let connected = loop.makePromise(of: Void.self)
        let clientID = "\(prefix)-\(index)"
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MQTTPacketDecoder()))
                        try channel.pipeline.syncOperations.addHandler(
                            MQTTClientHandler(clientID: clientID, counters: counters, sessions: client.counters,
                                              connected: connected))
                    }
                }
                .connect(to: client.address).get()
            let timer = loop.scheduleTask(in: timeout) { connected.fail(BenchError.sessionTimeout("MQTT CONNECT")) }
            defer { timer.cancel() }
            do { try await connected.futureResult.get() } catch {
                channel.close(promise: nil)
                throw error
            }
            let handler = try await loop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: MQTTClientHandler.self), eventLoop: loop)
            }.get()
            client.counters.established.add(1, ordering: .relaxed)
            return MQTTSession(index: index, channel: channel, handler: handler)
        } catch {
            connected.fail(error)
            client.counters.recordFailure(error)
            throw error
        }
    }

    func subscribe(topic: String, qos: UInt8) async throws {
        let handler = self.handler
        let loop = channel.eventLoop
        try await loop.flatSubmit { handler.value.subscribe(topic: topic, qos: qos, on: loop) }.get()
    }

    func publish(topic: String, total: Int, window: Int, qos: UInt8, payload: ByteBuffer) async throws {
        let handler = self.handler
        let loop = channel.eventLoop
        try await loop.flatSubmit {
            let done = loop.makePromise(of: Void.self)
            handler.value.startPublishing(.init(topic: topic, total: total, window: window, qos: qos, payload: payload, done: done))
            return done.futureResult
        }.get()
    }

    func received() async -> Int {
        let handler = self.handler
        return (try? await channel.eventLoop.submit { handler.value.received }.get()) ?? 0
    }

    /// DISCONNECT (§3.14) and close.
    func close() async {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.disconnect() }
        try? await channel.closeFuture.get()
    }
}
