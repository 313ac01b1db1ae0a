import PubSub
import Accounts
import Dispatch
import Foundation
import GRDB
import Synchronization
import XMPPCore

/// Accounts and rosters in one SQLite file: Starling's default store, for a single server with
/// no database to run. Accounts hold SCRAM verifiers only (RFC 5802 §3, RFC 7677), rosters the
/// RFC 6121 §2.1 items with their subscription state (RFC 6121 §3, Appendix A). Same semantics as
/// `InMemoryAccountStorage` (checked by `Tests/StoreConformanceTests`); the schema is in
/// `EmbeddedStore+Migrations.swift`. The same file holds the pubsub nodes and items
/// (`EmbeddedStore+PubSub.swift`, schema "002_pubsub").
///
/// Durability: WAL journal with `synchronous=FULL`, so a write whose call has returned is on disk
/// and survives kill -9 or a power cut. Every call runs on GRDB's own dispatch queues through its
/// async APIs, never on the caller's thread, so an event loop calling in is never blocked.
public final class EmbeddedStore: AccountStorage {
    /// nil once closed: calls after `close()` throw `StorageClosedError`, like the in-memory store.
    private let pool: Mutex<DatabasePool?>
    /// Concurrent `appendItem` calls, written in batches (`EmbeddedStore+PubSubItems.swift`).
    let appends = GroupCommit<ItemAppend, [String]>(maximumBatch: 512)

    /// Opens (creating directories and the file if needed) the SQLite database at `path` in WAL
    /// mode and applies the migrations it has not seen yet.
    ///
    /// Synchronous on purpose: it runs once, at startup, before any connection is accepted.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Another process holding the write lock (a backup, an admin tool) makes writers wait a
        // little instead of failing at once.
        configuration.busyMode = .timeout(5)
        configuration.label = "Starling.EmbeddedStore"
        // Two processes opening a new database at once (`starling serve` and `starling user add`)
        // collide on switching it to WAL ("database is locked", which the busy timeout does not
        // cover) or on applying the same migration ("table … already exists", rolled back). The
        // loser retries, a bounded number of times, and finds the work done.
        var attempt = 0
        while true {
            do {
                self.pool = Mutex(try Self.open(path: path, configuration: configuration))
                return
            } catch let error as DatabaseError {
                // Only SQLite's own errors (locked, already exists) can be another opener's doing;
                // anything else (a newer schema, a bad path) is final at once.
                attempt += 1
                guard attempt < 8 else { throw error }
                Thread.sleep(forTimeInterval: 0.02 * Double(attempt))
            }
        }
    }

    private static func open(path: String, configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous=NORMAL on the writer when it turns WAL on (after any
        // prepareDatabase hook), and NORMAL may lose the last commits on power loss. FULL syncs
        // the WAL at every commit, so a write whose call returned is durable. Only the writer's
        // setting matters, and GRDB keeps that one connection for the pool's lifetime.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try checkNotNewer(pool.read { db in try migrator.appliedIdentifiers(db) })
        try migrator.migrate(pool)
        return pool
    }

    /// The names of the migrations recorded in this database, in the order they were applied.
    public func appliedMigrations() async throws -> [String] {
        try await database().read { db in try Self.migrator.appliedIdentifiers(db).sorted() }
    }

    /// Every migration this version of Starling knows, in order.
    public static var knownMigrations: [String] { migrator.migrations }

    /// `PRAGMA journal_mode` and `PRAGMA synchronous` of the writer connection, for tests that
    /// check the durability settings ("wal", 2 = FULL).
    package func durabilitySettings() async throws -> (journalMode: String, synchronous: Int) {
        try await database().write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
             try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
    }

    func database() throws -> DatabasePool {
        guard let pool = pool.withLock({ $0 }) else { throw StorageClosedError() }
        return pool
    }

    // MARK: - AccountStore

    public func createAccount(_ account: Account) async throws -> Bool {
        try await database().write { db in
            try db.execute(
                sql: "INSERT INTO accounts (username) VALUES (?) ON CONFLICT (username) DO NOTHING",
                arguments: [account.username]
            )
            guard db.changesCount == 1 else { return false }
            try Self.insertCredentials(account.credentials, of: account.username, in: db)
            return true
        }
    }

    public func account(username: String) async throws -> Account? {
        try await withCheckedThrowingContinuation { continuation in
            lookUpAccount(username: username) { continuation.resume(with: $0) }
        }
    }

    /// Every login runs this, so it is one cached statement (compiling it cost more than running
    /// it), read without a transaction (one statement is its own snapshot), on GRDB's reader
    /// queue straight from the caller's thread: no task and no hop through the concurrency pool.
    public func lookUpAccount(username: String, completion: @escaping @Sendable (Result<Account?, any Error>) -> Void) {
        let pool: DatabasePool
        do {
            pool = try database()
        } catch {
            return completion(.failure(error))
        }
        pool.asyncUnsafeRead { database in
            completion(Result {
                let db = try database.get()
                // No row: no account. One row whose algorithm is NULL: an account without credentials.
                let rows = try Row.fetchAll(
                    db.cachedStatement(sql: """
                        SELECT c.algorithm, c.salt, c.iterations, c.stored_key, c.server_key
                        FROM accounts a LEFT JOIN account_credentials c ON c.username = a.username
                        WHERE a.username = ? ORDER BY c.position
                        """),
                    arguments: [username]
                )
                guard !rows.isEmpty else { return nil }
                let credentials = try rows.filter { !$0.hasNull(atIndex: 0) }.map(Self.credentials(from:))
                return Account(username: username, credentials: credentials)
            })
        }
    }

    public func updateCredentials(username: String, credentials: [SCRAMCredentials]) async throws -> Bool {
        try await database().write { db in
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM accounts WHERE username = ?", arguments: [username]
            ) != nil else { return false }
            try db.execute(sql: "DELETE FROM account_credentials WHERE username = ?", arguments: [username])
            try Self.insertCredentials(credentials, of: username, in: db)
            return true
        }
    }

    public func deleteAccount(username: String) async throws -> Bool {
        // Credentials, roster items and their groups go with the account (ON DELETE CASCADE).
        try await database().write { db in
            try db.execute(sql: "DELETE FROM accounts WHERE username = ?", arguments: [username])
            return db.changesCount == 1
        }
    }

    public func usernames() async throws -> [String] {
        // Sorted in Swift, not by SQL: the order must be exactly the in-memory store's
        // (String's `<`), whatever the collation.
        try await database().read { db in
            try String.fetchAll(db, sql: "SELECT username FROM accounts")
        }.sorted()
    }

    // MARK: - RosterStore

    public func rosterItems(of username: String) async throws -> [RosterItem] {
        try await database().read { db in
            let rows = try Row.fetchAll(
                db, sql: "\(Self.rosterSelect) WHERE owner = ?", arguments: [username]
            )
            var groups: [String: [String]] = [:]
            let groupRows = try Row.fetchAll(
                db,
                sql: "SELECT contact_jid, name FROM roster_groups WHERE owner = ? ORDER BY contact_jid, position",
                arguments: [username]
            )
            for row in groupRows {
                let jid: String = try row.decode(forColumn: "contact_jid")
                groups[jid, default: []].append(try row.decode(forColumn: "name"))
            }
            return try rows.map { row in try Self.rosterItem(from: row, groups: groups) }
        }.sorted { $0.jid < $1.jid }
    }

    public func rosterItem(of username: String, jid: JID) async throws -> RosterItem? {
        try await database().read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: "\(Self.rosterSelect) WHERE owner = ? AND contact_jid = ?",
                arguments: [username, jid.description]
            ) else { return nil }
            let groups = try String.fetchAll(
                db,
                sql: "SELECT name FROM roster_groups WHERE owner = ? AND contact_jid = ? ORDER BY position",
                arguments: [username, jid.description]
            )
            return try Self.rosterItem(from: row, groups: [jid.description: groups])
        }
    }

    public func setRosterItem(_ item: RosterItem, of username: String) async throws {
        try await database().write { db in
            // A roster belongs to its account: nothing to store for an unknown user.
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM accounts WHERE username = ?", arguments: [username]
            ) != nil else { return }
            let contact = item.jid.description
            try db.execute(
                sql: """
                    INSERT INTO roster_items
                        (owner, contact_jid, name, subscription, ask_subscribe, pending_in, pre_approved, in_roster)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (owner, contact_jid) DO UPDATE SET
                        name = excluded.name, subscription = excluded.subscription,
                        ask_subscribe = excluded.ask_subscribe, pending_in = excluded.pending_in,
                        pre_approved = excluded.pre_approved, in_roster = excluded.in_roster
                    """,
                arguments: [
                    username, contact, item.name, item.subscription.rawValue,
                    item.askSubscribe, item.pendingIn, item.preApproved, item.inRoster,
                ]
            )
            try db.execute(
                sql: "DELETE FROM roster_groups WHERE owner = ? AND contact_jid = ?",
                arguments: [username, contact]
            )
            for (position, group) in item.groups.enumerated() {
                try db.execute(
                    sql: "INSERT INTO roster_groups (owner, contact_jid, position, name) VALUES (?, ?, ?, ?)",
                    arguments: [username, contact, position, group]
                )
            }
        }
    }

    public func removeRosterItem(jid: JID, of username: String) async throws -> Bool {
        try await database().write { db in
            try db.execute(
                sql: "DELETE FROM roster_items WHERE owner = ? AND contact_jid = ?",
                arguments: [username, jid.description]
            )
            return db.changesCount == 1
        }
    }

    // MARK: - Closing

    /// Waits for running reads and writes, then closes every SQLite connection. GRDB's close
    /// blocks, so it runs on a dispatch queue rather than on the caller's thread.
    public func close() async throws {
        guard let pool = pool.withLock({ state -> DatabasePool? in
            defer { state = nil }
            return state
        }) else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try pool.close() })
            }
        }
    }

    // MARK: - Rows

    private static let rosterSelect = """
        SELECT contact_jid, name, subscription, ask_subscribe, pending_in, pre_approved, in_roster
        FROM roster_items
        """

    private static func insertCredentials(_ credentials: [SCRAMCredentials], of username: String, in db: Database) throws {
        for (position, credential) in credentials.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO account_credentials
                        (username, algorithm, position, salt, iterations, stored_key, server_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    username, credential.algorithm.rawValue, position, Data(credential.salt),
                    credential.iterations, Data(credential.storedKey), Data(credential.serverKey),
                ]
            )
        }
    }

    private static func credentials(from row: Row) throws -> SCRAMCredentials {
        let name: String = try row.decode(forColumn: "algorithm")
        guard let algorithm = SCRAMCredentials.Algorithm(rawValue: name) else {
            throw EmbeddedStoreError.corruptValue(column: "account_credentials.algorithm", value: name)
        }
        return SCRAMCredentials(
            algorithm: algorithm,
            salt: [UInt8](try row.decode(Data.self, forColumn: "salt")),
            iterations: try row.decode(forColumn: "iterations"),
            storedKey: [UInt8](try row.decode(Data.self, forColumn: "stored_key")),
            serverKey: [UInt8](try row.decode(Data.self, forColumn: "server_key"))
        )
    }

    private static func rosterItem(from row: Row, groups: [String: [String]]) throws -> RosterItem {
        let contact: String = try row.decode(forColumn: "contact_jid")
        let subscriptionName: String = try row.decode(forColumn: "subscription")
        guard let subscription = RosterItem.Subscription(rawValue: subscriptionName) else {
            throw EmbeddedStoreError.corruptValue(column: "roster_items.subscription", value: subscriptionName)
        }
        let jid: JID
        do {
            jid = try JID(contact)
        } catch {
            throw EmbeddedStoreError.corruptValue(column: "roster_items.contact_jid", value: contact)
        }
        return RosterItem(
            jid: jid,
            name: try row.decode(forColumn: "name"),
            subscription: subscription,
            askSubscribe: try row.decode(forColumn: "ask_subscribe"),
            pendingIn: try row.decode(forColumn: "pending_in"),
            preApproved: try row.decode(forColumn: "pre_approved"),
            groups: groups[contact] ?? [],
            inRoster: try row.decode(forColumn: "in_roster")
        )
    }
}
