import Accounts
import Foundation
import StoreEmbedded
import StorePostgres
import Testing
import XMPPCore

/// Accounts and rosters survive a restart: written through one store instance, closed, read back
/// through a new instance on the same file or database. Plus the migration bookkeeping.
@Suite struct PersistenceTests {
    @Test(arguments: StoreKind.persistent)
    func accountsAndRostersSurviveReopen(_ kind: StoreKind) async throws {
        try await kind.withLocation { location async throws in
            let accounts = [
                Fixtures.account("alice"),
                Fixtures.account("bob", [Fixtures.sha256, Fixtures.sha1]),
                Fixtures.account("émile", []),
                Fixtures.account("deleted"),
            ]
            let aliceRoster = [
                try Fixtures.item("bob@example.com", name: "Bob", subscription: .both, groups: ["Friends", "友達"]),
                try Fixtures.item("carol@example.com", subscription: .none, ask: true, pendingIn: true),
                try Fixtures.item("stranger@example.net", pendingIn: true, inRoster: false),
                try Fixtures.item("sensors.example.com", name: "🌡", subscription: .to, preApproved: true),
            ]
            let bobRoster = [try Fixtures.item("alice@example.com", name: "Alice", subscription: .both)]

            let first = try await location.open()
            for account in accounts { #expect(try await first.createAccount(account)) }
            for item in aliceRoster { try await first.setRosterItem(item, of: "alice") }
            for item in bobRoster { try await first.setRosterItem(item, of: "bob") }
            try await first.setRosterItem(try Fixtures.item("x@example.com"), of: "deleted")
            #expect(try await first.deleteAccount(username: "deleted"))
            #expect(try await first.updateCredentials(username: "émile", credentials: [Fixtures.sha1]))
            try await first.close()

            let second = try await location.open()
            #expect(try await second.usernames() == ["alice", "bob", "émile"])
            #expect(try await second.account(username: "alice") == accounts[0])
            #expect(try await second.account(username: "bob") == accounts[1])
            #expect(try await second.account(username: "émile") == Fixtures.account("émile", [Fixtures.sha1]))
            #expect(try await second.account(username: "deleted") == nil)
            #expect(try await second.rosterItems(of: "alice") == aliceRoster.sorted { $0.jid < $1.jid })
            #expect(try await second.rosterItems(of: "bob") == bobRoster)
            #expect(try await second.rosterItems(of: "deleted") == [])
            try await second.close()
        }
    }

    @Test(arguments: StoreKind.persistent)
    func migrationsAreAppliedOnce(_ kind: StoreKind) async throws {
        try await kind.withLocation { location async throws in
            let known = try location.knownMigrations()
            #expect(known.first == "001_accounts")

            let first = try await location.open()
            #expect(try await location.appliedMigrations(first) == known)
            #expect(try await first.createAccount(Fixtures.account("alice")))
            try await first.close()

            // Opening again finds everything applied: no error, no second run, data intact.
            let second = try await location.open()
            #expect(try await location.appliedMigrations(second) == known)
            #expect(try await second.account(username: "alice") == Fixtures.account("alice"))
            try await second.close()
        }
    }

    /// Two servers starting at once against one fresh database: the advisory lock makes one wait
    /// for the other's migrations instead of both creating the same tables.
    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs STARLING_TEST_POSTGRES_URL"))
    func concurrentPostgresStartsMigrateOnce() async throws {
        try await StoreKind.postgres.withLocation { location async throws in
            let stores = try await withThrowingTaskGroup(of: (any AccountStorage).self) { group in
                for _ in 0..<4 { group.addTask { try await location.open() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for store in stores {
                #expect(try await location.appliedMigrations(store) == location.knownMigrations())
            }
            #expect(try await stores[0].createAccount(Fixtures.account("alice")))
            #expect(try await stores[3].account(username: "alice") == Fixtures.account("alice"))
            for store in stores { try await store.close() }
        }
    }

    /// The embedded store runs in WAL mode with synchronous=FULL and creates missing directories.
    @Test func embeddedStoreUsesWAL() async throws {
        try await StoreKind.embedded.withLocation { location async throws in
            let store = try await location.open()
            #expect(try await store.createAccount(Fixtures.account("alice")))
            #expect(FileManager.default.fileExists(atPath: location.path))
            #expect(FileManager.default.fileExists(atPath: location.path + "-wal"))
            let embedded = try #require(store as? EmbeddedStore)
            let settings = try await embedded.durabilitySettings()
            #expect(settings.journalMode == "wal")
            #expect(settings.synchronous == 2)  // FULL: an acknowledged write survives kill -9
            try await store.close()
        }
    }
}

extension PersistenceTests {
    /// The production entry point, without a test schema: tables go to the user's default
    /// `search_path`. Leaves nothing behind but the (idempotent) schema.
    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs STARLING_TEST_POSTGRES_URL"))
    func postgresDefaultSchemaConnect() async throws {
        let url = try #require(StoreKind.postgresURL)
        let store = try await PostgresStore.connect(url: url, logger: StoreLocation.logger)
        let versions = try await store.appliedMigrations()
        #expect(versions == (try PostgresStore.knownMigrations().map(\.version)))
        let name = "default-\(UUID().uuidString)"
        #expect(try await store.createAccount(Fixtures.account(name)))
        #expect(try await store.account(username: name) == Fixtures.account(name))
        #expect(try await store.deleteAccount(username: name))
        try await store.close()
    }
}
