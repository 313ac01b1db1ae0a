import PubSub
import Accounts
import Logging
import PostgresNIO
import Synchronization
import XMPPCore

/// Accounts and rosters in PostgreSQL, for operators who already run one or want backups and
/// replicas. Accounts hold SCRAM verifiers only (RFC 5802 §3, RFC 7677), rosters the RFC 6121 §2.1
/// items with their subscription state (RFC 6121 §3, Appendix A). Same semantics as
/// `InMemoryAccountStorage` (checked by `Tests/StoreConformanceTests`); the schema is
/// numbered migrations compiled in (`PostgresMigrations.swift`), applied at connect (`PostgresStore+Migrations.swift`).
/// Pubsub nodes and items (XEP-0060) live in the same database: `PostgresStore+PubSub.swift`.
///
/// Everything runs on postgres-nio's event loops through async calls; no call blocks a thread.
/// Statements that must be atomic are one SQL statement or one transaction on one connection.
public final class PostgresStore: AccountStorage {
    private struct Running: Sendable {
        let client: PostgresClient
        /// Runs `client.run()`; cancelling it shuts the connection pool down.
        let runTask: Task<Void, Never>
    }

    /// nil once closed: calls after `close()` throw `StorageClosedError`, like the in-memory store.
    private let running: Mutex<Running?>
    let logger: Logger
    /// Concurrent `appendItem` calls, written in batches (`PostgresStore+PubSubItems.swift`).
    let appends = GroupCommit<ItemAppend, [String]>(maximumBatch: 256)

    private init(running: Running, logger: Logger) {
        self.running = Mutex(running)
        self.logger = logger
    }

    /// Connects and migrates. `url` is a libpq-style URI such as
    /// `postgres://user:pass@127.0.0.1:5432/dbname?sslmode=disable`; see `PostgresURL` for the
    /// parameters understood (`sslmode` disable/allow/prefer/require/verify-ca/verify-full, `host`
    /// for a Unix socket directory, `application_name`, `connect_timeout`).
    public static func connect(url: String, logger: Logger) async throws -> PostgresStore {
        try await connect(url: url, schema: nil, logger: logger)
    }

    /// Like `connect(url:logger:)`, with every table in `schema` (created if missing) instead of
    /// the user's default `search_path`: several Starling instances, or tests, can share one
    /// database. The name must match `[a-z_][a-z0-9_]*`.
    public static func connect(url: String, schema: String?, logger: Logger) async throws -> PostgresStore {
        let url = try PostgresURL(url)
        var configuration = url.configuration
        if let schema {
            guard PostgresStoreError.validSchema(schema) else { throw PostgresStoreError.invalidSchema(schema) }
            // A startup parameter, so every pooled connection resolves names in this schema.
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = await startRunning(client)
        do {
            try await waitForFirstConnection(client, within: url.startupTimeout)
            try await client.withConnection { connection in
                try await migrate(connection, schema: schema, logger: logger)
            }
        } catch {
            runTask.cancel()
            await runTask.value
            throw error
        }
        return PostgresStore(running: Running(client: client, runTask: runTask), logger: logger)
    }

    /// Starts `client.run()` in a detached task and returns once that task is about to call it, so
    /// the first lease does not find the pool idle (postgres-nio logs a warning then).
    /// Detached: the pool must not inherit the caller's task-locals (a ServiceGroup's graceful
    /// shutdown would stop it under the server's feet); its life is exactly connect → close().
    static func startRunning(_ client: PostgresClient) async -> Task<Void, Never> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let task = Task.detached {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        return task
    }

    /// The pool retries an unreachable server forever, which at startup would look like a hang:
    /// give up after `timeout` with an error the operator can act on. Only the first connection
    /// is timed; migrations then take as long as they take.
    static func waitForFirstConnection(_ client: PostgresClient, within timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.withConnection { _ in } }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PostgresStoreError.unreachable(timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// The migration versions recorded in `schema_migrations`, ascending.
    public func appliedMigrations() async throws -> [Int] {
        var versions: [Int] = []
        let rows = try await client().query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    func client() throws -> PostgresClient {
        guard let client = running.withLock({ $0?.client }) else { throw StorageClosedError() }
        return client
    }

    // MARK: - AccountStore

    public func createAccount(_ account: Account) async throws -> Bool {
        let c = CredentialColumns(account.credentials)
        // One statement, so atomic without a transaction: the credentials are inserted only when
        // the account row was (foreign keys are checked at the end of the statement).
        let rows = try await client().query(
            """
            WITH created AS (
                INSERT INTO accounts (username) VALUES (\(account.username))
                ON CONFLICT (username) DO NOTHING
                RETURNING username
            ), credentials AS (
                INSERT INTO account_credentials
                    (username, algorithm, position, salt, iterations, stored_key, server_key)
                SELECT created.username, c.algorithm, c.position, c.salt, c.iterations, c.stored_key, c.server_key
                FROM created, unnest(\(c.algorithms)::text[], \(c.positions)::int8[], \(c.salts)::bytea[],
                                     \(c.iterations)::int8[], \(c.storedKeys)::bytea[], \(c.serverKeys)::bytea[])
                    AS c(algorithm, position, salt, iterations, stored_key, server_key)
            )
            SELECT count(*) FROM created
            """,
            logger: logger
        )
        return try await Self.count(rows) == 1
    }

    public func account(username: String) async throws -> Account? {
        // LEFT JOIN: one round trip tells "no account" (no row) from "no credentials" (NULL row).
        let rows = try await client().query(
            """
            SELECT c.algorithm, c.salt, c.iterations, c.stored_key, c.server_key
            FROM accounts a LEFT JOIN account_credentials c ON c.username = a.username
            WHERE a.username = \(username)
            ORDER BY c.position
            """,
            logger: logger
        )
        var found = false
        var credentials: [SCRAMCredentials] = []
        for try await (algorithm, salt, iterations, storedKey, serverKey) in rows.decode(
            (String?, ByteBuffer?, Int?, ByteBuffer?, ByteBuffer?).self
        ) {
            found = true
            guard let algorithm else { continue }
            guard let parsed = SCRAMCredentials.Algorithm(rawValue: algorithm),
                  let salt, let iterations, let storedKey, let serverKey
            else { throw PostgresStoreError.corruptValue(column: "account_credentials.algorithm", value: algorithm) }
            credentials.append(SCRAMCredentials(
                algorithm: parsed, salt: Array(salt.readableBytesView), iterations: iterations,
                storedKey: Array(storedKey.readableBytesView), serverKey: Array(serverKey.readableBytesView)))
        }
        return found ? Account(username: username, credentials: credentials) : nil
    }

    public func updateCredentials(username: String, credentials: [SCRAMCredentials]) async throws -> Bool {
        let c = CredentialColumns(credentials)
        return try await client().withConnection { connection in
            try await Self.inTransaction(connection, logger: logger) { connection in
                // Locks the account against a concurrent delete until commit.
                let locked = try await connection.query(
                    "SELECT 1 FROM accounts WHERE username = \(username) FOR UPDATE", logger: logger)
                guard try await Self.count(rowsOf: locked) == 1 else { return false }
                try await connection.query(
                    "DELETE FROM account_credentials WHERE username = \(username)", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO account_credentials
                        (username, algorithm, position, salt, iterations, stored_key, server_key)
                    SELECT \(username), c.algorithm, c.position, c.salt, c.iterations, c.stored_key, c.server_key
                    FROM unnest(\(c.algorithms)::text[], \(c.positions)::int8[], \(c.salts)::bytea[],
                                \(c.iterations)::int8[], \(c.storedKeys)::bytea[], \(c.serverKeys)::bytea[])
                        AS c(algorithm, position, salt, iterations, stored_key, server_key)
                    """,
                    logger: logger)
                return true
            }
        }
    }

    public func deleteAccount(username: String) async throws -> Bool {
        // Credentials and roster go with it: ON DELETE CASCADE.
        let rows = try await client().query(
            "DELETE FROM accounts WHERE username = \(username) RETURNING 1", logger: logger)
        return try await Self.count(rowsOf: rows) == 1
    }

    public func usernames() async throws -> [String] {
        var names: [String] = []
        let rows = try await client().query("SELECT username FROM accounts", logger: logger)
        for try await name in rows.decode(String.self) { names.append(name) }
        // Sorted in Swift: the order must be String's `<`, whatever the database collation.
        return names.sorted()
    }

    // MARK: - RosterStore

    public func rosterItems(of username: String) async throws -> [RosterItem] {
        let rows = try await client().query(
            "\(unescaped: Self.rosterSelect) WHERE owner = \(username)", logger: logger)
        var items: [RosterItem] = []
        for try await row in rows.decode(RosterColumns.self) { items.append(try Self.rosterItem(row)) }
        return items.sorted { $0.jid < $1.jid }
    }

    public func rosterItem(of username: String, jid: JID) async throws -> RosterItem? {
        let rows = try await client().query(
            "\(unescaped: Self.rosterSelect) WHERE owner = \(username) AND contact_jid = \(jid.description)",
            logger: logger)
        // Read to the end (at most one row: the primary key) so the connection goes back clean.
        var item: RosterItem?
        for try await row in rows.decode(RosterColumns.self) { item = try Self.rosterItem(row) }
        return item
    }

    public func setRosterItem(_ item: RosterItem, of username: String) async throws {
        // A roster belongs to its account: for an unknown user nothing is stored. FOR KEY SHARE
        // makes a concurrent delete of the account either wait for us or win (and then we insert
        // nothing), never fail the foreign key.
        try await client().query(
            """
            INSERT INTO roster_items
                (owner, contact_jid, name, subscription, ask_subscribe, pending_in, pre_approved, in_roster, groups)
            SELECT \(username), \(item.jid.description), \(item.name), \(item.subscription.rawValue),
                   \(item.askSubscribe), \(item.pendingIn), \(item.preApproved), \(item.inRoster),
                   \(item.groups)::text[]
            WHERE EXISTS (SELECT 1 FROM accounts WHERE username = \(username) FOR KEY SHARE)
            ON CONFLICT (owner, contact_jid) DO UPDATE SET
                name = excluded.name, subscription = excluded.subscription,
                ask_subscribe = excluded.ask_subscribe, pending_in = excluded.pending_in,
                pre_approved = excluded.pre_approved, in_roster = excluded.in_roster, groups = excluded.groups
            """,
            logger: logger)
    }

    public func removeRosterItem(jid: JID, of username: String) async throws -> Bool {
        let rows = try await client().query(
            "DELETE FROM roster_items WHERE owner = \(username) AND contact_jid = \(jid.description) RETURNING 1",
            logger: logger)
        return try await Self.count(rowsOf: rows) == 1
    }

    // MARK: - Closing

    /// Shuts the connection pool down and waits for it; later calls throw `StorageClosedError`.
    public func close() async throws {
        guard let running = running.withLock({ state -> Running? in
            defer { state = nil }
            return state
        }) else { return }
        running.runTask.cancel()
        await running.runTask.value
    }

    // MARK: - Rows

    private typealias RosterColumns = (String, String?, String, Bool, Bool, Bool, Bool, [String])

    private static let rosterSelect = """
        SELECT contact_jid, name, subscription, ask_subscribe, pending_in, pre_approved, in_roster, groups
        FROM roster_items
        """

    private static func rosterItem(_ row: RosterColumns) throws -> RosterItem {
        let (contact, name, subscriptionName, askSubscribe, pendingIn, preApproved, inRoster, groups) = row
        guard let subscription = RosterItem.Subscription(rawValue: subscriptionName) else {
            throw PostgresStoreError.corruptValue(column: "roster_items.subscription", value: subscriptionName)
        }
        let jid: JID
        do {
            jid = try JID(contact)
        } catch {
            throw PostgresStoreError.corruptValue(column: "roster_items.contact_jid", value: contact)
        }
        return RosterItem(
            jid: jid, name: name, subscription: subscription, askSubscribe: askSubscribe,
            pendingIn: pendingIn, preApproved: preApproved, groups: groups, inRoster: inRoster)
    }

    /// The value of a single `count(*)` row.
    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var result = 0
        for try await count in rows.decode(Int.self) { result = count }
        return result
    }

    /// How many rows came back.
    static func count(rowsOf rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}

/// `[SCRAMCredentials]` as parallel arrays for `unnest`, so any number of credentials is one
/// INSERT. Keys are `bytea`: `[UInt8]` would encode as PostgreSQL's one-byte `"char"[]`.
private struct CredentialColumns {
    var algorithms: [String] = []
    var positions: [Int] = []
    var salts: [ByteBuffer] = []
    var iterations: [Int] = []
    var storedKeys: [ByteBuffer] = []
    var serverKeys: [ByteBuffer] = []

    init(_ credentials: [SCRAMCredentials]) {
        for (position, credential) in credentials.enumerated() {
            algorithms.append(credential.algorithm.rawValue)
            positions.append(position)
            salts.append(ByteBuffer(bytes: credential.salt))
            iterations.append(credential.iterations)
            storedKeys.append(ByteBuffer(bytes: credential.storedKey))
            serverKeys.append(ByteBuffer(bytes: credential.serverKey))
        }
    }
}
