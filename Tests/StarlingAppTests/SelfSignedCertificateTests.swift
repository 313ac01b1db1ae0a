import Foundation
import NIOSSL
import StarlingApp
import Testing
import X509

@Suite struct SelfSignedCertificateTests {
    @Test func generatedPEMsBuildANIOSSLServerContext() throws {
        let pems = try SelfSignedCertificate.generate(domain: "iot.example")
        let certificate = try NIOSSLCertificate(bytes: Array(pems.certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(pems.privateKeyPEM.utf8), format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        _ = try NIOSSLContext(configuration: configuration)
    }

    @Test func certificateNamesTheDomainAndItsSubdomains() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let pems = try SelfSignedCertificate.generate(domain: "iot.example", now: now)
        let certificate = try Certificate(pemEncoded: pems.certificatePEM)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(names) == [.dnsName("iot.example"), .dnsName("*.iot.example")])
        #expect(certificate.subject.description.contains("CN=iot.example"))
        #expect(certificate.issuer == certificate.subject)
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(certificate.notValidBefore <= now)
        let lifetime = certificate.notValidAfter.timeIntervalSince(now)
        #expect(lifetime >= 364 * 86_400 && lifetime <= 366 * 86_400)
        // The key in the PEM is the certificate's key.
        let key = try Certificate.PrivateKey(pemEncoded: pems.privateKeyPEM)
        #expect(key.publicKey == certificate.publicKey)
    }

    @Test func ipLiteralDomainGetsAnIPAddressName() throws {
        let pems = try SelfSignedCertificate.generate(domain: "127.0.0.1")
        let certificate = try Certificate(pemEncoded: pems.certificatePEM)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(names).count == 1)
        guard case .ipAddress(let bytes) = Array(names).first else {
            Issue.record("expected an iPAddress name")
            return
        }
        #expect(Array(bytes.bytes) == [127, 0, 0, 1])
    }

    @Test func nonASCIIDomainIsRefused() {
        #expect(throws: SelfSignedCertificateError.self) {
            try SelfSignedCertificate.generate(domain: "bücher.example")
        }
    }

    @Test func loadOrCreateWritesOnceAndProtectsTheKey() throws {
        let dataDir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }

        let first = try SelfSignedCertificate.loadOrCreate(
            certificatePath: nil, keyPath: nil, dataDir: dataDir, domain: "iot.example")
        let paths = SelfSignedCertificate.defaultPaths(dataDir: dataDir, domain: "iot.example")
        #expect(paths.certificate == "\(dataDir)/tls/iot.example.crt")
        #expect(paths.key == "\(dataDir)/tls/iot.example.key")
        #expect(try String(contentsOfFile: paths.certificate, encoding: .utf8) == first.certificatePEM)
        #expect(try String(contentsOfFile: paths.key, encoding: .utf8) == first.privateKeyPEM)
        #expect(try permissions(paths.key) == 0o600)
        #expect(try permissions("\(dataDir)/tls") == 0o700)

        let second = try SelfSignedCertificate.loadOrCreate(
            certificatePath: nil, keyPath: nil, dataDir: dataDir, domain: "iot.example")
        #expect(second.certificatePEM == first.certificatePEM)
        #expect(second.privateKeyPEM == first.privateKeyPEM)
        #expect(try permissions(paths.key) == 0o600)
    }

    @Test func loadOrCreateReplacesAnExpiringCertificate() throws {
        let dataDir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let first = try SelfSignedCertificate.loadOrCreate(
            certificatePath: nil, keyPath: nil, dataDir: dataDir, domain: "iot.example")
        let nextYear = Date().addingTimeInterval(365 * 86_400)
        let renewed = try SelfSignedCertificate.loadOrCreate(
            certificatePath: nil, keyPath: nil, dataDir: dataDir, domain: "iot.example", now: nextYear)
        #expect(renewed.certificatePEM != first.certificatePEM)
        let paths = SelfSignedCertificate.defaultPaths(dataDir: dataDir, domain: "iot.example")
        #expect(try String(contentsOfFile: paths.certificate, encoding: .utf8) == renewed.certificatePEM)
        #expect(try permissions(paths.key) == 0o600)
    }

    @Test func loadOrCreateReadsConfiguredFiles() throws {
        let dataDir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let pems = try SelfSignedCertificate.generate(domain: "iot.example")
        let certificatePath = "\(dataDir)/cert.pem"
        let keyPath = "\(dataDir)/key.pem"
        try pems.certificatePEM.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try pems.privateKeyPEM.write(toFile: keyPath, atomically: true, encoding: .utf8)

        let loaded = try SelfSignedCertificate.loadOrCreate(
            certificatePath: certificatePath, keyPath: keyPath, dataDir: dataDir, domain: "iot.example")
        #expect(loaded.certificatePEM == pems.certificatePEM)
        #expect(loaded.privateKeyPEM == pems.privateKeyPEM)
        // Nothing is generated when files are configured.
        #expect(!FileManager.default.fileExists(atPath: "\(dataDir)/tls"))

        #expect(throws: SelfSignedCertificateError.self) {
            try SelfSignedCertificate.loadOrCreate(
                certificatePath: "\(dataDir)/missing.pem", keyPath: keyPath, dataDir: dataDir, domain: "iot.example")
        }
        #expect(throws: SelfSignedCertificateError.self) {
            try SelfSignedCertificate.loadOrCreate(
                certificatePath: certificatePath, keyPath: nil, dataDir: dataDir, domain: "iot.example")
        }
    }

    @Test func loadOrCreateRefusesAHalfPair() throws {
        let dataDir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        _ = try SelfSignedCertificate.loadOrCreate(
            certificatePath: nil, keyPath: nil, dataDir: dataDir, domain: "iot.example")
        let paths = SelfSignedCertificate.defaultPaths(dataDir: dataDir, domain: "iot.example")
        try FileManager.default.removeItem(atPath: paths.key)
        #expect(throws: SelfSignedCertificateError.self) {
            try SelfSignedCertificate.loadOrCreate(
                certificatePath: nil, keyPath: nil, dataDir: dataDir, domain: "iot.example")
        }
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("starling-cert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }
}
