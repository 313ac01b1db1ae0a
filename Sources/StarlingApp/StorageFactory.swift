import Accounts
import Logging
import PubSub
import StoreEmbedded
import StorePostgres

/// Opens the configured storage backend (`storage.kind`).
public enum StorageFactory {
    /// The stores one backend provides.
    public struct Storage: Sendable {
        public let accounts: any AccountStorage
        public let pubsub: any PubSubStore

        public func close() async throws {
            try await accounts.close()
        }
    }

    public static func open(_ configuration: StarlingConfiguration, logger: Logger) async throws -> Storage {
        // One backend instance serves both: one SQLite file and writer, or one PostgreSQL pool.
        switch configuration.storage.kind {
        case .sqlite:
            logger.info("storage: embedded SQLite", metadata: ["path": "\(configuration.storage.path)"])
            let store = try EmbeddedStore(path: configuration.storage.path)
            return Storage(accounts: store, pubsub: store)
        case .postgres:
            guard let url = configuration.storage.url else {
                throw ConfigurationError(key: "storage.url", message: "required when storage.kind is postgres")
            }
            logger.info("storage: PostgreSQL")
            let store = try await PostgresStore.connect(url: url, logger: logger)
            return Storage(accounts: store, pubsub: store)
        }
    }
}
