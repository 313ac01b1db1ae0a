import GRDB

/// The embedded schema as a numbered list of migrations, applied in order at open and recorded by
/// GRDB in `grdb_migrations`. Append new ones ("002_pubsub", …); never edit one that has shipped.
///
/// Tables are STRICT (SQLite ≥ 3.37), so a column holds only its declared type; enum-like text
/// and booleans carry CHECK constraints mirroring the PostgreSQL schema in
/// `StorePostgres/Migrations/`.
extension EmbeddedStore {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001_accounts") { db in
            try db.execute(sql: migration001Accounts)
        }
        migrator.registerMigration("002_pubsub") { db in
            try db.execute(sql: migration002PubSub)
        }
        migrator.registerMigration("003_outbox") { db in
            try db.execute(sql: migration003Outbox)
        }
        migrator.registerMigration("004_publish_node_full") { db in
            // XEP-0060 §17.4.4 pubsub#publish_node_full; existing nodes keep the old behaviour.
            try db.execute(sql: """
                ALTER TABLE pubsub_nodes ADD COLUMN publish_node_full TEXT NOT NULL DEFAULT 'retract-oldest'
                    CHECK (publish_node_full IN ('retract-oldest', 'discard-oldest', 'reject'));
                """)
        }
        return migrator
    }()

    /// Refuses a database written by a newer Starling: its extra tables and rows may carry rules
    /// this version does not know, and silently ignoring them would corrupt data.
    static func checkNotNewer(_ applied: Set<String>) throws {
        let unknown = applied.subtracting(migrator.migrations)
        guard unknown.isEmpty else {
            throw EmbeddedStoreError.newerSchema(migrations: unknown.sorted())
        }
    }

    private static let migration001Accounts = """
        CREATE TABLE accounts (
            username   TEXT NOT NULL PRIMARY KEY,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        ) STRICT;

        -- One row per SCRAM hash function (RFC 5802 §3): salt, StoredKey and ServerKey, never a
        -- password. `position` keeps the order of Account.credentials.
        CREATE TABLE account_credentials (
            username   TEXT    NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
            algorithm  TEXT    NOT NULL CHECK (algorithm IN ('SCRAM-SHA-1', 'SCRAM-SHA-256')),
            position   INTEGER NOT NULL,
            salt       BLOB    NOT NULL,
            iterations INTEGER NOT NULL,
            stored_key BLOB    NOT NULL,
            server_key BLOB    NOT NULL,
            PRIMARY KEY (username, algorithm)
        ) STRICT;

        -- RFC 6121 §2.1.2 roster items with the pending flags of RFC 6121 Appendix A.
        CREATE TABLE roster_items (
            owner         TEXT    NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
            contact_jid   TEXT    NOT NULL,
            name          TEXT,
            subscription  TEXT    NOT NULL CHECK (subscription IN ('none', 'to', 'from', 'both')),
            ask_subscribe INTEGER NOT NULL CHECK (ask_subscribe IN (0, 1)),
            pending_in    INTEGER NOT NULL CHECK (pending_in IN (0, 1)),
            pre_approved  INTEGER NOT NULL CHECK (pre_approved IN (0, 1)),
            -- 0: only a remembered inbound request (RFC 6121 §3.1.3), hidden from roster gets.
            in_roster     INTEGER NOT NULL CHECK (in_roster IN (0, 1)),
            PRIMARY KEY (owner, contact_jid)
        ) STRICT;

        -- SQLite has no arrays: groups are child rows, `position` keeps their order.
        CREATE TABLE roster_groups (
            owner       TEXT    NOT NULL,
            contact_jid TEXT    NOT NULL,
            position    INTEGER NOT NULL,
            name        TEXT    NOT NULL,
            PRIMARY KEY (owner, contact_jid, position),
            FOREIGN KEY (owner, contact_jid)
                REFERENCES roster_items (owner, contact_jid) ON DELETE CASCADE
        ) STRICT;
        """
}
