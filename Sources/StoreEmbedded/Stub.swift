// TEMPORARY stand-in with the agreed API; replaced by the real module.
import Accounts
public typealias EmbeddedStore = InMemoryAccountStorage
extension InMemoryAccountStorage { public convenience init(path: String) throws { self.init() } }
