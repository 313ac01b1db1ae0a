// swift-tools-version: 6.1
// Starling: an XMPP publish-subscribe broker for IoT telemetry.
// Module cut and import rules: docs/ARCHITECTURE.md (checked by
// `swift build --explicit-target-dependency-import-check error`).
import PackageDescription

let package = Package(
    name: "Starling",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .executable(name: "starling", targets: ["starling"]),
        .executable(name: "starling-bench", targets: ["StarlingBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Bridge counters (issue 5); already in the graph through postgres-nio, so no extra build.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),

        // MARK: MQTT bridge (libmosquitto wrapper, topic <-> node mapping)
        .target(
            name: "MQTTBridge",
            dependencies: [
                "CMosquitto", "PubSub", "PubSubXMPP", "XMPPCore", "XMPPStream",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // MARK: Values
        .target(name: "XMPPCore"),

        // MARK: XML stream (libxml2 push parser, serializer)
        .target(
            name: "XMPPStream",
            dependencies: [
                "XMPPCore", "CLibXML2",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // MARK: Publish-subscribe domain (XEP-0060, XEP-0248): no XML, NIO or SQL
        // SE-0461: nonisolated async functions run on the caller's executor, so the service actor's
        // awaits on the caching store and group commit do not hop to the global pool and back.
        .target(
            name: "PubSub", dependencies: ["XMPPCore"],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // XEP-0060/0004 wire codecs: IQ <-> PubSubCommand, results, errors, notifications.
        // XMPPStream for byte-exact payloads (items are stored as serialized bytes).
        .target(
            name: "PubSubXMPP",
            dependencies: ["PubSub", "XMPPCore", "XMPPStream", .product(name: "NIOCore", package: "swift-nio")]
        ),

        // MARK: Accounts and rosters: domain values + storage protocols
        .target(name: "Accounts", dependencies: ["XMPPCore"]),

        // MARK: SASL mechanisms (SCRAM-SHA-1/256, PLAIN) as pure state machines
        .target(
            name: "SASL",
            dependencies: [
                "Accounts",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),

        // MARK: Storage backends
        .target(
            name: "StoreEmbedded",
            dependencies: [
                "Accounts", "PubSub", "XMPPCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "StorePostgres",
            dependencies: [
                "Accounts", "PubSub", "XMPPCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: The server: NIO pipeline, C2S state machine, router, IM modules
        .target(
            name: "XMPPServer",
            dependencies: [
                "XMPPCore", "XMPPStream", "SASL", "Accounts",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Wiring: configuration, certificates, service group
        .target(
            name: "StarlingApp",
            dependencies: [
                "XMPPCore", "XMPPStream", "XMPPServer", "Accounts", "SASL", "PubSub", "PubSubXMPP",
                "StoreEmbedded", "StorePostgres", "MQTTBridge",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "starling",
            dependencies: [
                "StarlingApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Load generator (standard XMPP only, so it runs against Prosody and ejabberd too)
        .executableTarget(
            name: "StarlingBench",
            dependencies: [
                "XMPPCore", "XMPPStream", "SASL", "Accounts",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/StarlingBench"
        ),

        // MARK: Tests
        .target(
            name: "XMPPTestSupport",
            dependencies: ["XMPPCore", "XMPPStream", "SASL", "Accounts",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Tests/XMPPTestSupport"
        ),
        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore"]),
        .testTarget(
            name: "StarlingBenchTests",
            dependencies: [
                "StarlingBench",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "PubSubTests", dependencies: ["PubSub", "XMPPCore"]),
        .testTarget(name: "MQTTBridgeTests", dependencies: ["MQTTBridge", "PubSub", "PubSubXMPP", "XMPPCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "MetricsTestKit", package: "swift-metrics")]),
        .testTarget(name: "PubSubXMPPTests", dependencies: ["PubSubXMPP", "PubSub", "XMPPCore", "XMPPStream",
            .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "XMPPStreamTests", dependencies: ["XMPPStream", "XMPPCore", "XMPPTestSupport",
            .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "SASLTests", dependencies: ["SASL", "Accounts"]),
        .testTarget(
            name: "StoreConformanceTests",
            dependencies: ["Accounts", "PubSub", "XMPPCore", "StoreEmbedded", "StorePostgres",
                .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "XMPPServerTests",
            dependencies: ["XMPPServer", "XMPPCore", "XMPPStream", "SASL", "Accounts", "XMPPTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl")]
        ),
        .testTarget(
            name: "StarlingAppTests",
            dependencies: ["StarlingApp", "XMPPCore", "XMPPStream", "XMPPServer", "Accounts", "PubSub", "XMPPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOEmbedded", package: "swift-nio")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
