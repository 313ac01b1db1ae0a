import Foundation
import StarlingApp
import Testing
import XMPPCore

@Suite struct ConfigurationTests {
    // MARK: - Defaults

    @Test func emptyDocumentIsDefaults() throws {
        #expect(try StarlingConfiguration.parse(yaml: "") == .defaults)
        #expect(try StarlingConfiguration.parse(yaml: "# nothing\n") == .defaults)
        #expect(try StarlingConfiguration.parse(yaml: "{}") == .defaults)
        // A section whose children are all commented out is null: all defaults.
        #expect(try StarlingConfiguration.parse(yaml: "c2s:\nlimits: ~\n") == .defaults)
    }

    @Test func documentedDefaults() {
        let d = StarlingConfiguration.defaults
        #expect(d.domain == "localhost")
        #expect(d.c2s.listen == SocketAddressSpec(host: "127.0.0.1", port: 5222))
        #expect(d.c2s.starttls == .required)
        #expect(d.c2s.directTLSListen == nil)
        #expect(d.c2s.allowPlainWithoutTLS == false)
        #expect(d.c2s.maxConnectionsPerIP == 100)
        #expect(d.c2s.loginAttemptsPerMinutePerIP == 10)
        #expect(d.c2s.pingIntervalSeconds == 300)
        #expect(d.c2s.pingTimeoutSeconds == 60)
        #expect(d.c2s.negotiationTimeoutSeconds == 30)
        #expect(d.tls.certificatePath == nil && d.tls.keyPath == nil)
        #expect(d.storage == .init(kind: .sqlite, path: "data/starling.sqlite", url: nil))
        #expect(d.dataDirectory == "data")
        #expect(d.registration == .init(enabled: false, attemptsPerHourPerIP: 5))
        #expect(d.admins.isEmpty)
        #expect(d.http.listen == nil)
        #expect(d.pubsub.jid == "pubsub.localhost")
        #expect(d.limits == .init(maxStanzaBytes: 262_144, maxDepth: 32, maxAttributes: 64))
        #expect(d.log.level == .info)
    }

    /// ops/starling.example.yml documents every key at its default; if either drifts, this fails.
    @Test func exampleFileIsTheDefaults() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("ops/starling.example.yml").path
        #expect(try StarlingConfiguration.load(path: path) == .defaults)
    }

    // MARK: - Every key set

    @Test func fullFile() throws {
        let config = try StarlingConfiguration.parse(yaml: """
            domain: Example.COM.
            data_dir: /var/lib/starling/
            c2s:
              listen: 0.0.0.0:5222
              starttls: optional
              direct_tls_listen: 0.0.0.0:5223
              allow_plain_without_tls: true
              max_connections_per_ip: 1_000
              login_attempts_per_minute_per_ip: 3
              ping_interval_seconds: 120
              ping_timeout_seconds: 20
              negotiation_timeout_seconds: 10
            tls:
              certificate: /etc/starling/cert.pem
              key: /etc/starling/key.pem
            storage:
              kind: postgres
              url: postgres://starling:secret@db.example.com:5432/starling
            registration:
              enabled: true
              attempts_per_hour_per_ip: 2
            admins: [Admin@Example.com, ops@example.com]
            http:
              listen: "[::]:8080"
            pubsub:
              jid: telemetry.example.com
              node_creation: admins
              expiry_interval_seconds: 5
            limits:
              max_stanza_bytes: 65536
              max_depth: 16
              max_attributes: 32
              max_resources_per_account: 4
            log:
              level: debug
            """)
        #expect(config.domain == "example.com")
        #expect(config.dataDirectory == "/var/lib/starling/")
        #expect(config.c2s == .init(
            listen: .init(host: "0.0.0.0", port: 5222), starttls: .optional,
            directTLSListen: .init(host: "0.0.0.0", port: 5223), allowPlainWithoutTLS: true,
            maxConnectionsPerIP: 1_000, loginAttemptsPerMinutePerIP: 3, pingIntervalSeconds: 120,
            pingTimeoutSeconds: 20, negotiationTimeoutSeconds: 10))
        #expect(config.tls == .init(certificatePath: "/etc/starling/cert.pem", keyPath: "/etc/starling/key.pem"))
        #expect(config.storage.kind == .postgres)
        #expect(config.storage.url == "postgres://starling:secret@db.example.com:5432/starling")
        #expect(config.storage.path == "/var/lib/starling/starling.sqlite")
        #expect(config.registration == .init(enabled: true, attemptsPerHourPerIP: 2))
        #expect(config.admins == [try JID("admin@example.com"), try JID("ops@example.com")])
        #expect(config.http.listen == SocketAddressSpec(host: "::", port: 8080))
        #expect(config.pubsub.jid == "telemetry.example.com")
        #expect(config.pubsub.nodeCreation == .admins)
        #expect(config.pubsub.expiryIntervalSeconds == 5)
        #expect(config.limits == .init(maxStanzaBytes: 65_536, maxDepth: 16, maxAttributes: 32, maxResourcesPerAccount: 4))
        #expect(config.log.level == .debug)
    }

    @Test func derivedDefaultsFollowTheirKeys() throws {
        let config = try StarlingConfiguration.parse(yaml: "domain: iot.example\ndata_dir: /srv/st\n")
        #expect(config.pubsub.jid == "pubsub.iot.example")
        #expect(config.storage.path == "/srv/st/starling.sqlite")
        let explicit = try StarlingConfiguration.parse(yaml: "data_dir: /srv/st\nstorage: {path: db.sqlite}\n")
        #expect(explicit.storage.path == "db.sqlite")
    }

    // MARK: - Listen addresses

    @Test func ipv6Listen() throws {
        let config = try StarlingConfiguration.parse(yaml: "c2s:\n  listen: \"[::1]:5222\"\n")
        #expect(config.c2s.listen == SocketAddressSpec(host: "::1", port: 5222))
        #expect(config.c2s.listen.description == "[::1]:5222")
        #expect(try StarlingConfiguration.parse(yaml: "http:\n  listen: '[::]:8080'\n").http.listen
            == SocketAddressSpec(host: "::", port: 8080))
        // Unquoted, YAML reads `[` as the start of a list and fails before any key is known;
        // the error gives the line and says to quote.
        let error = parseError("c2s:\n  listen: [::1]:5222\n")
        #expect(error?.key == "")
        #expect(error?.message.contains("2:12") == true)
        #expect(error?.message.contains("quoted") == true)
        // A list where an address belongs names the key.
        #expect(parseError("c2s:\n  listen: [a, b]\n")?.key == "c2s.listen")
        #expect(parseError("c2s:\n  listen: ::1:5222\n")?.key == "c2s.listen")
    }

    @Test(arguments: [
        ("127.0.0.1:5222", SocketAddressSpec(host: "127.0.0.1", port: 5222)),
        ("xmpp.example.com:5222", SocketAddressSpec(host: "xmpp.example.com", port: 5222)),
        ("localhost:1", SocketAddressSpec(host: "localhost", port: 1)),
        ("[2001:db8::5]:65535", SocketAddressSpec(host: "2001:db8::5", port: 65535)),
        ("[::ffff:10.0.0.1]:5223", SocketAddressSpec(host: "::ffff:10.0.0.1", port: 5223)),
    ])
    func validAddresses(text: String, expected: SocketAddressSpec) throws {
        let parsed = try SocketAddressSpec(parsing: text)
        #expect(parsed == expected)
        #expect(try SocketAddressSpec(parsing: parsed.description) == parsed)
    }

    @Test(arguments: [
        "5222", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:52x2", ":5222",
        "::1:5222", "[::1]", "[::1]5222", "[not-v6]:5222", "[::1:5222", "300.1.1.1:5222",
        "bad_host:5222", "-x.example:5222", "127.0.0.1:+80",
    ])
    func invalidAddresses(text: String) {
        #expect(throws: SocketAddressSpecError.self) { try SocketAddressSpec(parsing: text) }
    }

    // MARK: - Errors name their key

    @Test func starttlsMessage() {
        let error = parseError("c2s:\n  starttls: maybe\n")
        #expect(error?.description == "c2s.starttls: expected 'required' or 'optional', got 'maybe'")
    }

    @Test(arguments: [
        // Unknown keys, at every level.
        ("c2s:\n  listn: 127.0.0.1:5222\n", "c2s.listn"),
        ("domian: example.com\n", "domian"),
        ("log:\n  level: info\n  format: json\n", "log.format"),
        ("storage:\n  kind: sqlite\n  extra: 1\n", "storage.extra"),
        // Wrong shapes.
        ("c2s: 5222\n", "c2s"),
        ("- a\n- b\n", ""),
        ("admins: admin@example.com\n", "admins"),
        ("limits: [1, 2]\n", "limits"),
        // Wrong types and bad values.
        ("domain: \"exa mple.com\"\n", "domain"),
        ("domain: [a]\n", "domain"),
        ("data_dir: \"\"\n", "data_dir"),
        ("c2s:\n  listen: localhost\n", "c2s.listen"),
        ("c2s:\n  listen: 127.0.0.1:70000\n", "c2s.listen"),
        ("c2s:\n  direct_tls_listen: \"[::1]:x\"\n", "c2s.direct_tls_listen"),
        ("c2s:\n  direct_tls_listen: 127.0.0.1:5222\n", "c2s.direct_tls_listen"),
        ("c2s:\n  allow_plain_without_tls: yes\n", "c2s.allow_plain_without_tls"),
        ("c2s:\n  allow_plain_without_tls: \"true\"\n", "c2s.allow_plain_without_tls"),
        ("c2s:\n  max_connections_per_ip: 0\n", "c2s.max_connections_per_ip"),
        ("c2s:\n  max_connections_per_ip: lots\n", "c2s.max_connections_per_ip"),
        ("c2s:\n  login_attempts_per_minute_per_ip: -1\n", "c2s.login_attempts_per_minute_per_ip"),
        ("c2s:\n  ping_interval_seconds: 1.5\n", "c2s.ping_interval_seconds"),
        ("c2s:\n  ping_timeout_seconds: 0\n", "c2s.ping_timeout_seconds"),
        ("c2s:\n  negotiation_timeout_seconds: 99999\n", "c2s.negotiation_timeout_seconds"),
        ("tls:\n  certificate: /etc/cert.pem\n", "tls.key"),
        ("tls:\n  key: /etc/key.pem\n", "tls.certificate"),
        ("storage:\n  kind: mysql\n", "storage.kind"),
        ("storage:\n  path: \"\"\n", "storage.path"),
        ("storage:\n  url: postgres://h/db\n", "storage.url"),
        ("storage:\n  kind: postgres\n  url: mysql://h/db\n", "storage.url"),
        ("registration:\n  enabled: 1\n", "registration.enabled"),
        ("registration:\n  attempts_per_hour_per_ip: 0\n", "registration.attempts_per_hour_per_ip"),
        ("http:\n  listen: nowhere\n", "http.listen"),
        ("http:\n  listen: 127.0.0.1:5222\n", "http.listen"),
        ("pubsub:\n  jid: pubsub@example.com\n", "pubsub.jid"),
        ("pubsub:\n  jid: localhost\n", "pubsub.jid"),
        ("pubsub:\n  node_creation: everyone\n", "pubsub.node_creation"),
        ("pubsub:\n  expiry_interval_seconds: 0\n", "pubsub.expiry_interval_seconds"),
        ("limits:\n  max_stanza_bytes: 9999\n", "limits.max_stanza_bytes"),
        ("limits:\n  max_stanza_bytes: 100000000\n", "limits.max_stanza_bytes"),
        ("limits:\n  max_depth: 0\n", "limits.max_depth"),
        ("limits:\n  max_depth: 100000\n", "limits.max_depth"),
        ("limits:\n  max_attributes: -5\n", "limits.max_attributes"),
        ("limits:\n  max_resources_per_account: 0\n", "limits.max_resources_per_account"),
        ("log:\n  level: verbose\n", "log.level"),
    ])
    func errorNamesKey(yaml: String, key: String) {
        let error = parseError(yaml)
        #expect(error?.key == key, "\(yaml) -> \(error.map(String.init(describing:)) ?? "no error")")
    }

    @Test func unknownKeySuggestsTheKnownOne() {
        let error = parseError("c2s:\n  listn: 127.0.0.1:5222\n")
        #expect(error?.description == "c2s.listn: unknown key (did you mean 'c2s.listen'?)")
        #expect(parseError("zzz: 1\n")?.description == "zzz: unknown key")
    }

    @Test func unknownKeyIsReportedBeforeBadValues() {
        // The typo may be why the value is wrong, so it wins.
        #expect(parseError("c2s:\n  starttls: maybe\n  listn: x\n")?.key == "c2s.listn")
    }

    @Test func postgresWithoutURL() {
        let error = parseError("storage:\n  kind: postgres\n")
        #expect(error?.key == "storage.url")
        #expect(error?.message.contains("required") == true)
    }

    @Test func postgresURLIsNotEchoed() {
        let error = parseError("storage:\n  kind: postgres\n  url: \"mysql://u:hunter2@h/db\"\n")
        #expect(error?.key == "storage.url")
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func adminErrorsNameTheEntry() {
        let bad = parseError("admins:\n  - a@example.com\n  - b@example.com\n  - \"c@@example.com\"\n")
        #expect(bad?.key == "admins[2]")
        #expect(parseError("admins: [a@example.com, example.com]\n")?.key == "admins[1]")
        #expect(parseError("admins: [a@example.com/phone]\n")?.key == "admins[0]")
        #expect(parseError("admins: [[nested]]\n")?.key == "admins[0]")
        #expect(parseError("admins: [\"@example.com\"]\n")?.key == "admins[0]")
    }

    @Test func syntaxAndFileErrors() {
        let syntax = parseError("c2s: [unclosed\n")
        #expect(syntax?.key == "")
        #expect(syntax?.message.hasPrefix("not valid YAML") == true)
        let duplicate = parseError("domain: a.example\ndomain: b.example\n")
        #expect(duplicate?.key == "")
        #expect(throws: ConfigurationError.self) {
            try StarlingConfiguration.load(path: "/nonexistent/starling.yml")
        }
    }

    @Test func nullMeansDefault() throws {
        let config = try StarlingConfiguration.parse(yaml: "domain: ~\nc2s:\n  listen: ~\n  max_connections_per_ip:\n")
        #expect(config == .defaults)
    }

    private func parseError(_ yaml: String) -> ConfigurationError? {
        do {
            _ = try StarlingConfiguration.parse(yaml: yaml)
            return nil
        } catch {
            return error
        }
    }
}
