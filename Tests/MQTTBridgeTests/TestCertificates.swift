import Foundation

/// A throwaway PKI made with the `openssl` command for the TLS tests: a CA, a server certificate for
/// 127.0.0.1 and localhost, a client certificate, and an unrelated CA that signed none of them.
/// The file names are the ones `ops/testenv/mosquitto.sh start … --tls DIR` expects.
struct TestCertificates: Sendable {
    let directory: String

    var ca: String { directory + "/ca.crt" }
    var otherCA: String { directory + "/other-ca.crt" }
    var clientCertificate: String { directory + "/client.crt" }
    var clientKey: String { directory + "/client.key" }

    static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("starling-mqtt-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try await certificates.generate()
        return certificates
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func generate() async throws {
        // P-256 keys: quick to make, and every OpenSSL mosquitto links against takes them.
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for (name, subject) in [("ca", "/CN=Starling Test CA"), ("other-ca", "/CN=Some Other CA")] {
            try await openssl(["req", "-x509"] + key + [
                "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).crt",
                "-days", "2", "-subj", subject,
            ])
        }
        let extensions: [(String, String)] = [
            ("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
            ("client", "extendedKeyUsage=clientAuth\n"),
        ]
        for (name, lines) in extensions {
            try ("basicConstraints=CA:FALSE\n" + lines).write(
                toFile: "\(directory)/\(name).ext", atomically: true, encoding: .utf8)
            try await openssl(["req", "-new"] + key + [
                "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr",
                "-subj", "/CN=starling-test-\(name)",
            ])
            try await openssl([
                "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", ca, "-CAkey", "\(directory)/ca.key",
                "-CAcreateserial", "-out", "\(directory)/\(name).crt", "-days", "2",
                "-extfile", "\(directory)/\(name).ext",
            ])
        }
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await CommandLineTool.run("openssl", arguments)
        guard result.status == 0 else {
            throw OpenSSLFailed(arguments: arguments, stderr: result.stderr)
        }
    }
}

struct OpenSSLFailed: Error, CustomStringConvertible {
    var arguments: [String]
    var stderr: String
    var description: String { "openssl \(arguments.joined(separator: " ")) failed: \(stderr)" }
}
