import Foundation
import MQTTBridge
import Testing

/// TLS against a mosquitto of the test's own with a TLS listener and certificates made by `openssl`.
@Suite(.enabled(if: MQTTTestEnvironment.port != nil, MQTTTestEnvironment.skipReason))
struct MQTTClientTLSTests {
    @Test func publishesAndReceivesOverTLSWithAClientCertificate() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await PrivateBroker.with(tls: certificates.directory) { broker in
            let topic = MQTTTestEnvironment.uniqueTopic()
            let tls = MQTTTLSConfiguration(
                caFile: certificates.ca, certFile: certificates.clientCertificate, keyFile: certificates.clientKey)
            let client = try MQTTClient(configuration: MQTTTestEnvironment.configuration(port: Int(broker.port), tls: tls))
            let messages = Recorder(client.messages)
            try await client.connect()
            try await client.subscribe(topic, qos: 1)

            let payload: [UInt8] = [0x00, 0xFF, 0x10] + Array("over TLS".utf8)
            try await client.publish(topic: topic, payload: payload, qos: 1, retain: false)
            // And from an independent peer that checks the same CA and host name.
            let pub = try await CommandLineTool.run("mosquitto_pub", [
                "-h", "127.0.0.1", "-p", broker.port, "--cafile", certificates.ca, "-q", "1", "-t", topic, "-m", "peer",
            ])
            #expect(pub.status == 0, "\(pub.stderr)")
            try await messages.wait(for: "both messages") { $0.count == 2 }
            #expect(messages.snapshot.map(\.payload) == [payload, Array("peer".utf8)])
            await client.disconnect()
        }
    }

    @Test func aCertificateFromAnotherCAFailsTheConnectClearlyAndPromptly() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await PrivateBroker.with(tls: certificates.directory) { broker in
            let tls = MQTTTLSConfiguration(caFile: certificates.otherCA)
            for version in [MQTTProtocolVersion.v311, .v5] {
                let client = try MQTTClient(configuration: MQTTTestEnvironment.configuration(
                    port: Int(broker.port), protocolVersion: version, tls: tls))
                let start = ContinuousClock.now
                do {
                    try await client.connect()
                    Issue.record("\(version): connected with the wrong CA")
                } catch let error as MQTTError {
                    #expect(error.code == .connectionFailed, "\(version): \(error)")
                    #expect(error.message.contains("TLS"), "\(version): \(error)")
                    #expect(error.message.contains("certificate verify failed"), "\(version): \(error)")
                }
                #expect(ContinuousClock.now - start < .seconds(10))
                await client.disconnect()
            }
        }
    }

    @Test func hostNameVerificationRejectsANameTheCertificateLacks() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await PrivateBroker.with(tls: certificates.directory) { broker in
            // "127.1" resolves to 127.0.0.1, but the certificate names only IP 127.0.0.1 and
            // localhost, and "127.1" is no IP address in dotted-quad form, so it is checked as a DNS name.
            for verifyHostname in [true, false] {
                var configuration = MQTTTestEnvironment.configuration(
                    port: Int(broker.port),
                    tls: MQTTTLSConfiguration(caFile: certificates.ca, verifyHostname: verifyHostname))
                configuration.host = "127.1"
                let client = try MQTTClient(configuration: configuration)
                do {
                    try await client.connect()
                    #expect(!verifyHostname, "connected although the certificate does not name 127.1")
                } catch let error as MQTTError {
                    #expect(verifyHostname, "\(error)")
                    #expect(error.code == .connectionFailed)
                }
                await client.disconnect()
            }
        }
    }
}

/// TLS settings are checked before libmosquitto sees them, naming the file at fault.
@Suite struct MQTTTLSConfigurationTests {
    @Test func missingAndHalfGivenFilesAreNamed() throws {
        let certificatePath = try CommandLineTool.temporaryFile(Array("not really PEM".utf8)).path
        defer { try? FileManager.default.removeItem(atPath: certificatePath) }
        let missing = "/nonexistent/starling/ca.crt"
        let cases: [(MQTTTLSConfiguration, String)] = [
            (MQTTTLSConfiguration(caFile: ""), "caFile is required"),
            (MQTTTLSConfiguration(caFile: missing), "caFile '\(missing)' does not exist"),
            (MQTTTLSConfiguration(caFile: "/tmp"), "is not a regular file"),
            (MQTTTLSConfiguration(caFile: certificatePath, certFile: certificatePath), "certFile needs keyFile"),
            (MQTTTLSConfiguration(caFile: certificatePath, keyFile: certificatePath), "keyFile needs certFile"),
            (MQTTTLSConfiguration(caFile: certificatePath, certFile: certificatePath, keyFile: missing),
             "keyFile '\(missing)' does not exist"),
        ]
        for (tls, expected) in cases {
            do {
                try tls.validate()
                Issue.record("accepted \(tls)")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains(expected), "\(error.message)")
            }
            MQTTClient.initializeLibrary()
            #expect(throws: MQTTError.self) {
                try MQTTClient(configuration: MQTTClientConfiguration(host: "h", tls: tls))
            }
        }
        #expect(throws: Never.self) { try MQTTTLSConfiguration(caFile: certificatePath).validate() }
    }
}
