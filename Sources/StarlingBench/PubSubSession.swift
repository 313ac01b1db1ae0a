import NIOCore
import XMPPCore

/// One established session with a `PubSubClientHandler` behind its login handler; the Sendable
/// handle scenario tasks use (each call hops onto the channel's event loop).
struct PubSubSession: Sendable {
    let index: Int
    let channel: any Channel
    let jid: String
    private let handler: NIOLoopBound<PubSubClientHandler>

    /// Logs session `index` in and binds it; throws (counted by `client`) when that fails.
    static func open(client: BenchClient, index: Int, counters: PubSubCounters, service: String,
                     measuresLatency: Bool) async throws -> PubSubSession {
        let channel = try await client.open(session: index) { channel in
            try channel.pipeline.syncOperations.addHandler(
                PubSubClientHandler(counters: counters, service: service, measuresLatency: measuresLatency))
        }
        let (handler, jid) = try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: PubSubClientHandler.self)
            return (NIOLoopBound(handler, eventLoop: channel.eventLoop), handler.jid)
        }.get()
        return PubSubSession(index: index, channel: channel, jid: jid, handler: handler)
    }

    /// An IQ `type` to the pubsub service; returns the result IQ or throws the error condition.
    @discardableResult
    func request(_ type: String, _ payload: Element) async throws -> Element {
        let handler = self.handler
        let loop = channel.eventLoop
        return try await loop.flatSubmit { handler.value.request(type: type, payload: payload, on: loop) }.get()
    }

    /// Publishes `total` items to `node`, `window` unanswered at most, or one per `interval` when
    /// given; returns once every publish is answered (errors are counted, not thrown).
    func publish(node: String, total: Int, window: Int, interval: TimeAmount? = nil,
                 filler: String, itemPrefix: String) async throws {
        let handler = self.handler
        let loop = channel.eventLoop
        try await loop.flatSubmit {
            let done = loop.makePromise(of: Void.self)
            handler.value.startPublishing(PubSubClientHandler.PublishPlan(
                node: node, total: total, window: window, interval: interval, filler: filler,
                itemPrefix: itemPrefix, done: done))
            return done.futureResult
        }.get()
    }

    /// Items this session has received in notifications so far.
    func received() async -> Int {
        let handler = self.handler
        return (try? await channel.eventLoop.submit { handler.value.received }.get()) ?? 0
    }
}
