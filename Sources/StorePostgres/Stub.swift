// TEMPORARY stand-in with the agreed API; replaced by the real module.
import Accounts
import Logging
public enum PostgresStore { public static func connect(url: String, logger: Logger) async throws -> InMemoryAccountStorage { InMemoryAccountStorage() } }
