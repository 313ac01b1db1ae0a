import Foundation

/// The service's source of time, injected so retention and ids are testable (STYLE.md §5: no clocks inside).
public protocol PubSubClock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
public struct SystemPubSubClock: PubSubClock {
    public init() {}
    public func now() -> Date { Date() }
}
