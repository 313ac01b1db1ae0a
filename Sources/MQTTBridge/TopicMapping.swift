/// A two-way mapping between an MQTT topic filter and a pubsub node path template.
///
/// `{n}` in the template stands for the n-th wildcard of the filter (1-based, in filter order),
/// so `site/+/temp` ↔ `site-a/{1}/temp` maps topic `site/7/temp` to node `site-a/7/temp` and back.
/// A `#` capture spans several node segments: `plant/#` ↔ `plant/{1}` maps `plant/hall/press` to
/// `plant/hall/press`, and the parent topic `plant` (§4.7.1.2 of MQTT 3.1.1) to node `plant`.
///
/// Rules, checked at init so a bad configuration stops start-up with the mapping's name:
/// - the filter is valid per MQTT 3.1.1 §4.7 (see `MQTTTopicFilter`);
/// - a placeholder is a whole node segment (`a/{1}/b`, not `a/x{1}`), as a wildcard is a whole level;
/// - no placeholder refers to a wildcard the filter does not have;
/// - the template has no empty segment, and uses the `#` capture at most once (so node → topic
///   is unambiguous).
///
/// Node → topic needs every wildcard in the template (`isReversible`); an inbound-only mapping such
/// as `site/+/temp` ↔ `all-temps` is valid but has no reverse.
public struct TopicMapping: Hashable, Sendable {
    /// The name used in errors and logs (from the configuration).
    public let name: String
    public let filter: MQTTTopicFilter
    /// The template exactly as configured.
    public let nodeTemplate: String

    let segments: [TemplateSegment]
    /// For each wildcard of `filter`, in order: whether it is `#`.
    private let wildcardIsMultiLevel: [Bool]

    public init(name: String, filter: String, nodeTemplate: String) throws(TopicMappingError) {
        let parsedFilter: MQTTTopicFilter
        do {
            parsedFilter = try MQTTTopicFilter(filter)
        } catch {
            throw TopicMappingError(mapping: name, reason: .invalidFilter(filter, error))
        }
        let multi = parsedFilter.levels.compactMap { level -> Bool? in
            switch level {
            case .literal: nil
            case .singleLevel: false
            case .multiLevel: true
            }
        }
        do {
            segments = try TemplateSegment.parse(nodeTemplate, wildcardIsMultiLevel: multi)
        } catch {
            throw TopicMappingError(mapping: name, reason: error)
        }
        self.name = name
        self.filter = parsedFilter
        self.nodeTemplate = nodeTemplate
        self.wildcardIsMultiLevel = multi
    }

    /// Whether `topic(forNode:)` can work: the template refers to every wildcard of the filter.
    public var isReversible: Bool {
        let used = Set(segments.compactMap(\.captureIndex))
        return used.count == wildcardIsMultiLevel.count
    }

    /// The node path for a topic, or nil when the topic does not match the filter or a capture
    /// would make an empty node segment (`site//temp` through `site/+/temp`).
    public func node(forTopic topic: String) -> String? {
        guard let captures = filter.matches(topic: topic) else { return nil }
        var parts: [Substring] = []
        for segment in segments {
            switch segment {
            case .literal(let text):
                parts.append(Substring(text))
            case .capture(let index):
                let value = captures[index]
                if wildcardIsMultiLevel[index] {
                    // The parent level (`plant` through `plant/#`) contributes no segment.
                    if value.isEmpty { continue }
                    parts.append(contentsOf: value.split(separator: "/", omittingEmptySubsequences: false))
                } else {
                    parts.append(Substring(value))
                }
            }
        }
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        return parts.joined(separator: "/")
    }

    /// The topic name for a node path, or nil when the node does not fit the template, the
    /// mapping is not reversible, or the result is not a valid topic name (§4.7.1.1: a node
    /// segment holding `+` or `#`).
    public func topic(forNode node: String) -> String? {
        guard isReversible, let captures = captures(forNode: node) else { return nil }
        var levels: [String] = []
        var wildcard = 0
        for level in filter.levels {
            switch level {
            case .literal(let text):
                levels.append(text)
            case .singleLevel:
                levels.append(captures[wildcard])
                wildcard += 1
            case .multiLevel:
                if !captures[wildcard].isEmpty { levels.append(captures[wildcard]) }
                wildcard += 1
            }
        }
        let topic = levels.joined(separator: "/")
        guard (try? MQTTTopicFilter.validateTopicName(topic)) != nil, filter.matches(topic: topic) != nil else {
            return nil
        }
        return topic
    }

    /// Matches `node` against the template; the captures in wildcard order, or nil.
    private func captures(forNode node: String) -> [String]? {
        let parts = node.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains(where: \.isEmpty) else { return nil }
        let multiPosition = segments.firstIndex { segment in
            segment.captureIndex.map { wildcardIsMultiLevel[$0] } ?? false
        }
        // Pair every template segment with the node segments it covers.
        var pairs: [(TemplateSegment, ArraySlice<Substring>)] = []
        if let multiPosition {
            let suffixCount = segments.count - multiPosition - 1
            guard parts.count >= segments.count - 1 else { return nil }
            for index in 0..<multiPosition {
                pairs.append((segments[index], parts[index...index]))
            }
            pairs.append((segments[multiPosition], parts[multiPosition..<(parts.count - suffixCount)]))
            for offset in 0..<suffixCount {
                let partIndex = parts.count - suffixCount + offset
                pairs.append((segments[multiPosition + 1 + offset], parts[partIndex...partIndex]))
            }
        } else {
            guard parts.count == segments.count else { return nil }
            for (segment, part) in zip(segments, parts.indices) {
                pairs.append((segment, parts[part...part]))
            }
        }
        var captures = [String?](repeating: nil, count: wildcardIsMultiLevel.count)
        for (segment, covered) in pairs {
            let value = covered.joined(separator: "/")
            switch segment {
            case .literal(let text):
                guard value == text else { return nil }
            case .capture(let index):
                if let earlier = captures[index], earlier != value { return nil }
                captures[index] = value
            }
        }
        return captures.map { $0 ?? "" }
    }
}

/// A bridge mapping that cannot work, naming the mapping so start-up can say which one.
public struct TopicMappingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Error, Hashable, Sendable {
        case invalidFilter(String, MQTTTopicFilter.ValidationError)
        case emptyTemplate
        /// `a//b`, a leading or a trailing `/`.
        case emptyTemplateSegment
        /// `{`/`}` outside a `{n}` segment, `{0}`, `{x}`, or `a{1}`.
        case malformedPlaceholder(segment: String)
        /// `{n}` where the filter has fewer than n wildcards.
        case missingWildcard(placeholder: Int, wildcards: Int)
        /// The `#` capture appears twice, so node → topic would be ambiguous.
        case multiLevelCaptureRepeated(placeholder: Int)
    }

    public let mapping: String
    public let reason: Reason

    public init(mapping: String, reason: Reason) {
        self.mapping = mapping
        self.reason = reason
    }

    public var description: String {
        let detail: String
        switch reason {
        case .invalidFilter(let filter, let error): detail = "topic filter '\(filter)' \(error)"
        case .emptyTemplate: detail = "node template is empty"
        case .emptyTemplateSegment: detail = "node template has an empty segment"
        case .malformedPlaceholder(let segment):
            detail = "node template segment '\(segment)' is not a whole '{n}' placeholder (n ≥ 1) or plain text"
        case .missingWildcard(let placeholder, let wildcards):
            detail = "node template refers to {\(placeholder)} but the topic filter has \(wildcards) wildcard(s)"
        case .multiLevelCaptureRepeated(let placeholder):
            detail = "node template uses the '#' capture {\(placeholder)} more than once"
        }
        return "bridge mapping '\(mapping)': \(detail)"
    }
}
