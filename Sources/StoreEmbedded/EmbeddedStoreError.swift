/// Why the embedded store cannot serve a request, beyond SQLite's own `DatabaseError`s.
public struct EmbeddedStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable {
        case corruptValue(column: String, value: String)
        case newerSchema(migrations: [String])
    }

    private let base: Base

    /// A stored value this version cannot read back (edited by hand, or a bug).
    static func corruptValue(column: String, value: String) -> Self { Self(base: .corruptValue(column: column, value: value)) }

    /// The database was migrated by a newer Starling.
    static func newerSchema(migrations: [String]) -> Self { Self(base: .newerSchema(migrations: migrations)) }

    public var description: String {
        switch base {
        case .corruptValue(let column, let value):
            "unreadable value in \(column): \(value.debugDescription)"
        case .newerSchema(let migrations):
            "database has migrations this version does not know: \(migrations.joined(separator: ", "))"
        }
    }
}
