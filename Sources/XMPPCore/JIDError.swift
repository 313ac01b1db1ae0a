/// Why a string is not a JID (RFC 7622 §3). Peers that send one get `<jid-malformed/>`.
public struct JIDError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case emptyDomainpart
        case emptyLocalpart
        case emptyResourcepart
        case partTooLong(String)
        case disallowedCharacter(part: String, scalar: Unicode.Scalar)
        case invalidDomain
    }

    public let reason: Reason
    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .emptyDomainpart: "empty domainpart"
        case .emptyLocalpart: "empty localpart"
        case .emptyResourcepart: "empty resourcepart"
        case .partTooLong(let part): "\(part) longer than 1023 bytes"
        case .disallowedCharacter(let part, let scalar):
            "disallowed character U+\(String(scalar.value, radix: 16, uppercase: true)) in \(part)"
        case .invalidDomain: "invalid domainpart"
        }
    }
}
