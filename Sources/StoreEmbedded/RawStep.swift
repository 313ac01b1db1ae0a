import GRDB
import GRDBSQLite

/// One execution of a GRDB cached statement through SQLite's C API, for the item append only.
///
/// GRDB's `execute(arguments:)` costs more per call than SQLite's own insert: a
/// `StatementArguments` array of `DatabaseValue`s, argument validation, the observation and
/// transaction bookkeeping around every step (perf, 1000 publishers: about 9 µs of Swift per
/// appended item against SQLite's own work). None of that bookkeeping applies here: the append
/// runs inside the writer's transaction, the store registers no transaction observers, and the
/// statement text is fixed. The statement stays GRDB's (compiled once per connection, finalized
/// by GRDB when the connection closes); this type only binds, steps and resets it, and only this
/// path ever executes these statement texts, so GRDB's record of its arguments is never relied on.
///
/// Must be used on the connection's queue, inside `write`, like any `Database` access.
struct RawStep: ~Copyable {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection?

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        sqlite3_reset(handle)
    }

    deinit { sqlite3_reset(handle) }

    /// SQLite copies the bytes before the call returns (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            // A zero-length text is still text, not NULL: bind it from a non-nil pointer.
            if let base = utf8.baseAddress {
                _ = base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient)
                }
            } else {
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }

    func bind(_ index: Int32, _ text: String?) {
        if let text { bind(index, text) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// An empty payload is a zero-length BLOB, never NULL (the column is NOT NULL).
    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                _ = sqlite3_bind_blob(handle, index, base, Int32(bytes.count), Self.transient)
            } else {
                _ = sqlite3_bind_zeroblob(handle, index, 0)
            }
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws(DatabaseError) {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure() }
    }

    /// Runs a query and returns its first column as text, every row.
    func strings() throws(DatabaseError) -> [String] {
        var values: [String] = []
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE:
                return values
            case SQLITE_ROW:
                let count = Int(sqlite3_column_bytes(handle, 0))
                if let text = sqlite3_column_text(handle, 0) {
                    values.append(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
                } else {
                    values.append("")
                }
            default:
                throw failure()
            }
        }
    }

    /// The connection's error, with its extended code (as GRDB reports it), after a failed step.
    private func failure() -> DatabaseError {
        let code = sqlite3_extended_errcode(connection)
        let message = sqlite3_errmsg(connection).map { String(cString: $0) }
        sqlite3_reset(handle)
        // `Statement.sql` trims the text on every read (Foundation, ~35 µs): only for an error.
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}
