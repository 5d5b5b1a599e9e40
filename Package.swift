// swift-tools-version: 6.0
import PackageDescription

/// The numeric kernels are optimized in debug builds too: unoptimized SIMD lanes and
/// pointer loops run tens of times slower, which would make every training test crawl.
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Ringmaster",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ringmaster", targets: ["ringmaster"]),
        .executable(name: "ringmaster-parallel-checks", targets: ["RingmasterParallelChecks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // C libraries, each wrapped exactly once.
        .systemLibrary(
            name: "CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // Value types and seams; imports no C library.
        .target(name: "RingmasterCore"),
        .target(name: "Tensors", dependencies: ["CBLAS"], swiftSettings: kernelSettings),
        .target(name: "Collectives", dependencies: ["CMPI", "RingmasterCore"]),
        .target(
            name: "Datasets",
            dependencies: ["RingmasterCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Learning",
            dependencies: [
                "RingmasterCore", "Tensors",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: kernelSettings),
        // Feature profiles and drift statistics (PSI, KS, Jensen–Shannon, Wasserstein).
        .target(name: "Monitoring", dependencies: ["RingmasterCore"]),
        .target(
            name: "Training",
            dependencies: [
                "RingmasterCore", "Tensors", "Datasets", "Learning", "Monitoring",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "Tuning",
            dependencies: ["RingmasterCore", "Training", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "MetadataSQLite",
            dependencies: [
                "RingmasterCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "MetadataPostgres",
            dependencies: [
                "RingmasterCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Reads MLflow's SQLite tracking database into any MetadataStore.
        .target(
            name: "MLflowInterchange",
            dependencies: ["RingmasterCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Generators for cluster launches (Slurm scripts, Kubeflow MPIJobs, the container image).
        .target(
            name: "Deploy",
            dependencies: ["RingmasterCore", "Training", .product(name: "Yams", package: "Yams")]),
        // Traffic policies of the model server (canary, shadow, A/B, bandits): pure logic, no HTTP.
        .target(
            name: "TrafficPolicies",
            dependencies: ["RingmasterCore", .product(name: "Yams", package: "Yams")]),
        // Continuous-training pipelines: YAML specs, the step runner with its cache, gates, triggers.
        .target(
            name: "Pipelines",
            dependencies: [
                "RingmasterCore", "Datasets", "Training", "Monitoring",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // `ringmaster ui`: the web dashboard over the metadata store (server-rendered HTML and SVG).
        .target(
            name: "Dashboard",
            dependencies: [
                "RingmasterCore", "Datasets", "Learning", "Monitoring", "Tuning", "TrafficPolicies",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // Reads a model server's statistics; pure NIO, so the binary needs no libcurl.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // The model server: Open Inference Protocol v2 and MLflow scoring over Hummingbird.
        .target(
            name: "Serving",
            dependencies: [
                "RingmasterCore", "Tensors", "Learning", "TrafficPolicies", "Monitoring",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "ringmaster",
            dependencies: [
                "RingmasterCore", "Tensors", "Collectives", "Datasets", "Learning", "Training",
                "MetadataSQLite", "MetadataPostgres", "MLflowInterchange", "Tuning", "Deploy", "Monitoring", "Pipelines",
                "Dashboard", "Serving", "TrafficPolicies",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Runs the communicator conformance suite under `mpirun`; launched by CollectivesTests.
        .executableTarget(
            name: "RingmasterParallelChecks",
            dependencies: ["RingmasterCore", "Collectives", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["RingmasterCore"]),

        .testTarget(name: "RingmasterCoreTests", dependencies: ["RingmasterCore", "TestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "Tensors", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Collectives", "MetadataSQLite", "TestSupport"]),
        .testTarget(
            name: "MetadataSQLiteTests",
            dependencies: ["MetadataSQLite", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "MetadataPostgresTests",
            dependencies: [
                "MetadataPostgres", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(name: "TrafficPoliciesTests", dependencies: ["TrafficPolicies", "RingmasterCore", "TestSupport"]),
        .testTarget(
            name: "MonitoringTests", dependencies: ["Monitoring", "TestSupport"],
            // Reference values computed with SciPy, and the script that computes them.
            exclude: ["Fixtures"]),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Dashboard", "MetadataSQLite", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "ServingTests",
            dependencies: [
                "Serving", "Learning", "RingmasterCore", "TestSupport", "TrafficPolicies", "Monitoring", "Dashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "TuningTests", dependencies: ["Tuning", "TestSupport"]),
        .testTarget(name: "PipelinesTests", dependencies: ["Pipelines", "MetadataSQLite", "TestSupport"]),
        .testTarget(
            name: "DeployTests",
            dependencies: ["Deploy", "TestSupport", .product(name: "Yams", package: "Yams")]),
        // The store is opened directly only to set up what training cannot record (lineage edges, imported runs).
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "RingmasterCore", "MetadataSQLite"]),
        .testTarget(
            name: "MLflowInterchangeTests",
            dependencies: [
                "MLflowInterchange", "MetadataSQLite", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // The fixture database and the script that makes it with MLflow; tests find them by path.
            exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
