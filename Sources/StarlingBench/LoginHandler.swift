import Accounts
import NIOCore
import NIOSSL
import SASL
import XMPPCore
import XMPPStream

/// Asks an established session to end its stream (RFC 6120 §4.4); fired through the pipeline.
struct CloseRequest: Sendable {}

/// Fired down the pipeline once the resource is bound: the full JID the server assigned (RFC 6120 §7.6.1).
struct SessionBound: Sendable { var jid: String }

/// Drives one client connection through RFC 6120 negotiation on its event loop, without a task
/// hop per step: stream header → STARTTLS (§5) → SASL SCRAM (§6, RFC 5802) → bind (§7), then idles
/// until a `CloseRequest`, answers it with `</stream:stream>` and closes once the server closed its
/// stream too (or after a grace period).
///
/// Not Sendable in spirit: every method runs on the channel's event loop. It is created inside the
/// channel initializer and reached from outside only through the promises and pipeline events.
final class LoginHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    /// Stanzas received once the session is established, for a scenario handler behind this one.
    typealias InboundOut = Element
    typealias OutboundOut = ByteBuffer

    /// Which stream of the connection we are on (RFC 6120 §4.3.3: it restarts after TLS and SASL).
    enum Stage: String { case initial, secured, authenticated }

    enum Phase {
        case awaitingHeader(Stage)
        case awaitingFeatures(Stage)
        case awaitingProceed
        case awaitingChallenge
        case awaitingSuccess
        case awaitingBind
        case established
        case closing
        case finished
    }

    struct Parameters: Sendable {
        var domain: String
        var credentials: SessionCredentials
        var preferredAlgorithm: SCRAMCredentials.Algorithm?
        var tls: NIOSSLContext
        var timeout: TimeAmount
    }

    private let parameters: Parameters
    private let established: EventLoopPromise<Void>
    private let counters: BenchCounters
    private let parser = XMLStreamParser(limits: .init(maxStanzaBytes: 1 << 20, maxDepth: 64))
    private var phase: Phase = .awaitingHeader(.initial)
    private var scram: SCRAMClient?
    private var deadline: Scheduled<Void>?
    private var channel: Channel?
    private var events: [StreamEvent] = []
    private static let bindID = "bench-bind"
    /// How long to wait for the server's `</stream:stream>` after ours before closing anyway.
    private static let closeGrace: TimeAmount = .seconds(5)

    init(parameters: Parameters, established: EventLoopPromise<Void>, counters: BenchCounters) {
        self.parameters = parameters
        self.established = established
        self.counters = counters
    }

    // MARK: - Channel events

    func channelActive(context: ChannelHandlerContext) {
        channel = context.channel
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: parameters.timeout) { bound.value.deadlinePassed() }
        sendHeader(context: context)
        context.fireChannelActive()
    }

    /// The session did not reach a bound resource in time: it counts as failed and is closed.
    private func deadlinePassed() {
        guard !isEstablishedOrLater else { return }
        established.fail(BenchError.sessionTimeout("\(phase)"))
        phase = .finished
        channel?.close(promise: nil)
    }

    private var isEstablishedOrLater: Bool {
        switch phase {
        case .established, .closing, .finished: true
        default: false
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        do {
            try parser.feed(bytes, into: &events)
        } catch {
            fail(context: context, .protocolError("server sent bad XML: \(error)"))
            return
        }
        // Handling an event may restart the stream (parser.reset()); events parsed after the one
        // that caused a restart would belong to the old stream, and servers send none there.
        let batch = events
        events.removeAll(keepingCapacity: true)
        for event in batch {
            handle(event, context: context)
            if case .finished = phase { return }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch phase {
        case .established:
            counters.dropped.add(1, ordering: .relaxed)
        case .closing, .finished:
            break
        default:
            established.fail(BenchError.protocolError("server closed the connection during \(phase)"))
        }
        phase = .finished
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .closing = phase {
            context.close(promise: nil)
            return
        }
        fail(context: context, .protocolError("connection error during \(phase): \(error)"))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is CloseRequest else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard case .established = phase else {
            context.close(promise: nil)
            return
        }
        phase = .closing
        write(StreamOpening.closing, context: context)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
    }

    // MARK: - Negotiation

    private func handle(_ event: StreamEvent, context: ChannelHandlerContext) {
        switch (phase, event) {
        case (.awaitingHeader(let stage), .streamStart):
            phase = .awaitingFeatures(stage)
        case (.closing, .streamEnd):
            phase = .finished
            context.close(promise: nil)
        case (_, .streamEnd):
            fail(context: context, .protocolError("server ended the stream during \(phase)"))
        case (_, .element(let element)) where element.namespace == Namespace.streams && element.name == "error":
            let condition = element.elements.first { $0.namespace == Namespace.streamErrors }?.name ?? "?"
            fail(context: context, .protocolError("stream error <\(condition)/> during \(phase)"))
        case (.awaitingFeatures(let stage), .element(let features)) where features.name == "features":
            handleFeatures(features, stage: stage, context: context)
        case (.awaitingProceed, .element(let element)) where element.namespace == Namespace.tls:
            guard element.name == "proceed" else {
                fail(context: context, .protocolError("STARTTLS refused: <\(element.name)/>"))
                return
            }
            startTLS(context: context)
        case (.awaitingChallenge, .element(let element)) where element.namespace == Namespace.sasl:
            handleChallenge(element, context: context)
        case (.awaitingSuccess, .element(let element)) where element.namespace == Namespace.sasl:
            handleOutcome(element, context: context)
        case (.awaitingBind, .element(let element)) where element.name == "iq" && element[attribute: "id"] == Self.bindID:
            guard element[attribute: "type"] == "result" else {
                fail(context: context, .protocolError("bind refused: \(element.serialized())"))
                return
            }
            phase = .established
            deadline?.cancel()
            let bound = element.child("bind", namespace: Namespace.bind)?.child("jid", namespace: Namespace.bind)?.text
            context.fireUserInboundEventTriggered(SessionBound(jid: bound ?? ""))
            established.succeed()
        case (.established, .element(let stanza)):
            context.fireChannelRead(wrapInboundOut(stanza))
        case (.established, _), (.closing, _):
            // Idle sessions may still receive stanzas (a server ping, say); they are not our business.
            break
        default:
            fail(context: context, .protocolError("unexpected \(event) during \(phase)"))
        }
    }

    private func handleFeatures(_ features: Element, stage: Stage, context: ChannelHandlerContext) {
        switch stage {
        case .initial:
            guard features.child("starttls", namespace: Namespace.tls) != nil else {
                fail(context: context, .protocolError("server does not offer STARTTLS"))
                return
            }
            phase = .awaitingProceed
            write("<starttls xmlns='\(Namespace.tls)'/>", context: context)
        case .secured:
            let offered = features.child("mechanisms", namespace: Namespace.sasl)?
                .children("mechanism", namespace: Namespace.sasl).map(\.text) ?? []
            guard let algorithm = chooseAlgorithm(offered: offered) else {
                fail(context: context, .protocolError("no usable SCRAM mechanism among \(offered)"))
                return
            }
            var client = SCRAMClient(algorithm: algorithm, username: parameters.credentials.username,
                                     password: parameters.credentials.password)
            let first = client.clientFirstMessage()
            scram = client
            phase = .awaitingChallenge
            send(Element("auth", namespace: Namespace.sasl, ["mechanism": algorithm.rawValue],
                         text: SASLBase64.encode(first)), context: context)
        case .authenticated:
            guard features.child("bind", namespace: Namespace.bind) != nil else {
                fail(context: context, .protocolError("server does not offer resource binding"))
                return
            }
            phase = .awaitingBind
            let bind = Element("bind", namespace: Namespace.bind,
                               children: [Element("resource", namespace: Namespace.bind, text: parameters.credentials.resource)])
            send(IQ(type: .set, id: Self.bindID, payload: bind).element, context: context)
        }
    }

    private func chooseAlgorithm(offered: [String]) -> SCRAMCredentials.Algorithm? {
        if let wanted = parameters.preferredAlgorithm {
            return offered.contains(wanted.rawValue) ? wanted : nil
        }
        for algorithm in [SCRAMCredentials.Algorithm.sha256, .sha1] where offered.contains(algorithm.rawValue) {
            return algorithm
        }
        return nil
    }

    private func startTLS(context: ChannelHandlerContext) {
        do {
            let tls = try NIOSSLClientHandler(context: parameters.tls, serverHostname: parameters.domain)
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
        } catch {
            fail(context: context, .protocolError("TLS setup failed: \(error)"))
            return
        }
        restartStream(.secured, context: context)
    }

    private func handleChallenge(_ element: Element, context: ChannelHandlerContext) {
        guard element.name == "challenge", var client = scram else {
            fail(context: context, .protocolError("SASL: expected a challenge, got \(element.serialized())"))
            return
        }
        do {
            let final = try client.clientFinalMessage(serverFirst: try SASLBase64.decode(element.text))
            scram = client
            phase = .awaitingSuccess
            send(Element("response", namespace: Namespace.sasl, text: SASLBase64.encode(final)), context: context)
        } catch {
            fail(context: context, .protocolError("SASL challenge rejected: \(error)"))
        }
    }

    private func handleOutcome(_ element: Element, context: ChannelHandlerContext) {
        guard element.name == "success", var client = scram else {
            let condition = element.elements.first?.name ?? element.name
            fail(context: context, .authenticationFailed("SASL <\(condition)/> for \(parameters.credentials.username)"))
            return
        }
        do {
            try client.verifyServerFinal(try SASLBase64.decode(element.text))
        } catch {
            fail(context: context, .protocolError("server-final not verified: \(error)"))
            return
        }
        scram = nil
        restartStream(.authenticated, context: context)
    }

    // MARK: - Output

    private func restartStream(_ stage: Stage, context: ChannelHandlerContext) {
        parser.reset()
        phase = .awaitingHeader(stage)
        sendHeader(context: context)
    }

    private func sendHeader(context: ChannelHandlerContext) {
        write(StreamOpening.header(from: nil, to: parameters.domain, id: nil), context: context)
    }

    private func send(_ element: Element, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        element.write(to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ error: BenchError) {
        switch phase {
        case .finished: return
        case .established: counters.dropped.add(1, ordering: .relaxed)
        default: break
        }
        phase = .finished
        deadline?.cancel()
        established.fail(error)
        context.close(promise: nil)
    }
}
