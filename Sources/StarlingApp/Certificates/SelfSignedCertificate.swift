import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The certificate a fresh install serves so that STARTTLS (RFC 6120 §5) works on first start
/// without an operator step. Clients will not trust it (RFC 6120 §13.7.2.1 leaves a self-signed
/// certificate to the user's judgment, e.g. pinning); production installs set `tls.certificate`
/// and `tls.key`.
///
/// What is generated: a P-256 key and a v3 end-entity certificate, valid from one hour before
/// `now` (clock skew) to 365 days after it, with
/// - subject CN = the domain (legacy CN-ID; RFC 6125 §6.4.4),
/// - subjectAltName dNSName = the domain and `*.<domain>` (RFC 6125 §6.4.3: the wildcard covers
///   exactly one label, so the default `pubsub.<domain>` service and any other subdomain
///   component are covered, while `<domain>` itself needs its own entry); an IP-literal domain
///   gets one iPAddress entry instead and no wildcard,
/// - basicConstraints CA:false, keyUsage digitalSignature, extendedKeyUsage serverAuth and
///   clientAuth (clientAuth lets the same certificate authenticate outgoing s2s connections).
/// The XmppAddr otherName (RFC 6120 §13.7.1.4) is not included: DNS-IDs are what clients check.
public enum SelfSignedCertificate {
    /// Generates a key and a self-signed certificate for `domain`; both PEM-encoded (the key as
    /// PKCS #8 "PRIVATE KEY").
    public static func generate(
        domain: String, now: Date = Date()
    ) throws -> (certificatePEM: String, privateKeyPEM: String) {
        let names = try subjectAlternativeNames(for: domain)
        let signingKey = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(signingKey)
        // X.520 caps CN at 64 characters; a longer domain is still named by the SAN.
        let subject = try DistinguishedName {
            CommonName(domain.utf8.count <= 64 ? domain : "starling")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames(names)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3_600),
            notValidAfter: now.addingTimeInterval(365 * 24 * 3_600),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return (try certificate.serializeAsPEM().pemString, signingKey.pemRepresentation)
    }

    /// The certificate and key the server should serve.
    ///
    /// With both paths set, reads those files (either unreadable is an error). With both nil, uses
    /// `<dataDir>/tls/<domain>.crt` and `.key`: reads them when present, and generates and writes
    /// them when both are missing or the certificate has expired or expires within a day (the
    /// generated certificate lasts a year, and a server left running should not start serving
    /// an expired one after a restart). The key file is written with mode 0600, in a 0700
    /// directory, atomically (temporary file + rename), so a crash never leaves half a key.
    public static func loadOrCreate(
        certificatePath: String?, keyPath: String?, dataDir: String, domain: String, now: Date = Date()
    ) throws -> (certificatePEM: String, privateKeyPEM: String) {
        switch (certificatePath, keyPath) {
        case (let certificatePath?, let keyPath?):
            return (try readFile(certificatePath), try readFile(keyPath))
        case (nil, nil):
            break
        default:
            throw SelfSignedCertificateError("set both tls.certificate and tls.key, or neither")
        }

        // The domain becomes a file name; a validated domainpart never holds these.
        guard !domain.isEmpty, !domain.contains("/"), !domain.hasPrefix(".") else {
            throw SelfSignedCertificateError("'\(domain)' cannot name a certificate file")
        }
        let paths = defaultPaths(dataDir: dataDir, domain: domain)
        let manager = FileManager.default
        switch (manager.fileExists(atPath: paths.certificate), manager.fileExists(atPath: paths.key)) {
        case (true, true):
            let existing = (try readFile(paths.certificate), try readFile(paths.key))
            if try !expiresSoon(certificatePEM: existing.0, now: now) { return existing }
        case (false, false):
            break
        case (true, false), (false, true):
            // One half of a pair is either someone's manual edit or damage; replacing the other
            // half silently could destroy a key that is in use elsewhere.
            throw SelfSignedCertificateError(
                "found only one of \(paths.certificate) and \(paths.key); remove it or supply both")
        }

        let generated = try generate(domain: domain, now: now)
        try createDirectory(directory(of: paths.key))
        try writeAtomically(generated.privateKeyPEM, to: paths.key, mode: 0o600)
        try writeAtomically(generated.certificatePEM, to: paths.certificate, mode: 0o644)
        return generated
    }

    /// Where ``loadOrCreate(certificatePath:keyPath:dataDir:domain:now:)`` keeps generated files.
    public static func defaultPaths(dataDir: String, domain: String) -> (certificate: String, key: String) {
        let directory = dataDir.hasSuffix("/") ? dataDir + "tls" : dataDir + "/tls"
        return ("\(directory)/\(domain).crt", "\(directory)/\(domain).key")
    }

    // MARK: - Names

    private static func subjectAlternativeNames(for domain: String) throws -> [GeneralName] {
        if let address = ipAddressBytes(domain) {
            return [.ipAddress(ASN1OctetString(contentBytes: address[...]))]
        }
        // dNSName is an IA5String (RFC 5280 §4.2.1.6): an internationalized domain would need its
        // A-label form, which XMPPCore does not compute.
        guard !domain.isEmpty, domain.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }) else {
            throw SelfSignedCertificateError(
                "cannot generate a certificate for '\(domain)': not an ASCII domain; set tls.certificate and tls.key")
        }
        return [.dnsName(domain), .dnsName("*.\(domain)")]
    }

    /// The network-order bytes of an IPv4 address or a bracketed IPv6 literal (RFC 7622 §3.2).
    private static func ipAddressBytes(_ domain: String) -> [UInt8]? {
        if domain.hasPrefix("["), domain.hasSuffix("]") {
            var address = in6_addr()
            let inner = String(domain.dropFirst().dropLast())
            guard inet_pton(AF_INET6, inner, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, domain, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    // MARK: - Files

    private static func expiresSoon(certificatePEM: String, now: Date) throws -> Bool {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw SelfSignedCertificateError("cannot parse the generated certificate: \(error)")
        }
        return certificate.notValidAfter < now.addingTimeInterval(24 * 3_600)
    }

    private static func readFile(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SelfSignedCertificateError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    private static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SelfSignedCertificateError("cannot create \(path): \(error.localizedDescription)")
        }
    }

    /// Creates the file with its final mode from the start (no window in which the umask's
    /// default lets others read a private key), then renames it into place.
    private static func writeAtomically(_ contents: String, to path: String, mode: mode_t) throws {
        let temporary = "\(path).tmp-\(getpid())"
        // A leftover from a crash would make O_EXCL fail forever.
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw SelfSignedCertificateError("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(contents.utf8)
        var written = 0
        var failure: Int32 = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            written += result
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        // The umask may have narrowed `mode` (harmless for the key) or the file may be on a
        // filesystem that ignores it; state it explicitly.
        if failure == 0, fchmod(descriptor, mode) != 0 { failure = errno }
        close(descriptor)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw SelfSignedCertificateError("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }
}

/// Why a certificate or key could not be loaded or generated.
public struct SelfSignedCertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
