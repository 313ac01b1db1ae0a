import ArgumentParser
import NIOCore

/// `latency`: one publisher at a fixed rate to one leaf with S subscribers; each item carries its
/// publish time (CLOCK_MONOTONIC), each notification yields one publish → notification delay.
/// Reports p50/p99/max; exact counts as in `fanout`.
struct LatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Publish at a fixed rate to S subscribers; p50/p99/max publish → notification delay."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var pubsub: PubSubOptions

    @Option(help: "Subscribers (S), all shards together.")
    var subscribers: Int = 100

    @Option(help: "Publishes per second.")
    var rate: Double = 50

    @Option(help: "Seconds of publishing (items = rate × duration).")
    var duration: Double = 10

    @Option(help: "Seconds to wait for the last notifications once every publish is answered.")
    var drain: Int = 30

    func validate() throws {
        guard subscribers >= 1, rate > 0, rate <= 100_000, duration > 0, drain >= 0 else {
            throw ValidationError("--subscribers, --rate and --duration must be positive")
        }
    }

    func run() async throws {
        let items = max(1, Int((rate * duration).rounded()))
        try await DeliveryRun(
            scenario: "latency", subscribers: subscribers, leaves: 1, items: items, window: items,
            interval: .nanoseconds(Int64((1_000_000_000 / rate).rounded())), rate: rate,
            viaCollection: false, measuresLatency: true, drainSeconds: drain
        ).run(target: target, options: pubsub)
    }
}
