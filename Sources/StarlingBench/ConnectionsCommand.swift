import ArgumentParser
import Foundation
import NIOCore

/// `connections`: C sessions logged in at R per second, held idle S seconds, then closed. The
/// figure it exists for is the server's RSS per idle authenticated session, sampled by the caller
/// while the sessions are held (see `--ready-file`).
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "Hold C idle authenticated sessions for S seconds; fails unless all C are established and none drops."
    )

    @OptionGroup var target: TargetOptions

    @Option(help: "Sessions to establish (C).")
    var count: Int = 1000

    @Option(help: "Sessions started per second (R).")
    var ramp: Double = 500

    @Option(help: "Seconds to hold the sessions once all are established (S).")
    var hold: Int = 10

    @Option(help: "Most negotiations in flight at once.")
    var concurrency: Int = 64

    @Option(help: "File created once every session is established (before the hold), for /proc sampling.")
    var readyFile: String?

    func validate() throws {
        guard count >= 1, ramp > 0, hold >= 0, concurrency >= 1 else {
            throw ValidationError("--count, --ramp and --concurrency must be positive, --hold not negative")
        }
    }

    func run() async throws {
        RunSupport.raiseDescriptorLimit()
        let client = try BenchClient(target: target)
        let counters = client.counters
        let clock = ContinuousClock()
        let start = clock.now
        let template = BenchResult(
            scenario: "connections", host: target.host, port: target.port, mechanism: target.mechanism,
            requested: count, established: 0, failed: 0, dropped: 0, closed: 0, concurrency: concurrency,
            wallSeconds: 0, ratePerSecond: 0, clientCpuSeconds: 0, clientMaxRssKib: 0,
            rampPerSecond: ramp, holdSeconds: hold)
        let held = HeldSessions()
        let snapshot: @Sendable () -> BenchResult = {
            var result = template
            let usage = RunSupport.ownUsage()
            result.established = counters.established.load(ordering: .relaxed)
            result.failed = counters.failed.load(ordering: .relaxed)
            result.dropped = counters.dropped.load(ordering: .relaxed)
            result.closed = counters.closed.load(ordering: .relaxed)
            let rampSeconds = ((held.rampEnd ?? clock.now) - start) / .seconds(1)
            result.wallSeconds = RunSupport.rounded((clock.now - start) / .seconds(1))
            // The rate is the ramp's: sessions established per second until the last one was.
            result.ratePerSecond = RunSupport.rounded(Double(result.established) / max(rampSeconds, 0.001), 10)
            result.clientCpuSeconds = RunSupport.rounded(usage.cpuSeconds)
            result.clientMaxRssKib = usage.maxRSSKiB
            result.firstError = counters.firstError
            return result
        }
        let total = count
        let progress = RunSupport.startProgress {
            let now = snapshot()
            return "connections: \(now.established)/\(total) up, \(now.failed) failed, \(now.dropped) dropped, "
                + "\(now.closed) closed, \(now.wallSeconds) s"
        }
        let deadline = RunSupport.startDeadline(seconds: target.timeout, onTimeout: snapshot)

        // Ramp: session i starts no earlier than i/R seconds in, with at most `concurrency` negotiating.
        let interval = Duration.seconds(1) / ramp
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for index in 0..<count {
                let due = start + interval * Double(index)
                if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
                if inFlight >= concurrency {
                    await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    guard let channel = try? await client.open(session: index) else { return }
                    held.append(channel)
                }
            }
        }
        held.rampEnd = clock.now

        let allUp = counters.established.load(ordering: .relaxed) == count
        if allUp, let readyFile {
            _ = FileManager.default.createFile(atPath: readyFile, contents: Data("\(count)\n".utf8))
        }
        if allUp, hold > 0 {
            RunSupport.printError("connections: all \(count) established; holding \(hold) s")
            try? await Task.sleep(for: .seconds(hold))
        }

        // Close in parallel, a bounded number at a time, each with a clean </stream:stream>.
        let open = held.all
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for channel in open {
                if inFlight >= 256 {
                    await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask { await client.close(channel) }
            }
        }
        deadline.cancel()
        progress.cancel()
        let result = snapshot()
        RunSupport.emit(result)
        await client.shutdown()
        var settled = result
        settled.settle()
        if !settled.ok { throw ExitCode(1) }
    }
}
