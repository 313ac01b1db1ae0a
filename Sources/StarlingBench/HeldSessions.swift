import NIOCore
import Synchronization

/// The sessions a `connections` run holds open, and when its ramp ended; shared between the
/// opening tasks, the progress line and the closing phase.
final class HeldSessions: Sendable {
    private let channels = Mutex<[Channel]>([])
    private let rampEndInstant = Mutex<ContinuousClock.Instant?>(nil)

    init() {}

    func append(_ channel: Channel) { channels.withLock { $0.append(channel) } }

    var all: [Channel] { channels.withLock { $0 } }

    var rampEnd: ContinuousClock.Instant? {
        get { rampEndInstant.withLock { $0 } }
        set { rampEndInstant.withLock { $0 = newValue } }
    }
}
