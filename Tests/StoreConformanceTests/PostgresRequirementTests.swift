import Testing

/// CI sets `STARLING_REQUIRE_POSTGRES=1`: without a database the suite must fail, not quietly
/// run only the memory and embedded backends (STYLE.md §7).
@Suite struct PostgresRequirementTests {
    @Test func postgresIsConfiguredWhenRequired() {
        if StoreKind.postgresRequired && StoreKind.postgresURL == nil {
            Issue.record("""
                STARLING_REQUIRE_POSTGRES=1 but STARLING_TEST_POSTGRES_URL is not set: start one with \
                `ops/testenv/postgres.sh start DIR` and export the URL it prints
                """)
        }
    }
}
