/// A pubsub NodeID (XEP-0060 §4.6.2, §13.15 "NodeID Semantics": opaque, unique per service).
///
/// Starling uses slash-separated paths such as `site-a/floor-2/temp` by convention, but the hierarchy is
/// the XEP-0248 node graph (`NodeConfiguration.collections`), never parsed out of the string.
/// A `NodeID` that exists is valid: non-empty and at most 1023 UTF-8 bytes (the XMPP attribute budget the
/// stores index on).
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The longest NodeID accepted, in UTF-8 bytes.
    public static let maximumLength = 1023

    public let rawValue: String

    /// Validates `rawValue`; throws ``PubSubError/invalidNodeID`` when it is empty or too long.
    public init(_ rawValue: String) throws(PubSubError) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= Self.maximumLength else { throw .invalidNodeID }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
}
