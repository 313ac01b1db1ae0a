import StarlingApp
import Testing

/// `bridges:` (docs/BRIDGE.md): defaults, and a bad bridge configuration stops start-up with a message
/// naming the key and the mapping (issue 5).
@Suite struct BridgeConfigurationTests {
    static let valid = """
        bridges:
          - name: plant
            mappings:
              - name: temps
                topic: sensors/+/temp
                node: sensors/{1}/temp
              - name: commands
                topic: actuators/#
                node: commands/{1}
                direction: out
                format: json
                retain: true
                clear_retained_on_retract: true
          - name: backup
            host: broker.example.com
            protocol: "5"
            username: bridge
            password: secret
            tls:
              ca_file: /etc/ca.pem
            queue_limit: 50
            jid: bridge@example.com
            mappings:
              - name: all
                topic: "#"
                node: mirror/{1}
                direction: both
                qos: 0
                format: xml
                node_config:
                  access_model: whitelist
                  max_items: 5
                  item_expire_seconds: 60
                  title: Mirror
        """

    @Test func defaultsAndValues() throws {
        let bridges = try StarlingConfiguration.parse(yaml: Self.valid).bridges
        #expect(bridges.map(\.name) == ["plant", "backup"])
        let plant = bridges[0]
        #expect(plant.host == "127.0.0.1" && plant.port == 1883 && plant.tls == nil)
        #expect(plant.clientID == "starling-plant" && plant.cleanSession == false)
        #expect(plant.protocolVersion == .v311 && plant.keepAliveSeconds == 60)
        #expect(plant.queueLimit == 100_000 && plant.jid == "mqtt.localhost")
        let temps = plant.mappings[0]
        #expect(temps.direction == .in && temps.qos == 1 && temps.format == .raw)
        #expect(temps.autoCreate && !temps.retain)
        let commands = plant.mappings[1]
        #expect(commands.direction == .out && !commands.autoCreate && commands.retain && commands.clearRetainedOnRetract)
        let backup = bridges[1]
        #expect(backup.port == 8883, "TLS changes the default port")
        #expect(backup.protocolVersion == .v5 && backup.username == "bridge" && backup.queueLimit == 50)
        #expect(backup.tls?.caFile == "/etc/ca.pem" && backup.tls?.verifyHostname == true)
        #expect(backup.jid == "bridge@example.com")
        let all = backup.mappings[0]
        #expect(all.direction == .both && all.qos == 0 && all.format == .xml)
        #expect(all.nodeConfig.accessModel == .whitelist && all.nodeConfig.maxItems == 5)
        #expect(all.nodeConfig.itemExpireSeconds == 60 && all.nodeConfig.title == "Mirror")
        #expect(try StarlingConfiguration.parse(yaml: "bridges: []\n").bridges.isEmpty)
    }

    static func bridge(_ mappings: String, extra: String = "") -> String {
        "bridges:\n  - name: plant\n\(extra)    mappings:\n\(mappings)"
    }

    static func mapping(_ lines: String) -> String {
        "      - name: m\n" + lines.split(separator: "\n").map { "        \($0)\n" }.joined()
    }

    @Test(arguments: [
        // Unknown keys, at each level, name the key.
        (bridge(mapping("topic: a/+\nnode: a/{1}\ntopik: x")), "bridges[0].mappings[0].topik", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}"), extra: "    hots: x\n"), "bridges[0].hots", nil),
        // Filter and template rules name the mapping.
        (bridge(mapping("topic: a/#/b\nnode: a/{1}")), "bridges[0].mappings[0]", "'m'"),
        (bridge(mapping("topic: a/+\nnode: a/{3}")), "bridges[0].mappings[0]", "'m'"),
        (bridge(mapping("topic: a/+\nnode: a/x{1}")), "bridges[0].mappings[0]", "'m'"),
        (bridge(mapping("topic: a/+/b/+\nnode: a/{1}\ndirection: out")), "bridges[0].mappings[0]", "'m'"),
        (bridge(mapping("topic: a/+\nnode: a/{1}\nretain: true")), "bridges[0].mappings[0]", "'m'"),
        (bridge(mapping("topic: a/+\nnode: a/{1}\nqos: 2")), "bridges[0].mappings[0].qos", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}\nformat: yaml")), "bridges[0].mappings[0].format", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}\ndirection: sideways")), "bridges[0].mappings[0].direction", nil),
        (bridge(mapping("node: a")), "bridges[0].mappings[0].topic", "'m'"),
        // Across mappings and bridges.
        (bridge(mapping("topic: a/+\nnode: a/{1}") + mapping("topic: b/+\nnode: b/{1}")),
         "bridges[0].mappings[1].name", "'m'"),
        (bridge("      - name: wide\n        topic: a/#\n        node: a/{1}\n"
                + "      - name: narrow\n        topic: a/+/x\n        node: n/{1}\n"),
         "bridges[0].mappings", "'narrow'"),
        (bridge("") , "bridges[0].mappings", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}")) + "  - name: plant\n    mappings:\n" + mapping("topic: a/+\nnode: a/{1}"),
         "bridges[1].name", nil),
        // Connection settings.
        (bridge(mapping("topic: a/+\nnode: a/{1}"), extra: "    password: p\n"), "bridges[0].password", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}"), extra: "    tls:\n      ca_file: /ca\n      cert_file: /c\n"),
         "bridges[0].tls.key_file", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}"), extra: "    tls:\n      cert_file: /c\n"), "bridges[0].tls.ca_file", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}"), extra: "    protocol: 4\n"), "bridges[0].protocol", nil),
        (bridge(mapping("topic: a/+\nnode: a/{1}"), extra: "    reconnect_min_seconds: 10\n    reconnect_max_seconds: 5\n"),
         "bridges[0].reconnect_max_seconds", nil),
        ("bridges:\n  - mappings: []\n", "bridges[0].name", nil),
        ("bridges: plant\n", "bridges", nil),
    ] as [(String, String, String?)])
    func badConfigurationNamesKeyAndMapping(yaml: String, key: String, mentions: String?) {
        do {
            _ = try StarlingConfiguration.parse(yaml: yaml)
            Issue.record("accepted:\n\(yaml)")
        } catch {
            #expect(error.key == key, "\(yaml)\n-> \(error)")
            if let mentions { #expect(error.description.contains(mentions), "\(error)") }
        }
    }
}
