import Accounts
import Foundation
import Logging
import StoreEmbedded
import StorePostgres
import Testing

/// The backends every conformance test runs against (STYLE.md §7): the in-memory reference, the
/// embedded SQLite store in a temporary directory, and PostgreSQL when
/// `STARLING_TEST_POSTGRES_URL` is set (`ops/testenv/postgres.sh start DIR` prints one).
/// `STARLING_REQUIRE_POSTGRES=1` turns a missing URL into a failure (`PostgresRequirementTests`).
enum StoreKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case memory, embedded, postgres

    static let postgresURL: String? = {
        let url = ProcessInfo.processInfo.environment["STARLING_TEST_POSTGRES_URL"] ?? ""
        return url.isEmpty ? nil : url
    }()

    static let postgresRequired = ProcessInfo.processInfo.environment["STARLING_REQUIRE_POSTGRES"] == "1"

    static var available: [StoreKind] {
        postgresURL == nil ? [.memory, .embedded] : [.memory, .embedded, .postgres]
    }

    /// The backends that keep data across close and reopen.
    static var persistent: [StoreKind] { available.filter { $0 != .memory } }

    var testDescription: String { rawValue }

    /// Runs `body` against a fresh, empty store of this kind, then closes it and removes what it
    /// left behind. Each call gets its own file or PostgreSQL schema, so tests run in parallel.
    func withStore(_ body: (any AccountStorage) async throws -> Void) async throws {
        let location = try StoreLocation(self)
        let store = try await location.open()
        do {
            try await body(store)
        } catch {
            try? await store.close()
            await location.remove()
            throw error
        }
        try await store.close()
        await location.remove()
    }

    /// Like `withStore`, but hands over the location so a test can open it more than once.
    func withLocation(_ body: (StoreLocation) async throws -> Void) async throws {
        let location = try StoreLocation(self)
        do {
            try await body(location)
        } catch {
            await location.remove()
            throw error
        }
        await location.remove()
    }
}

/// Where one test's data lives: a SQLite file in its own temporary directory, or a PostgreSQL
/// schema with a random name in the test database.
struct StoreLocation: Sendable {
    let kind: StoreKind
    private let directory: URL
    let schema: String

    /// Warnings and up: postgres-nio logs every pool connection it drops at close as info.
    static let logger: Logger = {
        var logger = Logger(label: "starling.store-tests")
        logger.logLevel = .warning
        return logger
    }()

    init(_ kind: StoreKind) throws {
        self.kind = kind
        let token = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // A nested, not yet existing directory: EmbeddedStore must create it.
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("starling-store-\(token)")
        schema = "test_\(token)"
    }

    var path: String { directory.appendingPathComponent("data/starling.sqlite").path }

    /// Opens a new store instance on this location (for memory: a new, empty store).
    func open() async throws -> any AccountStorage {
        switch kind {
        case .memory:
            return InMemoryAccountStorage()
        case .embedded:
            return try EmbeddedStore(path: path)
        case .postgres:
            return try await PostgresStore.connect(url: try postgresURL(), schema: schema, logger: Self.logger)
        }
    }

    /// What the store's migration table records, as names ("001_accounts") for comparison with
    /// `knownMigrations`.
    func appliedMigrations(_ store: any AccountStorage) async throws -> [String] {
        switch store {
        case let store as EmbeddedStore:
            return try await store.appliedMigrations()
        case let store as PostgresStore:
            let names = Dictionary(uniqueKeysWithValues: try PostgresStore.knownMigrations().map { ($0.version, $0.name) })
            return try await store.appliedMigrations().map { names[$0] ?? "unknown \($0)" }
        default:
            return []
        }
    }

    func knownMigrations() throws -> [String] {
        switch kind {
        case .memory: []
        case .embedded: EmbeddedStore.knownMigrations
        case .postgres: try PostgresStore.knownMigrations().map(\.name)
        }
    }

    func postgresURL() throws -> String {
        guard let url = StoreKind.postgresURL else {
            throw TestSetupError(description: "STARLING_TEST_POSTGRES_URL is not set")
        }
        return url
    }

    func remove() async {
        switch kind {
        case .memory:
            break
        case .embedded:
            try? FileManager.default.removeItem(at: directory)
        case .postgres:
            guard let url = StoreKind.postgresURL else { return }
            try? await PostgresStore.dropSchema(url: url, schema: schema, logger: Self.logger)
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}
