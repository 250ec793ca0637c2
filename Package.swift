// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "trustaudit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trustaudit", targets: ["trustaudit"]),
        .library(name: "TrustAuditCore", targets: ["TrustAuditCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Turns Migrations/*.sql and Policies/*.yml into Swift string literals at build time,
        // so a copied binary carries its schema and policies with it.
        .executableTarget(name: "EmbedResources", path: "Sources/EmbedResources"),
        .plugin(
            name: "EmbedResourcesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedResources"],
            path: "Sources/EmbedResourcesPlugin"
        ),
        // The one SQLite setting Swift cannot make (`sqlite3_config` is variadic).
        .target(name: "SQLiteSettings", path: "Sources/SQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "TrustAuditCore",
            dependencies: [
                "SQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Sources/TrustAuditCore",
            // Compiled in by EmbedResourcesPlugin rather than shipped as a resource bundle.
            exclude: ["Report/Assets"],
            plugins: ["EmbedResourcesPlugin"]
        ),
        .executableTarget(
            name: "trustaudit",
            dependencies: [
                "TrustAuditCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/trustaudit"
        ),
        .executableTarget(name: "trustaudit-bench", dependencies: ["TrustAuditCore"], path: "Benchmarks/Sources/trustaudit-bench"),
        .executableTarget(name: "trustaudit-collect-bench", dependencies: ["TrustAuditCore"], path: "Benchmarks/Sources/trustaudit-collect-bench"),
        .testTarget(
            name: "TrustAuditCoreTests",
            dependencies: ["TrustAuditCore", .product(name: "_CryptoExtras", package: "swift-crypto")],
            path: "Tests/TrustAuditCoreTests",
            exclude: ["Fixtures"]
        ),
    ]
)
