// The PostgreSQL schema, one numbered migration per entry, compiled into the binary so a deployed
// `starling` needs no resource bundle beside it. Append new migrations; never edit a shipped one.
extension PostgresStore {
    static let migrationSources: [(name: String, sql: String)] = [
        ("001_accounts", #"""
-- 001: accounts, SCRAM credentials and rosters.
-- Applied once, inside the migration transaction, by PostgresStore (see PostgresStore+Migrations.swift).
-- Never edit a migration that has shipped: add 002_….sql instead.

CREATE TABLE accounts (
    username   text        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per SCRAM hash function (RFC 5802 §3): salt, StoredKey and ServerKey, never a password.
-- `position` keeps the order of Account.credentials.
CREATE TABLE account_credentials (
    username   text     NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    algorithm  text     NOT NULL CHECK (algorithm IN ('SCRAM-SHA-1', 'SCRAM-SHA-256')),
    position   smallint NOT NULL,
    salt       bytea    NOT NULL,
    iterations bigint   NOT NULL,
    stored_key bytea    NOT NULL,
    server_key bytea    NOT NULL,
    PRIMARY KEY (username, algorithm)
);

-- RFC 6121 §2.1.2 roster items with the pending flags of RFC 6121 Appendix A. Contact JIDs are
-- stored in their normalized string form (RFC 7622); groups keep their order.
CREATE TABLE roster_items (
    owner         text    NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    contact_jid   text    NOT NULL,
    name          text,
    subscription  text    NOT NULL CHECK (subscription IN ('none', 'to', 'from', 'both')),
    ask_subscribe boolean NOT NULL DEFAULT false,
    pending_in    boolean NOT NULL DEFAULT false,
    pre_approved  boolean NOT NULL DEFAULT false,
    -- false: only a remembered inbound request (RFC 6121 §3.1.3), hidden from roster gets.
    in_roster     boolean NOT NULL DEFAULT true,
    groups        text[]  NOT NULL DEFAULT '{}' CHECK (array_position(groups, NULL) IS NULL),
    PRIMARY KEY (owner, contact_jid)
);
"""#),
    ]
}
