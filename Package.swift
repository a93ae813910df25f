// swift-tools-version: 6.1
import PackageDescription

/// One set of Swift settings for every Swift target: Swift 6 language mode plus the upcoming features we rely on.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Decide",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "decide", targets: ["decide"]),
        .library(name: "LuaRuntime", targets: ["LuaRuntime"]),
        .library(name: "DecisionEngine", targets: ["DecisionEngine"]),
        .library(name: "DecideStore", targets: ["DecideStore"]),
        .library(name: "RunEngine", targets: ["RunEngine"]),
        .library(name: "DecideText", targets: ["DecideText"]),
        .library(name: "DecideRepl", targets: ["DecideRepl"]),
        .library(name: "DecideServer", targets: ["DecideServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // Debian's liblua5.4-dev ships the library twice; the static archive, linked whole into each binary, runs
        // flows 10–16% faster than the shared object (docs/performance.md). The shared one stays named by
        // pkg-config and the module map, and goes unused.
        .target(
            name: "CLuaSandbox",
            dependencies: ["CLua"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--whole-archive", "-Xlinker", "-l:liblua5.4.a", "-Xlinker", "--no-whole-archive"])]
        ),
        .target(
            name: "LuaRuntime", dependencies: ["CLua", "CLuaSandbox"], resources: [.copy("Lua")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DecisionEngine", dependencies: ["LuaRuntime", "DecideStore"], resources: [.copy("Lua")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DecideStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RunEngine",
            dependencies: ["DecisionEngine", "DecideStore", "LuaRuntime"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DecideText",
            dependencies: ["DecisionEngine", "DecideStore", "RunEngine"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DecideRepl",
            dependencies: ["CEditLine", "DecideText", "DecisionEngine", "DecideStore", "LuaRuntime", "RunEngine"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DecideServer",
            dependencies: [
                "RunEngine", "DecisionEngine", "DecideStore", "LuaRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "decide",
            dependencies: [
                "DecisionEngine", "DecideStore", "RunEngine", "DecideText", "DecideRepl", "DecideServer", "LuaRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "decide-bench",
            dependencies: ["DecisionEngine", "DecideStore", "LuaRuntime", "RunEngine"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["DecideStore", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/TestSupport", swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReplTests",
            dependencies: ["DecideRepl", "DecideStore", "LuaRuntime", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DecisionEngineTests",
            dependencies: ["DecisionEngine", "DecideStore", "LuaRuntime"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RunEngineTests",
            dependencies: [
                "RunEngine", "DecisionEngine", "DecideStore", "LuaRuntime", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DecideServerTests",
            dependencies: [
                "DecideServer", "RunEngine", "DecisionEngine", "DecideStore", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DecideStoreTests",
            dependencies: [
                "DecideStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ]
)
