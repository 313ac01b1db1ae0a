import ArgumentParser
import Foundation

/// `login`: K full logins (connect → STARTTLS → SCRAM → bind → `</stream:stream>` → close), W at a
/// time. The figure it exists for is the server's CPU per login, sampled from /proc by the caller.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in K times (STARTTLS, SCRAM, bind, close), W concurrently; fails unless all K succeed."
    )

    @OptionGroup var target: TargetOptions

    @Option(help: "Logins to perform (K).")
    var count: Int = 1000

    @Option(help: "Logins in flight at once (W).")
    var concurrency: Int = 8

    func validate() throws {
        guard count >= 1, concurrency >= 1 else { throw ValidationError("--count and --concurrency must be positive") }
    }

    func run() async throws {
        RunSupport.raiseDescriptorLimit()
        let client = try BenchClient(target: target)
        let counters = client.counters
        let clock = ContinuousClock()
        let start = clock.now
        let template = BenchResult(
            scenario: "login", host: target.host, port: target.port, mechanism: target.mechanism,
            requested: count, established: 0, failed: 0, dropped: 0, closed: 0, concurrency: concurrency,
            wallSeconds: 0, ratePerSecond: 0, clientCpuSeconds: 0, clientMaxRssKib: 0)
        let snapshot: @Sendable () -> BenchResult = {
            var result = template
            let wall = (clock.now - start) / .seconds(1)
            let usage = RunSupport.ownUsage()
            result.established = counters.established.load(ordering: .relaxed)
            result.failed = counters.failed.load(ordering: .relaxed)
            result.dropped = counters.dropped.load(ordering: .relaxed)
            result.closed = counters.closed.load(ordering: .relaxed)
            result.wallSeconds = RunSupport.rounded(wall)
            result.ratePerSecond = RunSupport.rounded(Double(result.established) / max(wall, 0.001), 10)
            result.clientCpuSeconds = RunSupport.rounded(usage.cpuSeconds)
            result.clientMaxRssKib = usage.maxRSSKiB
            result.firstError = counters.firstError
            return result
        }
        let total = count
        let progress = RunSupport.startProgress {
            let now = snapshot()
            return "login: \(now.established)/\(total) ok, \(now.failed) failed, \(now.ratePerSecond)/s, \(now.wallSeconds) s"
        }
        let deadline = RunSupport.startDeadline(seconds: target.timeout, onTimeout: snapshot)

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(concurrency, count) {
                group.addTask {
                    while true {
                        let index = counters.claimIndex()
                        guard index < total else { return }
                        guard let channel = try? await client.open(session: index) else { continue }
                        await client.close(channel)
                    }
                }
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
