import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StarlingApp

@main
struct Starling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "An XMPP publish-subscribe broker for IoT telemetry.",
        version: StarlingVersion.current,
        subcommands: [Serve.self, User.self],
        defaultSubcommand: Serve.self
    )
}

struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "YAML configuration file (default: built-in defaults, see ops/starling.example.yml).")
    var config: String?

    func load() throws -> StarlingConfiguration {
        guard let config else { return .defaults }
        do {
            return try StarlingConfiguration.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("starling: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

func bootstrapLogging(_ configuration: StarlingConfiguration) -> Logger {
    let level = configuration.log.level
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "starling")
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the broker (the default command). Without --config it serves 'localhost' with the embedded store under ./data."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.load()
        let logger = bootstrapLogging(configuration)
        let service = StarlingService(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [service],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        do {
            try await group.run()
        } catch {
            logger.critical("starling stopped: \(error)")
            throw ExitCode(1)
        }
    }
}

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts in the configured store.",
        subcommands: [Add.self, Passwd.self, Delete.self, List.self]
    )

    /// The password from --password, or one line of standard input.
    static func password(_ option: String?) throws -> String {
        if let option { return option }
        FileHandle.standardError.write(Data("password: ".utf8))
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password given (use --password or standard input)")
        }
        return line
    }

    static func run(_ options: ConfigOption, _ body: (UserAdministration) async throws -> Void) async throws {
        let configuration = try options.load()
        var logger = Logger(label: "starling")
        logger.logLevel = .warning
        do {
            try await body(UserAdministration(configuration: configuration, logger: logger))
        } catch let failure as UserAdministration.Failure {
            FileHandle.standardError.write(Data("starling: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @Argument(help: "Username (the JID localpart) or user@domain.") var username: String
        @Option(help: "Password; read from standard input when omitted.") var password: String?
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let password = try User.password(password)
            try await User.run(options) { try await $0.add(username, password: password) }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's password.")
        @Argument(help: "Username.") var username: String
        @Option(help: "New password; read from standard input when omitted.") var password: String?
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let password = try User.password(password)
            try await User.run(options) { try await $0.changePassword(username, password: password) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account and its roster.")
        @Argument(help: "Username.") var username: String
        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await User.run(options) { try await $0.delete(username) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List usernames.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await User.run(options) { admin in
                for name in try await admin.list() { print(name) }
            }
        }
    }
}
