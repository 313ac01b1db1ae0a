/// Why a configuration file was refused. `key` is the full key path of the offending value
/// (`c2s.starttls`, `admins[2]`); it is empty for problems with the file as a whole (unreadable,
/// not YAML). The description is what the operator sees:
/// `c2s.starttls: expected 'required' or 'optional', got 'maybe'`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The key path, dot-separated with `[index]` for list entries; empty for whole-file errors.
    public let key: String
    /// What is wrong, and where useful, what was expected.
    public let message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? message : "\(key): \(message)"
    }
}
