/// A message or item a mapping matched but could not convert: counted against ``mapping`` and logged,
/// then dropped (inbound) or not forwarded (outbound). Never fatal; the input is a peer's.
public struct BridgeRoutingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case payload(PayloadError)
        /// The filter matched but the template makes no node path (a capture would be an empty node
        /// segment: `site//temp` through `site/+/temp`).
        case noNodePath
        /// The node path is not a valid NodeID (XEP-0060 §4.6.2; Starling: at most 1023 UTF-8 bytes).
        case invalidNodeID(String)
    }

    /// The name of the mapping that matched.
    public let mapping: String
    /// The MQTT topic (inbound) or the node (outbound) concerned.
    public let subject: String
    public let reason: Reason

    public init(mapping: String, subject: String, reason: Reason) {
        self.mapping = mapping
        self.subject = subject
        self.reason = reason
    }

    public var description: String {
        let detail: String
        switch reason {
        case .payload(let error): detail = error.description
        case .noNodePath: detail = "the topic makes an empty node path segment"
        case .invalidNodeID(let path): detail = "'\(path.prefix(64))…' is not a valid node id"
        }
        return "bridge mapping '\(mapping)' on '\(subject.prefix(256))': \(detail)"
    }
}
