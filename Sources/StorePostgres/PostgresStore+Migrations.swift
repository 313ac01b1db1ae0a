import Foundation
import Logging
import PostgresNIO

/// Schema migrations (`PostgresMigrations.swift`), applied in order at connect, each in the same
/// transaction as the row that records it in `schema_migrations`. The numbering follows ejabberd's
/// `#sql_schema{version = N}` idea: a version row, not a guess from the tables present.
extension PostgresStore {
    /// One migration file.
    public struct Migration: Hashable, Sendable {
        public let version: Int
        public let name: String
        let sql: String
    }

    /// Key of the transaction-level advisory lock that serializes migrations: two servers starting
    /// at once against one database take turns instead of racing on `CREATE TABLE`.
    /// ASCII "Starling".
    static let migrationLockKey: Int64 = 0x5374_6172_6c69_6e67

    /// Every migration this version of Starling ships, in order (`PostgresMigrations.swift`).
    public static func knownMigrations() throws -> [Migration] {
        var migrations: [Migration] = []
        for source in migrationSources {
            guard let underscore = source.name.firstIndex(of: "_"),
                  let version = Int(source.name[..<underscore]), version > 0
            else {
                throw PostgresStoreError.migrations("\(source.name) is not named NNN_name")
            }
            migrations.append(Migration(version: version, name: source.name, sql: source.sql))
        }
        // 1, 2, 3, … with no gap or duplicate.
        for (offset, migration) in migrations.enumerated() where migration.version != offset + 1 {
            throw PostgresStoreError.migrations("expected migration \(offset + 1), found \(migration.name)")
        }
        return migrations
    }

    /// Creates the schema if asked, then applies what is missing, all under the advisory lock and
    /// in one transaction: either every pending migration lands or none does.
    static func migrate(_ connection: PostgresConnection, schema: String?, logger: Logger) async throws {
        let migrations = try knownMigrations()
        try await inTransaction(connection, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger)
            if let schema {
                // The name was checked against `PostgresStoreError.validSchema` in connect.
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
            }
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query(
                "SELECT version FROM schema_migrations", logger: logger
            ).decode(Int.self) {
                applied.insert(version)
            }
            let unknown = applied.subtracting(migrations.map(\.version))
            guard unknown.isEmpty else {
                throw PostgresStoreError.migrations(
                    "database has migrations this version does not know: \(unknown.sorted())")
            }
            for migration in migrations where !applied.contains(migration.version) {
                logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
                for statement in SQLScript(migration.sql).statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            }
        }
    }

    /// BEGIN … COMMIT around `body`, ROLLBACK on error, rethrowing the body's own error (postgres-nio's
    /// `withTransaction` wraps it in `PostgresTransactionError`, which hides what went wrong).
    static func inTransaction<Result: Sendable>(
        _ connection: PostgresConnection,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await connection.query("BEGIN", logger: logger)
        do {
            let result = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return result
        } catch {
            do {
                try await connection.query("ROLLBACK", logger: logger)
            } catch {
                logger.warning("ROLLBACK failed", metadata: ["error": "\(error)"])
            }
            throw error
        }
    }
}

extension PostgresStore {
    /// Drops `schema` and everything in it. For tests that give each case its own schema;
    /// not public: no production path should ever call it.
    package static func dropSchema(url: String, schema: String, logger: Logger) async throws {
        guard PostgresStoreError.validSchema(schema) else { throw PostgresStoreError.invalidSchema(schema) }
        let client = PostgresClient(configuration: try PostgresURL(url).configuration, backgroundLogger: logger)
        let runTask = await startRunning(client)
        do {
            try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE"), logger: logger)
        } catch {
            runTask.cancel()
            await runTask.value
            throw error
        }
        runTask.cancel()
        await runTask.value
    }
}
