import MQTTBridge
import Synchronization
import Testing

/// A clock that moves only when told.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
    func advance(by duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
}

@Suite struct EchoFilterTests {
    let payload: [UInt8] = Array("21.5".utf8)

    @Test func eachRecordedMessageSwallowsOneEcho() {
        let clock = ManualClock()
        var filter = EchoFilter(clock: clock)
        filter.recordPublished(topic: "t", payload: payload)
        filter.recordPublished(topic: "t", payload: payload)
        let echo1 = filter.consumeEcho(topic: "t", payload: payload)
        #expect(echo1)
        let echo2 = filter.consumeEcho(topic: "t", payload: payload)
        #expect(echo2)
        let echo3 = filter.consumeEcho(topic: "t", payload: payload)
        #expect(!echo3)
        #expect(filter.count == 0)
    }

    @Test func onlyTheSameTopicAndPayloadIsAnEcho() {
        var filter = EchoFilter(clock: ManualClock())
        filter.recordPublished(topic: "t", payload: payload)
        let echo1 = filter.consumeEcho(topic: "u", payload: payload)
        #expect(!echo1)
        let echo2 = filter.consumeEcho(topic: "t", payload: Array("21.6".utf8))
        #expect(!echo2)
        let echo3 = filter.consumeEcho(topic: "t", payload: [])
        #expect(!echo3)
        let echo4 = filter.consumeEcho(topic: "t", payload: payload)
        #expect(echo4)
    }

    @Test func recordsExpireAfterTheWindow() {
        let clock = ManualClock()
        var filter = EchoFilter(window: .seconds(60), clock: clock)
        filter.recordPublished(topic: "t", payload: payload)
        clock.advance(by: .seconds(59))
        filter.recordPublished(topic: "t", payload: [1])
        let echo1 = filter.consumeEcho(topic: "t", payload: payload)
        #expect(echo1)
        filter.recordPublished(topic: "t", payload: payload)
        clock.advance(by: .seconds(60))
        let echo2 = filter.consumeEcho(topic: "t", payload: payload)
        #expect(!echo2)
        let echo3 = filter.consumeEcho(topic: "t", payload: [1])
        #expect(!echo3)
        #expect(filter.count == 0)
    }

    @Test func theOldestRecordIsForgottenWhenFull() {
        var filter = EchoFilter(capacity: 2, clock: ManualClock())
        filter.recordPublished(topic: "a", payload: payload)
        filter.recordPublished(topic: "b", payload: payload)
        filter.recordPublished(topic: "c", payload: payload)
        #expect(filter.count == 2)
        let echo1 = filter.consumeEcho(topic: "a", payload: payload)
        #expect(!echo1)
        let echo2 = filter.consumeEcho(topic: "b", payload: payload)
        #expect(echo2)
        let echo3 = filter.consumeEcho(topic: "c", payload: payload)
        #expect(echo3)
    }

    @Test func consumedRecordsDoNotCountAgainstCapacity() {
        var filter = EchoFilter(capacity: 2, clock: ManualClock())
        for index in 0..<1_000 {
            filter.recordPublished(topic: "t", payload: [UInt8(index % 256)])
            let echo1 = filter.consumeEcho(topic: "t", payload: [UInt8(index % 256)])
            #expect(echo1)
        }
        filter.recordPublished(topic: "x", payload: payload)
        filter.recordPublished(topic: "y", payload: payload)
        let echo2 = filter.consumeEcho(topic: "x", payload: payload)
        #expect(echo2)
        let echo3 = filter.consumeEcho(topic: "y", payload: payload)
        #expect(echo3)
    }
}
