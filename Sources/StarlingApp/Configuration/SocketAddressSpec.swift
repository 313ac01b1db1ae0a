import NIOCore

/// A listen address from the configuration, `host:port`: an IPv4 address, a host name, or an
/// IPv6 address in brackets (`[::1]:5222`, the RFC 3986 §3.2.2 IP-literal form). It is only
/// parsed here; binding (and resolving a host name) happens when the listener starts.
public struct SocketAddressSpec: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets: `127.0.0.1`, `::1`, `xmpp.example.com`.
    public var host: String
    /// 1...65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`. The error text says what is wrong, for ``ConfigurationError/message``.
    public init(parsing text: String) throws(SocketAddressSpecError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw SocketAddressSpecError("missing ']' after the IPv6 address in '\(text)'")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else {
                throw SocketAddressSpecError("expected ':port' after ']' in '\(text)'")
            }
            portPart = rest.dropFirst()
            guard Self.isIPv6(String(hostPart)) else {
                throw SocketAddressSpecError("'\(hostPart)' is not an IPv6 address")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw SocketAddressSpecError("expected host:port, got '\(text)'")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                throw SocketAddressSpecError("an IPv6 address needs brackets, e.g. '[::1]:5222', got '\(text)'")
            }
            guard Self.isIPv4(String(hostPart)) || Self.isHostName(hostPart) else {
                throw SocketAddressSpecError("'\(hostPart)' is not an IPv4 address or host name")
            }
        }
        guard !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portPart), (1...65535).contains(port)
        else {
            throw SocketAddressSpecError("port must be 1...65535, got '\(portPart)'")
        }
        self.init(host: String(hostPart), port: port)
    }

    /// `host:port`, with brackets around an IPv6 host, so it parses back to the same value.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func isIPv6(_ host: String) -> Bool {
        guard let address = try? SocketAddress(ipAddress: host, port: 0) else { return false }
        if case .v6 = address { return true }
        return false
    }

    private static func isIPv4(_ host: String) -> Bool {
        guard let address = try? SocketAddress(ipAddress: host, port: 0) else { return false }
        if case .v4 = address { return true }
        return false
    }

    /// RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens.
    private static func isHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        // All-numeric dotted names that are not valid IPv4 ("300.1.1.1") are typos, not names.
        if host.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// Why a `host:port` string did not parse; carried into ``ConfigurationError`` with the key.
public struct SocketAddressSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
