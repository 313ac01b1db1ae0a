import Logging
import StorePostgres
import Testing

/// The pieces of the PostgreSQL store that need no server: migration file splitting and URLs.
@Suite struct PostgresSupportTests {
    @Test func splitsStatementsOutsideQuotesAndComments() throws {
        let script = SQLScript("""
            -- leading comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'semi;colon', "odd;name" int);
            /* block; /* nested; */ still comment; */
            INSERT INTO a VALUES ('it''s; fine');
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
            DO $$ BEGIN PERFORM 1; END $$;
            SELECT $1;
            -- trailing comment only
            """)
        // A comment travels with the statement after it; one alone makes none.
        try #require(script.statements.count == 5)
        #expect(script.statements[0].hasSuffix("\"odd;name\" int)"))
        #expect(script.statements[1].hasPrefix("/* block; /* nested; */ still comment; */"))
        #expect(script.statements[1].hasSuffix("INSERT INTO a VALUES ('it''s; fine')"))
        #expect(script.statements[2].hasPrefix("CREATE FUNCTION f()"))
        #expect(script.statements[2].hasSuffix("LANGUAGE plpgsql"))
        #expect(script.statements[3] == "DO $$ BEGIN PERFORM 1; END $$")
        #expect(script.statements[4] == "SELECT $1")
    }

    @Test func shippedMigrationsAreNumberedFromOne() throws {
        let migrations = try PostgresStore.knownMigrations()
        #expect(migrations.map(\.version) == Array(1...migrations.count))
        #expect(migrations.first?.name == "001_accounts")
    }

    @Test(arguments: [
        "postgres://postgres@127.0.0.1:5432/starling?sslmode=disable",
        "postgresql://user:p%40ss@db.example.com/starling?sslmode=verify-full&application_name=starling",
        "postgres://[::1]:6543/starling?sslmode=require",
        "postgres:///starling?host=/run/postgresql",
    ])
    func acceptsURL(_ url: String) throws {
        _ = try PostgresURL(url)
    }

    @Test(arguments: [
        "mysql://root@127.0.0.1/starling",
        "postgres://127.0.0.1/starling?sslmode=maybe",
        "postgres://127.0.0.1/starling?sslmod=disable",
        "postgres:///starling",
        "postgres://127.0.0.1/a/b",
    ])
    func rejectsURL(_ url: String) {
        #expect(throws: PostgresStoreError.self) { try PostgresURL(url) }
    }

    @Test func rejectsUnsafeSchemaNames() async {
        for schema in ["", "Upper", "semi;colon", "1abc", "quote\"", String(repeating: "a", count: 64)] {
            await #expect(throws: PostgresStoreError.self) {
                try await PostgresStore.connect(
                    url: "postgres://127.0.0.1:1/x?sslmode=disable", schema: schema, logger: Logger(label: "test"))
            }
        }
    }
}

extension PostgresSupportTests {
    /// A server that is not there is an error at startup, not a hang.
    @Test(.timeLimit(.minutes(1))) func connectToNothingFails() async {
        await #expect(throws: PostgresStoreError.self) {
            try await PostgresStore.connect(
                url: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
                logger: StoreLocation.logger)
        }
    }
}
