import ArgumentParser
import Foundation
import NIOCore

/// `mqtt`: the `fanout` and `ingest` shapes over MQTT 3.1.1 for Mosquitto, the non-XMPP baseline.
/// fanout: N subscribers on one topic (QoS 1), one publisher publishing P messages at QoS 1 with at
/// most W awaiting PUBACK; every subscriber must receive all P. ingest: M publishers, each on its
/// own topic, W in flight each; every PUBLISH must be acknowledged. Plain TCP, no credentials.
struct MQTTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt",
        abstract: "fanout or ingest over MQTT 3.1.1 QoS 1 (Mosquitto); exact counts as in the XMPP scenarios."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var pubsub: PubSubOptions

    @Option(help: "fanout or ingest.")
    var shape: String = "fanout"

    @Option(help: "fanout: subscribers (N), all shards together.")
    var subscribers: Int = 1000

    @Option(help: "ingest: publishers (M), all shards together; each on its own topic.")
    var publishers: Int = 100

    @Option(help: "Messages each publisher publishes (P).")
    var items: Int = 20

    @Option(help: "PUBLISH packets each publisher keeps unacknowledged at most (W).")
    var window: Int = 4

    @Option(help: "QoS of publishes and subscriptions: 0 or 1.")
    var qos: UInt8 = 1

    @Option(help: "Seconds to wait for the last messages once every publish is acknowledged.")
    var drain: Int = 60

    func validate() throws {
        guard shape == "fanout" || shape == "ingest" else { throw ValidationError("--shape must be fanout or ingest") }
        guard subscribers >= 1, publishers >= 1, items >= 1, window >= 1, qos <= 1 else {
            throw ValidationError("--subscribers, --publishers, --items, --window positive; --qos 0 or 1")
        }
    }

    func run() async throws {
        RunSupport.raiseDescriptorLimit()
        let parts = pubsub.shardParts ?? (0, 1)
        let coordinator = parts.index == 0
        let fanout = shape == "fanout"
        // fanout: client 0 publishes (shard 0), clients 1…N subscribe; ingest: client k+1 publishes to topic k.
        let mine = (0..<(fanout ? subscribers : publishers)).filter { $0 % parts.count == parts.index }
        let publishing = fanout ? (coordinator ? 1 : 0) : mine.count
        let template = PubSubResult(
            scenario: "mqtt-\(shape)", host: target.host, port: target.port, service: "mqtt", shard: pubsub.shard,
            subscribers: fanout ? mine.count : 0, publishers: publishing, itemsPerPublisher: items, window: window,
            rate: nil, sessionsRequested: fanout ? mine.count + publishing : mine.count,
            expectedNotifications: fanout ? mine.count * items : 0, expectedPublishes: publishing * items)
        let run = try PubSubRun(target: target, options: pubsub, template: template)
        let counters = run.counters
        let progress = RunSupport.startProgress {
            let now = run.snapshot()
            return "mqtt-\(shape): \(now.established)/\(now.sessionsRequested) clients, \(now.failed) failed, "
                + "\(counters.subscribed.load(ordering: .relaxed)) subscribed, acknowledged \(now.acknowledged)/\(now.expectedPublishes), received \(now.notifications)/\(now.expectedNotifications), \(now.wallSeconds) s"
        }
        let deadline = RunSupport.startDeadline(seconds: target.timeout) { run.snapshot() }
        let timeout = TimeAmount.seconds(Int64(target.sessionTimeout))
        let prefix = "\(pubsub.nodePrefix)-\(ProcessIdentity.current)"
        let open: @Sendable ([Int]) async -> [MQTTSession] = { indices in
            await run.forEach(indices, concurrency: pubsub.connectConcurrency) { index in
                try await MQTTSession.open(client: run.client, index: index, prefix: prefix, counters: counters, timeout: timeout)
            }
        }
        let fanoutTopic = "\(pubsub.nodePrefix)/fanout"
        var subscribed: [MQTTSession] = []
        var senders: [MQTTSession] = []
        if fanout {
            let sessions = await open(mine.map { $0 + 1 })
            let qos = self.qos
            subscribed = await run.forEach(sessions, concurrency: 64) { session in
                try await session.subscribe(topic: fanoutTopic, qos: qos)
                counters.subscribed.add(1, ordering: .relaxed)
                return session
            }
            if coordinator { senders = await open([0]) }
        } else {
            senders = await open(mine.map { $0 + 1 })
        }
        run.sync.signal("subscribed-\(parts.index)")
        if coordinator {
            await run.coordinatorReady()
            run.sync.signal("start")
        } else {
            _ = await run.sync.wait(for: "start")
        }
        run.beginMeasuring()
        let payload = ByteBuffer(string: pubsub.filler)
        let (items, window, qos) = (self.items, self.window, self.qos)
        let topicPrefix = pubsub.nodePrefix
        _ = await run.forEach(senders, concurrency: max(senders.count, 1)) { session in
            let topic = fanout ? fanoutTopic : "\(topicPrefix)/ingest/\(session.index - 1)"
            try await session.publish(topic: topic, total: items, window: window, qos: qos, payload: payload)
        }
        if fanout {
            run.sync.signal("published")
            if !coordinator { _ = await run.sync.wait(for: "published") }
            let reachable = subscribed.count * items
            let drainEnd = ContinuousClock.now + .seconds(drain)
            await run.waitUntil { counters.notifications.load(ordering: .relaxed) >= reachable || ContinuousClock.now > drainEnd }
        }
        await run.finishMeasuring(shard: parts.index)
        var perSubscriber: [Int] = []
        for session in subscribed { perSubscriber.append(await session.received()) }
        let result = run.snapshot(perSubscriber: fanout ? perSubscriber : nil)
        deadline.cancel()
        progress.cancel()
        _ = await run.forEach(subscribed + senders, concurrency: 256) { await $0.close() }
        await run.client.shutdown()
        RunSupport.emit(result)
        var settled = result
        settled.settle()
        if !settled.ok { throw ExitCode(1) }
    }
}

/// This process's id, so client ids of concurrent shards never collide (MQTT 3.1.1 §3.1.3.1: a
/// second CONNECT with the same client id disconnects the first).
enum ProcessIdentity {
    static var current: Int32 { getpid() }
}
