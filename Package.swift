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
        .target(
            name: "Training",
            dependencies: [
                "RingmasterCore", "Tensors", "Datasets", "Learning",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "Tuning", dependencies: ["RingmasterCore"]),
        .target(
            name: "MetadataSQLite",
            dependencies: [
                "RingmasterCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "ringmaster",
            dependencies: [
                "RingmasterCore", "Tensors", "Collectives", "Datasets", "Learning", "Training",
                "MetadataSQLite", "Tuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .testTarget(name: "TrainingTests", dependencies: ["Training", "MetadataSQLite", "TestSupport"]),
        .testTarget(
            name: "MetadataSQLiteTests",
            dependencies: ["MetadataSQLite", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TuningTests", dependencies: ["Tuning", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
