import MQTTBridge
import Testing

/// `MQTTBackoff` is pure arithmetic: no broker, no clock.
@Suite struct MQTTBackoffTests {
    @Test func delayDoublesFromInitialUpToTheCap() {
        let backoff = MQTTBackoff(initial: .milliseconds(250), maximum: .seconds(3), jitter: 0)
        let delays = (1...7).map { backoff.delay(afterAttempt: $0) }
        #expect(delays == [
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3), .seconds(3),
        ])
        // Attempt numbers below 1 are treated as the first.
        #expect(backoff.delay(afterAttempt: 0) == .milliseconds(250))
        #expect(backoff.delay(afterAttempt: -5) == .milliseconds(250))
    }

    @Test func hugeAttemptNumbersStayAtTheCapWithoutOverflow() {
        let backoff = MQTTBackoff(initial: .nanoseconds(1), maximum: .seconds(86_400 * 365))
        #expect(backoff.delay(afterAttempt: 1_000) == .seconds(86_400 * 365))
        #expect(backoff.delay(afterAttempt: Int.max) == .seconds(86_400 * 365))
    }

    @Test func equalInitialAndMaximumNeverGrow() {
        let backoff = MQTTBackoff(initial: .seconds(5), maximum: .seconds(5))
        #expect((1...10).allSatisfy { backoff.delay(afterAttempt: $0) == .seconds(5) })
    }

    @Test func jitterCutsAtMostItsShare() {
        let backoff = MQTTBackoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0.25)
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...6 {
            let full = backoff.delay(afterAttempt: attempt)
            for _ in 0..<200 {
                let delay = backoff.jitteredDelay(afterAttempt: attempt, using: &generator)
                #expect(delay <= full)
                #expect(delay >= full * 0.75)
            }
        }
        let exact = MQTTBackoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0)
        #expect(exact.jitteredDelay(afterAttempt: 3, using: &generator) == .seconds(4))
    }

    @Test func invalidBackoffsAreRejected() {
        let bad = [
            MQTTBackoff(initial: .zero, maximum: .seconds(1)),
            MQTTBackoff(initial: .seconds(2), maximum: .seconds(1)),
            MQTTBackoff(initial: .seconds(1), maximum: .seconds(2), jitter: 1.5),
            MQTTBackoff(initial: .seconds(1), maximum: .seconds(2), jitter: -0.1),
        ]
        for backoff in bad {
            #expect(throws: MQTTError.self) { try backoff.validate() }
        }
        #expect(throws: Never.self) { try MQTTBackoff().validate() }
    }
}
