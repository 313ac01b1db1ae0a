import Yams

// Walks the YAML node tree by hand rather than through Codable: a decoder silently ignores keys it
// was not asked for, and the point of strict validation is that "c2s.listn" stops the server.

/// One YAML mapping being read: each key taken is marked, and ``finish()`` rejects the rest.
struct MappingReader {
    /// The key path of this mapping ("" for the document root).
    let path: String
    private let entries: [(key: String, value: Node)]
    private var taken: Set<String> = []

    /// A missing or null section reads as empty, so `c2s:` with every child commented out means
    /// "all defaults" rather than an error.
    init(_ node: Node?, path: String) throws(ConfigurationError) {
        self.path = path
        guard let node, !ConfigurationValue.isNull(node) else {
            entries = []
            return
        }
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(
                key: path, message: "expected a mapping of keys, got \(ConfigurationValue.describe(node))")
        }
        var entries: [(key: String, value: Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw ConfigurationError(key: path, message: "keys must be plain strings")
            }
            entries.append((scalar.string, value))
        }
        self.entries = entries
    }

    /// The full key path of a child key.
    func keyPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value under `key`, or nil when the key is absent or null: both mean "the default",
    /// which is one rule to document instead of one per key.
    mutating func take(_ key: String) -> Node? {
        taken.insert(key)
        guard let value = entries.first(where: { $0.key == key })?.value,
              !ConfigurationValue.isNull(value)
        else { return nil }
        return value
    }

    /// Throws for the first key (in document order) that no `take` asked for.
    func finish() throws(ConfigurationError) {
        guard let unknown = entries.first(where: { !taken.contains($0.key) }) else { return }
        var message = "unknown key"
        if let suggestion = Self.closest(to: unknown.key, among: taken) {
            message += " (did you mean '\(keyPath(suggestion))'?)"
        }
        throw ConfigurationError(key: keyPath(unknown.key), message: message)
    }

    /// The known key within edit distance 2 of a typo, if there is exactly one best candidate.
    private static func closest(to key: String, among known: Set<String>) -> String? {
        let scored = known.map { ($0, editDistance(Array(key), Array($0))) }.filter { $0.1 <= 2 }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Typed reads of YAML scalars; every failure names the key path it was given.
enum ConfigurationValue {
    /// The node's resolved tag (`!!null`, `!!bool`, `!!int`, `!!str`...): the YAML 1.1 core
    /// schema's reading of a plain scalar, or `!!str` for a quoted one.
    static func tagName(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return tagName(node) == .null }
        return false
    }

    /// A short description of a node for error messages: `'maybe'`, `a list`, `a mapping`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(node) ? "null" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// A string. Plain YAML booleans (`yes`, `off`) are refused rather than read as text, since
    /// they are nearly always an unquoted mistake; quote them to mean the word.
    static func string(_ node: Node, key: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, !isNull(node), tagName(node) != .bool else {
            throw ConfigurationError(key: key, message: "expected a string, got \(describe(node))")
        }
        return scalar.string
    }

    /// A string, or nil for null or an absent key.
    static func optionalString(_ node: Node?, key: String) throws(ConfigurationError) -> String? {
        guard let node, !isNull(node) else { return nil }
        return try string(node, key: key)
    }

    /// One of a closed set of words; the error lists them: `expected 'required' or 'optional'`.
    static func word<T: RawRepresentable & CaseIterable>(
        _ node: Node, key: String, as type: T.Type
    ) throws(ConfigurationError) -> T where T.RawValue == String {
        if case .scalar(let scalar) = node, let value = T(rawValue: scalar.string), !isNull(node) {
            return value
        }
        let names = T.allCases.map { "'\($0.rawValue)'" }
        let expected = names.count == 2
            ? "\(names[0]) or \(names[1])"
            : names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        throw ConfigurationError(key: key, message: "expected \(expected), got \(describe(node))")
    }

    /// `true` or `false` (YAML 1.1's `yes`/`on` are refused to keep the file unambiguous).
    static func bool(_ node: Node, key: String) throws(ConfigurationError) -> Bool {
        if case .scalar(let scalar) = node, tagName(node) == .bool {
            switch scalar.string.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        throw ConfigurationError(key: key, message: "expected true or false, got \(describe(node))")
    }

    /// A decimal integer within `range`; `_` may group digits (`262_144`).
    static func int(_ node: Node, key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard case .scalar(let scalar) = node, tagName(node) == .int,
              let value = Int(scalar.string.filter { $0 != "_" }, radix: 10)
        else {
            throw ConfigurationError(key: key, message: "expected an integer, got \(describe(node))")
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                key: key, message: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// `host:port` (IPv6 hosts in brackets, quoted in YAML: `"[::1]:5222"`).
    static func socketAddress(_ node: Node, key: String) throws(ConfigurationError) -> SocketAddressSpec {
        if case .sequence = node {
            // An unquoted `[::1]:5222` is YAML flow-sequence syntax; say so instead of "got a list".
            throw ConfigurationError(
                key: key, message: "expected host:port; quote IPv6 addresses, e.g. \"[::1]:5222\"")
        }
        let text = try string(node, key: key)
        do {
            return try SocketAddressSpec(parsing: text)
        } catch {
            throw ConfigurationError(key: key, message: error.message)
        }
    }

    /// `host:port`, or nil for null or an absent key (the listener is off).
    static func optionalSocketAddress(_ node: Node?, key: String) throws(ConfigurationError) -> SocketAddressSpec? {
        guard let node, !isNull(node) else { return nil }
        return try socketAddress(node, key: key)
    }
}
