/// Capped exponential backoff between attempts of `MQTTClient.connect(retryingWith:)` (issue #5,
/// "Outages": the bridge "reconnects with capped exponential backoff").
///
/// Attempts count from 1. After attempt n fails the client waits `delay(afterAttempt: n)` =
/// min(maximum, initial × 2^(n−1)), shortened by a random share of at most `jitter` so that many
/// bridges restarted together do not knock on the broker in step.
public struct MQTTBackoff: Hashable, Sendable {
    /// The wait after the first failed attempt.
    public var initial: Duration
    /// The cap of the growing wait.
    public var maximum: Duration
    /// The largest share (0...1) of a wait that is randomly cut off: 0 waits exactly
    /// `delay(afterAttempt:)`, 1 anywhere between zero and it ("full jitter").
    public var jitter: Double

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Checks 0 < initial ≤ maximum and 0 ≤ jitter ≤ 1.
    public func validate() throws(MQTTError) {
        guard initial > .zero, initial <= maximum else {
            throw MQTTError(.invalidArgument, "backoff needs 0 < initial (\(initial)) ≤ maximum (\(maximum))")
        }
        guard (0...1).contains(jitter) else {
            throw MQTTError(.invalidArgument, "backoff jitter \(jitter) is not in 0...1")
        }
    }

    /// min(maximum, initial × 2^(attempt−1)), without jitter; `initial` for attempt ≤ 1. Pure.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        var doublings = max(0, attempt - 1)
        // Doubling step by step stops at the cap long before Duration could overflow.
        while doublings > 0, delay < maximum {
            delay = delay > maximum / 2 ? maximum : delay * 2
            doublings -= 1
        }
        return min(delay, maximum)
    }

    /// `delay(afterAttempt:)` less a random share of at most `jitter` of it.
    public func jitteredDelay(
        afterAttempt attempt: Int,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let full = delay(afterAttempt: attempt)
        let share = min(1, max(0, jitter))
        guard share > 0 else { return full }
        return full * (1 - Double.random(in: 0...share, using: &generator))
    }
}
