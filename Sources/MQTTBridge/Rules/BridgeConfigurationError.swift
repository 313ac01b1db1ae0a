/// A bridge configuration that cannot work. Start-up stops with ``description``, which names the
/// connection and the mapping (issue 5: "a bad bridge configuration … stops start-up with a message
/// naming the mapping").
public struct BridgeConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// A key the configuration does not define (a typo would otherwise be silently ignored).
        case unknownKey(String)
        /// A key that must be present is missing.
        case missingKey(String)
        /// A value outside its domain, e.g. `direction: sideways`.
        case invalidValue(key: String, value: String, expected: String)
        case emptyConnectionName
        case emptyMappingName
        /// The filter or the template is invalid, or the template refers to a missing wildcard.
        case topicMapping(TopicMappingError.Reason)
        /// QoS 2 (MQTT 3.1.1 §4.3.3) or anything but 0 and 1: the bridge supports at most once and at
        /// least once.
        case unsupportedQoS(Int)
        /// An `out`/`both` mapping whose node template does not use every wildcard of the filter, so
        /// a node path cannot be turned back into a topic name (`TopicMapping.isReversible`).
        case notReversible
        /// An option that only affects one direction was set on a mapping that never goes that way
        /// (`retain` on `in`, `auto_create` on `out`).
        case optionNeedsDirection(option: String, direction: BridgeMapping.Direction)
        /// Two mappings of one connection share a name, so errors and counters would be ambiguous.
        case duplicateMappingName
        /// Two connections share a name (the name is the outbox queue, so they would share a queue).
        case duplicateConnectionName
        case noMappings
        /// An `in` mapping that can never receive a message: an earlier inbound mapping's filter
        /// matches every topic its filter matches, and inbound routing is first-match.
        case shadowed(by: String)
    }

    /// The broker connection's configured name, when known.
    public var connection: String?
    /// The mapping's configured name, when the error concerns one mapping.
    public var mapping: String?
    public var reason: Reason

    public init(connection: String? = nil, mapping: String?, reason: Reason) {
        self.connection = connection
        self.mapping = mapping
        self.reason = reason
    }

    public var description: String {
        var subject = "bridge"
        if let connection { subject += " '\(connection)'" }
        if let mapping { subject += " mapping '\(mapping)'" }
        return "\(subject): \(detail)"
    }

    private var detail: String {
        switch reason {
        case .unknownKey(let key): "unknown key '\(key)'"
        case .missingKey(let key): "missing key '\(key)'"
        case .invalidValue(let key, let value, let expected): "'\(key)' is '\(value)', expected \(expected)"
        case .emptyConnectionName: "the connection name is empty"
        case .emptyMappingName: "a mapping has an empty name"
        case .topicMapping(let reason):
            // TopicMappingError already words every reason; reuse it without repeating the name.
            TopicMappingError(mapping: "", reason: reason).description
                .replacingPrefix("bridge mapping '': ")
        case .unsupportedQoS(let qos): "qos \(qos) is not supported (0 or 1)"
        case .notReversible:
            "direction out/both needs a node template that uses every wildcard of the topic filter"
        case .optionNeedsDirection(let option, let direction):
            "'\(option)' has no effect on a mapping with direction '\(direction.configValue)'"
        case .duplicateMappingName: "another mapping of this connection has the same name"
        case .duplicateConnectionName: "another connection has the same name"
        case .noMappings: "the connection has no mappings"
        case .shadowed(let earlier):
            "never receives a message: mapping '\(earlier)' comes first and its filter matches every topic this one does"
        }
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
