/// An MQTT topic filter, validated per MQTT 3.1.1 §4.7.
///
/// - `+` (§4.7.1.3) matches exactly one topic level and must occupy a whole level: `a/+/c`, not `a/b+`.
/// - `#` (§4.7.1.2) matches the parent level and any number of child levels; it must be the last
///   character and occupy a whole level: `a/#` or `#`, not `a#` or `a/#/c`.
/// - A filter is at least one character (§4.7.3), never contains U+0000 (§4.7.3) and is at most
///   65,535 UTF-8 bytes (§1.5.3).
/// - A filter that starts with a wildcard never matches a topic that starts with `$` (§4.7.2).
///
/// ```swift
/// let filter = try MQTTTopicFilter("site/+/temp")
/// filter.matches(topic: "site/a/temp")   // ["a"]
/// try MQTTTopicFilter("plant/#").matches(topic: "plant/x/y")   // ["x/y"]
/// ```
public struct MQTTTopicFilter: Hashable, Sendable, CustomStringConvertible {
    /// One level of a filter.
    public enum Level: Hashable, Sendable {
        case literal(String)
        /// `+`: one level.
        case singleLevel
        /// `#`: this level and all below it, including none (§4.7.1.2: `sport/#` matches `sport`).
        case multiLevel
    }

    /// The filter exactly as given.
    public let rawValue: String
    public let levels: [Level]

    /// Why a filter (or a topic name) is not valid.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// §4.7.3: topic names and filters are at least one character long.
        case empty
        /// §4.7.3: U+0000 is not allowed.
        case containsNull
        /// §1.5.3: a UTF-8 string is at most 65,535 bytes.
        case tooLong(bytes: Int)
        /// §4.7.1.2 and §4.7.1.3: a wildcard shares its level with other characters.
        case wildcardNotWholeLevel(level: String)
        /// §4.7.1.2: `#` is followed by further levels.
        case multiLevelWildcardNotLast
        /// §4.7.1.1: a topic name (as opposed to a filter) contains `+` or `#`.
        case wildcardInTopicName

        public var description: String {
            switch self {
            case .empty: "is empty (MQTT 3.1.1 §4.7.3)"
            case .containsNull: "contains U+0000 (MQTT 3.1.1 §4.7.3)"
            case .tooLong(let bytes): "is \(bytes) bytes, more than 65535 (MQTT 3.1.1 §1.5.3)"
            case .wildcardNotWholeLevel(let level):
                "level '\(level)' mixes a wildcard with other characters (MQTT 3.1.1 §4.7.1)"
            case .multiLevelWildcardNotLast: "'#' is not the last level (MQTT 3.1.1 §4.7.1.2)"
            case .wildcardInTopicName: "a topic name contains '+' or '#' (MQTT 3.1.1 §4.7.1.1)"
            }
        }
    }

    public init(_ rawValue: String) throws(ValidationError) {
        try Self.checkString(rawValue)
        let parts = rawValue.split(separator: "/", omittingEmptySubsequences: false)
        var levels: [Level] = []
        levels.reserveCapacity(parts.count)
        for (index, part) in parts.enumerated() {
            switch part {
            case "+":
                levels.append(.singleLevel)
            case "#":
                guard index == parts.count - 1 else { throw .multiLevelWildcardNotLast }
                levels.append(.multiLevel)
            default:
                guard !part.contains("+"), !part.contains("#") else {
                    throw .wildcardNotWholeLevel(level: String(part))
                }
                levels.append(.literal(String(part)))
            }
        }
        self.rawValue = rawValue
        self.levels = levels
    }

    public var description: String { rawValue }

    /// The number of `+` and `#` levels, which is the number of captures a match yields.
    public var wildcardCount: Int {
        levels.reduce(0) { count, level in
            if case .literal = level { count } else { count + 1 }
        }
    }

    /// Whether this filter has no wildcard, so it names exactly one topic.
    public var isTopicName: Bool { wildcardCount == 0 }

    /// The wildcard captures when `topic` matches, in filter order; nil when it does not.
    ///
    /// A `+` captures its one level (possibly empty: `a//c` is a valid topic). A `#` captures the
    /// remaining levels joined by `/`, or the empty string when it matches the parent level
    /// (`plant/#` on `plant`). Topic names with wildcards or U+0000 never match.
    public func matches(topic: String) -> [String]? {
        guard (try? Self.validateTopicName(topic)) != nil else { return nil }
        // §4.7.2: wildcards at the first level do not reach the server's `$` topics.
        if topic.hasPrefix("$"), let first = levels.first, first.literalValue == nil {
            return nil
        }
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        var captures: [String] = []
        for (index, level) in levels.enumerated() {
            switch level {
            case .multiLevel:
                captures.append(topicLevels[min(index, topicLevels.count)...].joined(separator: "/"))
                return captures
            case .singleLevel:
                guard index < topicLevels.count else { return nil }
                captures.append(String(topicLevels[index]))
            case .literal(let text):
                guard index < topicLevels.count, topicLevels[index] == text else { return nil }
            }
        }
        return topicLevels.count == levels.count ? captures : nil
    }

    /// Checks a topic name for PUBLISH: the string rules of §4.7.3 and no wildcard (§4.7.1.1).
    public static func validateTopicName(_ topic: String) throws(ValidationError) {
        try checkString(topic)
        guard !topic.contains("+"), !topic.contains("#") else { throw .wildcardInTopicName }
    }

    private static func checkString(_ string: String) throws(ValidationError) {
        guard !string.isEmpty else { throw .empty }
        guard !string.unicodeScalars.contains("\u{0}") else { throw .containsNull }
        let bytes = string.utf8.count
        guard bytes <= 65_535 else { throw .tooLong(bytes: bytes) }
    }
}

extension MQTTTopicFilter.Level {
    var literalValue: String? {
        if case .literal(let text) = self { text } else { nil }
    }
}
