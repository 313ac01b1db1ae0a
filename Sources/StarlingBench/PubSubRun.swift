import Foundation
import NIOCore
import Synchronization

/// The machinery one pubsub scenario run shares: the client, exact counters, bounded-concurrency
/// setup of sessions, the phase clock, and the result snapshot (for progress, timeout and the end).
final class PubSubRun: Sendable {
    let client: BenchClient
    let counters = PubSubCounters()
    let service: String
    let sync: SyncDirectory
    let shardIndex: Int
    let shardCount: Int
    let gate: Bool
    let connectConcurrency: Int
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let phases = Mutex<(measuredStart: ContinuousClock.Instant?, measuredEnd: ContinuousClock.Instant?,
                                cpuAtStart: Double, cpuAtEnd: Double?)>((nil, nil, 0, nil))
    private let template: Mutex<PubSubResult>

    init(target: TargetOptions, options: PubSubOptions, template: PubSubResult) throws {
        client = try BenchClient(target: target)
        service = options.serviceJID(domain: target.domain)
        sync = SyncDirectory(path: options.syncDir)
        let parts = options.shardParts ?? (0, 1)
        shardIndex = parts.index
        shardCount = parts.count
        gate = options.gate
        connectConcurrency = options.connectConcurrency
        start = clock.now
        var result = template
        if result.service.isEmpty { result.service = service }
        result.shard = options.shard
        self.template = Mutex(result)
    }

    var isCoordinator: Bool { shardIndex == 0 }

    /// Sets fields of the result known only once the run is under way (expected counts, …).
    func update(_ body: @Sendable (inout PubSubResult) -> Void) { template.withLock { body(&$0) } }

    func beginMeasuring() {
        let cpu = RunSupport.ownUsage().cpuSeconds
        phases.withLock { $0.measuredStart = clock.now; $0.cpuAtStart = cpu }
    }

    func endMeasuring() {
        let cpu = RunSupport.ownUsage().cpuSeconds
        phases.withLock { $0.measuredEnd = clock.now; $0.cpuAtEnd = cpu }
    }

    /// The result as of now; `perSubscriber` (received counts) gives the exact missing/surplus split.
    func snapshot(perSubscriber: [Int]? = nil) -> PubSubResult {
        var result = template.withLock { $0 }
        let now = clock.now
        let usage = RunSupport.ownUsage()
        let phase = phases.withLock { $0 }
        let client = self.client.counters
        result.established = client.established.load(ordering: .relaxed)
        result.failed = client.failed.load(ordering: .relaxed)
        result.dropped = client.dropped.load(ordering: .relaxed)
        result.notifications = counters.notifications.load(ordering: .relaxed)
        result.published = counters.published.load(ordering: .relaxed)
        result.acknowledged = counters.acknowledged.load(ordering: .relaxed)
        result.publishErrors = counters.publishErrors.load(ordering: .relaxed)
        if let perSubscriber, result.subscribers > 0 {
            let each = result.expectedNotifications / result.subscribers
            result.missingNotifications = perSubscriber.reduce(0) { $0 + max(0, each - $1) }
                + (result.subscribers - perSubscriber.count) * each
            result.surplusNotifications = perSubscriber.reduce(0) { $0 + max(0, $1 - each) }
        } else {
            result.missingNotifications = max(0, result.expectedNotifications - result.notifications)
        }
        result.units = result.scenario == "ingest" || result.scenario == "mqtt-ingest"
            ? result.acknowledged : result.notifications
        let measuredStart = phase.measuredStart ?? now
        result.setupSeconds = RunSupport.rounded((measuredStart - start) / .seconds(1))
        let measured = max(((phase.measuredEnd ?? now) - measuredStart) / .seconds(1), 0.000_001)
        result.measuredSeconds = phase.measuredStart == nil ? 0 : RunSupport.rounded(measured)
        result.wallSeconds = RunSupport.rounded((now - start) / .seconds(1))
        if phase.measuredStart != nil {
            result.ratePerSecond = RunSupport.rounded(Double(result.units) / measured, 10)
            result.notificationsPerSecond = RunSupport.rounded(Double(result.notifications) / measured, 10)
            result.itemsPerSecond = RunSupport.rounded(Double(result.acknowledged) / measured, 10)
            result.measuredClientCpuSeconds = RunSupport.rounded((phase.cpuAtEnd ?? usage.cpuSeconds) - phase.cpuAtStart)
        }
        if let latency = counters.latencies.summary() {
            result.latencyP50Ms = RunSupport.rounded(latency.p50)
            result.latencyP99Ms = RunSupport.rounded(latency.p99)
            result.latencyMaxMs = RunSupport.rounded(latency.max)
            result.latencySamples = latency.count
        }
        result.clientCpuSeconds = RunSupport.rounded(usage.cpuSeconds)
        result.clientMaxRssKib = usage.maxRSSKiB
        result.firstError = counters.firstError ?? client.firstError
        return result
    }

    /// Opens the sessions `indices`, `connectConcurrency` negotiating at once; failures are counted
    /// by the client and leave the session out.
    func openSessions(_ indices: [Int], measuresLatency: Bool = false) async -> [PubSubSession] {
        await forEach(indices, concurrency: connectConcurrency) { [self] index in
            try await PubSubSession.open(client: client, index: index, counters: counters, service: service,
                                         measuresLatency: measuresLatency)
        }
    }

    /// Runs `body` over `inputs`, at most `concurrency` at once; the first error becomes the run's.
    func forEach<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], concurrency: Int, _ body: @escaping @Sendable (Input) async throws -> Output
    ) async -> [Output] {
        await withTaskGroup(of: Output?.self) { group in
            var outputs: [Output] = []
            var inFlight = 0
            for input in inputs {
                if inFlight >= concurrency, let done = await group.next() {
                    inFlight -= 1
                    if let done { outputs.append(done) }
                }
                inFlight += 1
                group.addTask { [counters] in
                    do { return try await body(input) } catch {
                        counters.recordError("\(error)")
                        return nil
                    }
                }
            }
            for await done in group { if let done { outputs.append(done) } }
            return outputs
        }
    }

    /// Polls until `condition` holds (the deadline task bounds the wait).
    func waitUntil(_ condition: @Sendable () -> Bool) async {
        while !condition() { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// Ends every session's stream and the event loops.
    func close(_ sessions: [PubSubSession]) async {
        _ = await forEach(sessions, concurrency: 256) { [client] session in await client.close(session.channel) }
        await client.shutdown()
    }

    /// Shard 0's side of the caller gate before the measured phase, after every shard is set up.
    func coordinatorReady() async {
        for shard in 1..<max(shardCount, 1) where shardCount > 1 { _ = await sync.wait(for: "subscribed-\(shard)") }
        if gate {
            sync.signal("ready")
            _ = await sync.wait(for: "go")
        }
    }

    /// Ends the measured phase for this shard: stop the clock, then meet the other shards (shard 0
    /// waits for them and the caller; the others report and wait for the finish).
    func finishMeasuring(shard: Int) async {
        endMeasuring()
        if shard == 0 {
            await coordinatorMeasured()
        } else {
            sync.signal("done-\(shard)")
            _ = await sync.wait(for: "finish")
        }
    }

    /// Shard 0's side after the measured phase: wait for the other shards, then the caller.
    func coordinatorMeasured() async {
        for shard in 1..<max(shardCount, 1) where shardCount > 1 { _ = await sync.wait(for: "done-\(shard)") }
        if gate {
            sync.signal("measured")
            _ = await sync.wait(for: "finish")
        } else {
            sync.signal("finish")
        }
    }
}
