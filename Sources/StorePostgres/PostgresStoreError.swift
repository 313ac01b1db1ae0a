/// Why the PostgreSQL store cannot start or serve a request, beyond the server's own `PSQLError`s.
public struct PostgresStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable {
        case invalidURL(String)
        case invalidSchema(String)
        case migrations(String)
        case corruptValue(column: String, value: String)
        case unreachable(Duration)
    }

    private let base: Base

    /// The connection URL cannot be used; the text says which part and why.
    static func invalidURL(_ reason: String) -> Self { Self(base: .invalidURL(reason)) }
    /// A schema name outside `[a-z_][a-z0-9_]*` (at most 63 bytes).
    static func invalidSchema(_ name: String) -> Self { Self(base: .invalidSchema(name)) }
    /// The migration files are unusable, or the database is newer than this build.
    static func migrations(_ reason: String) -> Self { Self(base: .migrations(reason)) }
    /// A stored value this version cannot read back (edited by hand, or a bug).
    static func corruptValue(column: String, value: String) -> Self {
        Self(base: .corruptValue(column: column, value: value))
    }

    /// No connection could be made at startup within the time allowed.
    static func unreachable(_ timeout: Duration) -> Self { Self(base: .unreachable(timeout)) }

    /// Schema names are spliced into SQL and the startup `search_path`, so only plain lower-case
    /// identifiers pass (no quoting rules to get wrong).
    static func validSchema(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 63 else { return false }
        func plain(_ s: Unicode.Scalar) -> Bool { s == "_" || ("a"..."z").contains(s) }
        return plain(first) && name.unicodeScalars.allSatisfy { plain($0) || ("0"..."9").contains($0) }
    }

    public var description: String {
        switch base {
        case .invalidURL(let reason): "invalid PostgreSQL URL: \(reason)"
        case .invalidSchema(let name): "invalid schema name \(name.debugDescription): use [a-z_][a-z0-9_]*"
        case .migrations(let reason): "migrations: \(reason)"
        case .corruptValue(let column, let value): "unreadable value in \(column): \(value.debugDescription)"
        case .unreachable(let timeout):
            "no connection to PostgreSQL within \(timeout) (the log has each attempt's error)"
        }
    }
}
