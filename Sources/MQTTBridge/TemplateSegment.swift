/// One `/`-separated segment of a node path template (`TopicMapping`).
enum TemplateSegment: Hashable, Sendable {
    case literal(String)
    /// `{n}`, stored 0-based.
    case capture(Int)

    var captureIndex: Int? {
        if case .capture(let index) = self { index } else { nil }
    }

    /// Parses `template` against a filter whose wildcards are `#` where `wildcardIsMultiLevel` says so.
    static func parse(
        _ template: String,
        wildcardIsMultiLevel: [Bool]
    ) throws(TopicMappingError.Reason) -> [TemplateSegment] {
        guard !template.isEmpty else { throw .emptyTemplate }
        var segments: [TemplateSegment] = []
        var multiUsed = false
        for part in template.split(separator: "/", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw .emptyTemplateSegment }
            guard part.contains("{") || part.contains("}") else {
                segments.append(.literal(String(part)))
                continue
            }
            guard part.first == "{", part.last == "}", part.count > 2,
                  let number = Int(part.dropFirst().dropLast()), number >= 1,
                  part.dropFirst().dropLast().allSatisfy({ $0.isASCII && $0.isNumber })
            else { throw .malformedPlaceholder(segment: String(part)) }
            guard number <= wildcardIsMultiLevel.count else {
                throw .missingWildcard(placeholder: number, wildcards: wildcardIsMultiLevel.count)
            }
            if wildcardIsMultiLevel[number - 1] {
                guard !multiUsed else { throw .multiLevelCaptureRepeated(placeholder: number) }
                multiUsed = true
            }
            segments.append(.capture(number - 1))
        }
        return segments
    }
}
