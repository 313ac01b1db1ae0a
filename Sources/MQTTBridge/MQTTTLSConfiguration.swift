#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TLS towards the broker (issue #5: "TLS with CA/cert/key"), through libmosquitto's OpenSSL
/// (`mosquitto_tls_set`). Files are PEM.
///
/// The broker's certificate is always checked against `caFile`; `verifyHostname` adds the check
/// that it names `MQTTClientConfiguration.host` (a DNS or IP subjectAltName, RFC 6125 §6). A client
/// certificate (`certFile` with its `keyFile`) is sent when the broker asks for one.
public struct MQTTTLSConfiguration: Hashable, Sendable {
    /// The CA certificate(s) that signed the broker's certificate. Required: libmosquitto does not
    /// fall back to the system store.
    public var caFile: String
    /// The client certificate, for brokers that authenticate clients by certificate. Needs `keyFile`.
    public var certFile: String?
    /// The unencrypted private key of `certFile`.
    public var keyFile: String?
    /// Whether the broker's certificate must name the host connected to. Turning it off
    /// (`mosquitto_tls_insecure_set`) leaves the connection open to anyone holding a certificate
    /// from the same CA; only for tests or pinned private CAs.
    public var verifyHostname: Bool

    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil, verifyHostname: Bool = true) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.verifyHostname = verifyHostname
    }

    /// Says which file is missing or unreadable, before libmosquitto answers a bare "invalid argument".
    public func validate() throws(MQTTError) {
        func invalid(_ text: String) -> MQTTError { MQTTError(.invalidConfiguration, "TLS: \(text)") }
        guard !caFile.isEmpty else { throw invalid("caFile is required when TLS is on") }
        switch (certFile, keyFile) {
        case (nil, nil), (.some, .some): break
        case (.some, nil): throw invalid("certFile needs keyFile (the certificate's private key)")
        case (nil, .some): throw invalid("keyFile needs certFile (the certificate it belongs to)")
        }
        for (name, path) in [("caFile", caFile), ("certFile", certFile), ("keyFile", keyFile)] {
            guard let path else { continue }
            if let problem = Self.problem(readingFile: path) { throw invalid("\(name) '\(path)' \(problem)") }
        }
    }

    /// Why `path` cannot be read as a file, or nil when it can.
    static func problem(readingFile path: String) -> String? {
        guard !path.isEmpty else { return "is empty" }
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? "does not exist" : "cannot be examined: \(String(cString: strerror(errno)))"
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return "is not a regular file" }
        guard access(path, R_OK) == 0 else { return "is not readable: \(String(cString: strerror(errno)))" }
        return nil
    }
}
