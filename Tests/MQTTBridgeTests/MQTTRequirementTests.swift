import Testing

/// CI sets `STARLING_REQUIRE_MQTT=1`: without a broker the MQTT suite must fail, not quietly skip
/// the broker tests (STYLE.md §7, §10).
@Suite struct MQTTRequirementTests {
    @Test func brokerIsConfiguredWhenRequired() {
        if MQTTTestEnvironment.required && MQTTTestEnvironment.port == nil {
            Issue.record("""
                STARLING_REQUIRE_MQTT=1 but STARLING_TEST_MQTT_PORT is not set: start a broker with \
                `ops/testenv/mosquitto.sh start DIR` and export the port it prints
                """)
        }
    }
}
