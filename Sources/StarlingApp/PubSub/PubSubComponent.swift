import Logging
import NIOCore
import PubSub
import PubSubXMPP
import XMPPCore
import XMPPServer
import XMPPStream

/// The publish-subscribe service at `pubsub.<domain>` (XEP-0060 §5), as a component the server
/// routes to: IQ → `PubSubCommand` → `PubSubService.perform` → result or error, replied on the
/// requesting session. Everything XMPP-specific is PubSubXMPP's; everything else is the domain's.
final class PubSubComponent: ComponentHandler {
    let domain: JID
    let service: PubSubService
    let logger: Logger
    var discoName: String? { "Publish-Subscribe" }

    init(domain: JID, service: PubSubService, logger: Logger) {
        self.domain = domain
        self.service = service
        self.logger = logger
    }

    func handle(_ stanza: Stanza, from session: Session) async {
        switch stanza {
        case .iq(let iq) where iq.type == .get || iq.type == .set:
            session.send(await reply(to: iq, from: session.jid))
        case .message(let message) where message.type != .error:
            if let error = await approve(message, from: session.jid) {
                session.send(stanza.makeErrorReply(error))
            }
        default:
            // Presence to the service is not used yet (presence-based delivery is later work);
            // IQ results and errors need no answer.
            break
        }
    }

    /// A session's stanzas in a row: runs of publishes (a device sending readings without waiting
    /// for each result) go to the service together, which stores them in order and notifies back
    /// to back; anything else is handled alone, in its place. Replies leave in request order.
    func handle(_ stanzas: [Stanza], from session: Session) async {
        var index = stanzas.startIndex
        while index < stanzas.endIndex {
            var publishes: [(iq: IQ, command: PubSubCommand)] = []
            while index < stanzas.endIndex, let publish = Self.publish(stanzas[index]) {
                publishes.append(publish)
                index += 1
            }
            if publishes.isEmpty {
                await handle(stanzas[index], from: session)
                index += 1
                continue
            }
            let results = await service.performPublishes(publishes.map(\.command), as: .entity(session.jid))
            session.send(zip(publishes, results).map { publish, result in
                reply(to: publish.iq, command: publish.command, result: result, from: session.jid)
            })
        }
    }

    /// One event-loop turn's batches from many sessions: the sessions that sent only publishes go
    /// to the service together (one actor entry, one store submission for all their items); any
    /// other session is handled as alone, concurrently with the rest. Each session's replies leave
    /// in its request order.
    func handle(_ batches: [ComponentBatch]) async {
        var publishing: [(batch: ComponentBatch, publishes: [(iq: IQ, command: PubSubCommand)])] = []
        var others: [ComponentBatch] = []
        for batch in batches {
            let publishes = batch.stanzas.compactMap(Self.publish)
            if publishes.count == batch.stanzas.count {
                publishing.append((batch, publishes))
            } else {
                others.append(batch)
            }
        }
        await withDiscardingTaskGroup { group in
            for batch in others { group.addTask { await self.handle(batch.stanzas, from: batch.session) } }
            guard !publishing.isEmpty else { return }
            let results = await service.performPublishes(publishing.map { entry in
                (commands: entry.publishes.map(\.command), actor: Requester.entity(entry.batch.session.jid))
            })
            for (entry, outcomes) in zip(publishing, results) {
                let from = entry.batch.session.jid
                let replies = zip(entry.publishes, outcomes).map { publish, result in
                    reply(to: publish.iq, command: publish.command, result: result, from: from)
                }
                entry.batch.session.send(replies)
            }
        }
    }

    /// A well-formed §7.1 publish request; anything else (including a malformed publish, whose
    /// error the single path gives) is nil.
    static func publish(_ stanza: Stanza) -> (iq: IQ, command: PubSubCommand)? {
        guard case .iq(let iq) = stanza, iq.type == .set, PubSubRequest.configureTarget(iq) == nil,
              let command = try? PubSubRequest.command(from: iq, currentConfiguration: nil),
              case .publish = command else { return nil }
        return (iq, command)
    }

    /// §8.6: an owner's submitted authorization form; returns the error to bounce, if any.
    func approve(_ message: Message, from requester: JID) async -> StanzaError? {
        do {
            guard let command = try PubSubRequest.approval(from: message) else { return nil }
            do {
                _ = try await service.perform(command, as: .entity(requester))
                return nil
            } catch {
                return error.stanzaError
            }
        } catch {
            return error
        }
    }

    func reply(to iq: IQ, from requester: JID) async -> Element {
        if PubSubRequest.isServiceInfoQuery(iq) {
            return iq.makeResult(payload: PubSubDisco.serviceInfo()).element
        }
        if GetPendingCommand.isCommandListQuery(iq) {
            return iq.makeResult(payload: GetPendingCommand.commandList(service: domain)).element
        }
        do {
            if let request = try GetPendingCommand.request(from: iq) {
                return await getPending(request, iq: iq, from: requester)
            }
        } catch {
            return Stanza.iq(iq).makeErrorReply(error)
        }
        let command: PubSubCommand
        do {
            var current: NodeConfiguration?
            if let node = PubSubRequest.configureTarget(iq),
               case .configuration(let configuration, _)? = try? await service.perform(.getConfiguration(node: node), as: .entity(requester)) {
                current = configuration
            }
            command = try PubSubRequest.command(from: iq, currentConfiguration: current)
        } catch {
            return Stanza.iq(iq).makeErrorReply(error)
        }
        let result: Result<PubSubResult, PubSubError>
        do {
            result = .success(try await service.perform(command, as: .entity(requester)))
        } catch {
            result = .failure(error)
        }
        return reply(to: iq, command: command, result: result, from: requester)
    }

    func reply(to iq: IQ, command: PubSubCommand, result: Result<PubSubResult, PubSubError>, from requester: JID) -> Element {
        switch result {
        case .success(let result):
            return iq.makeResult(payload: PubSubResponse.payload(for: result, command: command, service: domain)).element
        case .failure(let error):
            if case .storeFailure(let reason) = error {
                logger.error("pubsub store failure: \(reason)", metadata: ["from": "\(requester)"])
            }
            return Stanza.iq(iq).makeErrorReply(error.stanzaError)
        }
    }
}

extension PubSubComponent {
    /// XEP-0060 §8.7 through XEP-0050: the form of the requester's nodes, then, for the submitted
    /// node, one §8.6 authorization message per pending subscription (sent by the notifier).
    func getPending(_ request: GetPendingCommand.Request, iq: IQ, from requester: JID) async -> Element {
        do {
            switch request {
            case .start:
                let nodes = try await service.ownedNodes(as: .entity(requester))
                let session = GetPendingCommand.newSessionID(String(UInt64.random(in: 0...UInt64.max), radix: 36))
                return iq.makeResult(payload: GetPendingCommand.form(nodes: nodes, sessionID: session)).element
            case .submit(let session, let node):
                try await service.requestPendingApprovals(node, as: .entity(requester))
                return iq.makeResult(payload: GetPendingCommand.finished(sessionID: session)).element
            case .cancel(let session):
                return iq.makeResult(payload: GetPendingCommand.finished(sessionID: session, cancelled: true)).element
            }
        } catch {
            return Stanza.iq(iq).makeErrorReply(error.stanzaError)
        }
    }
}

/// XEP-0060 `on_sub_and_presence`: a resource coming online gets the last items of the nodes it
/// subscribes to (the service decides which; delivery goes through the notifier like any event).
struct PubSubPresenceObserver: PresenceObserver {
    let service: PubSubService
    let logger: Logger

    func resourceBecameAvailable(_ jid: JID) {
        let service = self.service
        let logger = self.logger
        Task {
            do {
                _ = try await service.subscriberBecameAvailable(jid)
            } catch {
                logger.error("last published items on presence failed: \(error)", metadata: ["jid": "\(jid)"])
            }
        }
    }
}

/// Turns the service's events into notifications (XEP-0060 §7.1.2): the `<event/>` of each event is
/// serialized once and shared by every recipient's envelope; presence-based deliveries skip
/// recipients with no available resource (XEP-0060 §12.3).
struct PubSubNotifier: Sendable {
    let service: PubSubService
    let core: ServerCore
    let logger: Logger

    func run() async {
        for await event in await service.events() {
            deliver(PubSubNotifications.notifications(for: event, service: service.jid))
        }
    }

    /// Consecutive notifications of one event (the usual shape: one event, every subscriber) go
    /// out as one batch: the event serialized once, the sessions handed to each event loop at once.
    func deliver(_ notifications: [PubSubXMPPNotification]) {
        var index = notifications.startIndex
        while index < notifications.endIndex {
            let first = notifications[index]
            var end = index + 1
            while end < notifications.endIndex, notifications[end].sharesEnvelope(with: first) { end += 1 }
            deliver(notifications[index..<end])
            index = end
        }
    }

    private func deliver(_ run: ArraySlice<PubSubXMPPNotification>) {
        guard let first = run.first else { return }
        let targets = run.filter { !$0.presenceBased || core.isAvailable($0.to) }
        guard !targets.isEmpty else { return }
        var eventBytes = ByteBufferAllocator().buffer(capacity: 512)
        first.event.write(to: &eventBytes, streamNamespace: Namespace.client)
        if first.extras.isEmpty {
            core.deliverMessage(from: first.from, to: targets.lazy.map(\.to), type: first.type, payload: eventBytes)
        } else {
            // SHIM/collection headers differ per recipient: one buffer each, event bytes copied in.
            core.deliverMessages(targets.lazy.map { notification in
                var message = ByteBufferAllocator().buffer(capacity: eventBytes.readableBytes + 256)
                notification.write(eventBytes: eventBytes, to: &message)
                return (to: notification.to, bytes: message)
            }, type: first.type)
        }
    }
}

extension PubSubXMPPNotification {
    /// Same event, sender and type, and either both plain or both with per-recipient extras: one
    /// serialization of the event serves both.
    fileprivate func sharesEnvelope(with other: Self) -> Bool {
        from == other.from && type == other.type && extras.isEmpty == other.extras.isEmpty && event == other.event
    }
}

typealias PubSubXMPPNotification = PubSubXMPP.Notification
