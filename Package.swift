// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "scalectl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scalectl", targets: ["scalectl"]),
        .executable(name: "scalectl-bench", targets: ["ScaleBench"]),
        .executable(name: "scalectl-fuzz", targets: ["ScaleFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(name: "CSpawn"),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(
            name: "ScaleCore",
            dependencies: ["CSpawn", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(name: "ScaleSQLite", dependencies: [.product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .target(
            name: "ScaleStore",
            dependencies: ["ScaleCore", "ScaleSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The shared store for two or more hosts; only the app and the tests depend on it.
        .target(
            name: "ScalePostgres",
            dependencies: [
                "ScaleCore", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "ScaleCalendar", swiftSettings: strict),
        .target(name: "ScaleSigV4", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .target(
            name: "ScaleProviders",
            dependencies: ["ScaleCore", "ScaleSigV4", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The simulated cloud keeps its own state file, like a real cloud keeps its own state.
        .target(
            name: "ScaleSim",
            dependencies: [
                "ScaleCore", "ScaleSQLite", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ScaleAlerts",
            dependencies: [
                "ScaleCore", "CCurl", "CCurlShim",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ScaleApp",
            dependencies: [
                "ScaleCore", "ScaleStore", "ScalePostgres", "ScaleProviders", "ScaleSim", "ScaleAlerts", "ScaleCalendar",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "scalectl",
            dependencies: [
                "ScaleApp", "ScaleCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ScaleBench",
            dependencies: ["ScaleCore", "ScaleStore", "ScaleSim", "ScaleApp", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .executableTarget(name: "ScaleFuzz", dependencies: ["ScaleApp"], swiftSettings: strict),
        .target(
            name: "ScaleTesting",
            dependencies: ["ScaleCore", "ScaleStore", "ScalePostgres", "ScaleProviders", "ScaleSim", "ScaleApp"],
            swiftSettings: strict
        ),
        .testTarget(name: "ScaleCoreTests", dependencies: ["ScaleCore", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "ScaleStoreTests", dependencies: ["ScaleStore", "ScalePostgres", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "ScaleProvidersTests", dependencies: ["ScaleSim", "ScaleStore", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "ScaleAppTests", dependencies: ["ScaleApp", "ScalePostgres", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "ScaleCalendarTests", dependencies: ["ScaleCalendar", "ScaleTesting"], exclude: ["Calendars"], swiftSettings: strict),
        .testTarget(name: "SigV4Tests", dependencies: ["ScaleSigV4", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "AWSTests", dependencies: ["ScaleProviders", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "HetznerTests", dependencies: ["ScaleProviders", "ScaleApp", "ScaleStore", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "DigitalOceanTests", dependencies: ["ScaleProviders", "ScaleApp", "ScaleTesting"], swiftSettings: strict),
        .testTarget(name: "ScaleAlertsTests", dependencies: ["ScaleAlerts", "ScaleStore", "ScaleTesting"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ScaleTesting", "ScaleProviders", "ScaleSim", "ScaleStore", "ScalePostgres", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
