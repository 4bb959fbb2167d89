// swift-tools-version:6.1
// MLAudit: a batch audit pipeline for machine-learning models in production.
// The target graph follows the rooms of docs/architecture.md: value types at the bottom,
// pure numerics beside them, the warehouse above, one target per stage, orchestration, and
// a thin executable on top. Stages never import one another.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "MLAudit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mlaudit", targets: ["mlaudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The PostgreSQL warehouse (WarehousePostgres only; the stages never import it).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.25.0"),
    ],
    targets: [
        // Value types shared by every room. Foundation only.
        .target(name: "AuditModel", swiftSettings: swiftSettings),
        // Pure numerics: distributions, tests, distances, metrics. Standard library only.
        .target(name: "Statistics", swiftSettings: swiftSettings),
        // Reads pipeline definitions (strict YAML with line numbers) into AuditModel types.
        .target(
            name: "Definition",
            dependencies: ["AuditModel", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // The SQLite warehouse: migrations, typed reads and writes, the run ledger.
        .target(
            name: "Warehouse",
            dependencies: [
                "AuditModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        // The PostgreSQL warehouse over postgres-nio: the URL and password rules, a synchronous
        // session facade, migrations with their ledger, the pipeline's advisory lock, COPY.
        // Only Pipeline and the executable link it; the stages never import it.
        .target(
            name: "WarehousePostgres",
            dependencies: [
                "AuditModel", "Warehouse",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The system zlib, for gzip snapshots (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The system Snappy, Zstandard and LZ4, for compressed Parquet pages (Debian:
        // libsnappy-dev, libzstd-dev, liblz4-dev).
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", providers: [.apt(["liblz4-dev"])]),
        // The five stages. Each reads what earlier stages wrote and writes its own tables.
        .target(
            name: "Ingest",
            dependencies: [
                "AuditModel", "Warehouse", "CZlib", "CSnappy", "CZstd", "CLZ4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Validate",
            dependencies: [
                "AuditModel", "Statistics", "Warehouse",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Profile",
            dependencies: [
                "AuditModel", "Statistics", "Warehouse",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Compare",
            dependencies: [
                "AuditModel", "Statistics", "Warehouse",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Render",
            dependencies: [
                "AuditModel", "Warehouse", "BuildInfo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            exclude: ["Templates"],
            swiftSettings: swiftSettings, plugins: ["EmbedTemplates"]),
        // The report templates, embedded in the binary as strings (Render/Templates/*.mustache).
        .plugin(name: "EmbedTemplates", capability: .buildTool()),
        // What the binary was built from (the source commit), written by the SourceCommit plugin.
        .plugin(name: "SourceCommit", capability: .buildTool()),
        .target(name: "BuildInfo", swiftSettings: swiftSettings, plugins: ["SourceCommit"]),
        // Checks the audit trail: report files, manifests, the hash chain and the report ledger.
        .target(
            name: "Verify",
            dependencies: [
                "AuditModel", "Warehouse", "Render",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        // Drafts a pipeline definition from a data file (`mlaudit init`): schema inference and
        // constraint suggestion over the ingest's reader and value parsers.
        .target(name: "Draft", dependencies: ["AuditModel", "Definition", "Ingest", "Statistics"], swiftSettings: swiftSettings),
        // The deterministic demo data set (a credit-default classifier's serving log).
        .target(name: "Demo", dependencies: ["AuditModel", "CSnappy"], swiftSettings: swiftSettings),
        // Orchestration: due dates, stage order, ledger, exit status.
        .target(
            name: "Pipeline",
            dependencies: [
                "AuditModel", "Definition", "Warehouse",
                "Ingest", "Validate", "Profile", "Compare", "Render", "Draft",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The command line, and nothing else.
        .executableTarget(
            name: "mlaudit",
            dependencies: [
                "AuditModel", "Definition", "Pipeline", "Demo", "Render", "Verify", "Ingest", "Draft",
                // The PostgreSQL warehouse, registered at start (MLAudit.main); no stage imports it.
                "WarehousePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The benchmarks behind `make bench` (not installed; numbers in docs/benchmarks.md).
        .executableTarget(
            name: "mlaudit-bench",
            dependencies: [
                "AuditModel", "Definition", "Warehouse", "Ingest", "Validate", "Profile", "Compare", "Statistics", "Demo",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // Test support shared by the test targets (temporary directories, fixtures).
        .target(
            name: "TestSupport",
            dependencies: ["AuditModel", "Definition", "Warehouse", "Demo", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "TestSupport"],
                    resources: [.copy("Reference")], swiftSettings: swiftSettings),
        .testTarget(name: "DefinitionTests", dependencies: ["Definition", "AuditModel", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "AuditModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "WarehousePostgresTests", dependencies: ["WarehousePostgres", "Warehouse", "AuditModel", "TestSupport",
                                                                 .product(name: "Logging", package: "swift-log"),
                                                                 .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                                                                 .product(name: "PostgresNIO", package: "postgres-nio")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Warehouse", "AuditModel", "Definition", "TestSupport", "Demo",
                                                      .product(name: "GRDB", package: "GRDB.swift")],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "ValidateTests", dependencies: ["Validate", "Ingest", "Profile", "Warehouse", "AuditModel", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "ProfileTests", dependencies: ["Profile", "Ingest", "Warehouse", "AuditModel", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "CompareTests", dependencies: ["Compare", "Profile", "Validate", "Ingest", "Warehouse", "AuditModel", "Statistics", "Definition", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Verify", "Compare", "Profile", "Validate", "Ingest", "Warehouse", "AuditModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Golden"], swiftSettings: swiftSettings),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Demo", "Definition", "Draft", "Warehouse", "AuditModel", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "mlaudit", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swiftSettings),
        .testTarget(name: "DraftTests", dependencies: ["Draft", "Definition", "Demo", "AuditModel", "TestSupport", .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
    ]
)
