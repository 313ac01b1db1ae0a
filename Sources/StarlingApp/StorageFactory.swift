import Accounts
import Logging
import StoreEmbedded
import StorePostgres

/// Opens the configured storage backend (`storage.kind`).
public enum StorageFactory {
    public static func open(_ configuration: StarlingConfiguration, logger: Logger) async throws -> any AccountStorage {
        switch configuration.storage.kind {
        case .sqlite:
            logger.info("storage: embedded SQLite", metadata: ["path": "\(configuration.storage.path)"])
            return try EmbeddedStore(path: configuration.storage.path)
        case .postgres:
            guard let url = configuration.storage.url else {
                throw ConfigurationError(key: "storage.url", message: "required when storage.kind is postgres")
            }
            logger.info("storage: PostgreSQL")
            return try await PostgresStore.connect(url: url, logger: logger)
        }
    }
}
