// swift-tools-version:6.1
import PackageDescription

// Targets follow the flow of a plate read: values → ingest → index → detectors → storage →
// engine → queries → the `ringwatch` executable. C libraries come in as system-library targets.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

// The read path's targets (every read passes through them, up to hundreds of thousands a
// second), in release builds:
// - leave out Swift's run-time exclusivity checks: the compiler still proves exclusive access
//   where it can, and debug builds (the tests) keep every check, so an overlapping access is
//   still caught there;
// - optimise across modules, so a detector inlines the window's and the registry's small
//   functions and specialises their generics.
// See docs/architecture.md ("No pause for growth or sweeping") and docs/performance.md.
let readPathSettings: [SwiftSetting] = strictSettings + [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "ringwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ringwatch", targets: ["ringwatch"]),
        .executable(name: "ringwatch-bench", targets: ["ringwatch-bench"]),
        .library(name: "RingwatchEngine", targets: ["RingwatchEngine"]),
        .library(name: "RingwatchSimulator", targets: ["RingwatchSimulator"]),
        // For the micro-benchmark package in Benchmarks/, which measures the hot functions one by one.
        .library(name: "RingwatchCore", targets: ["RingwatchCore"]),
        .library(name: "RingwatchIngest", targets: ["RingwatchIngest"]),
        .library(name: "RingwatchIndex", targets: ["RingwatchIndex"]),
        .library(name: "RingwatchRegistry", targets: ["RingwatchRegistry"]),
        .library(name: "RingwatchDetectors", targets: ["RingwatchDetectors"]),
        .library(name: "RingwatchStorage", targets: ["RingwatchStorage"]),
        .library(name: "RingwatchTesting", targets: ["RingwatchTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries.
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // A prefetch hint (a static inline C function; nothing to link).
        .systemLibrary(name: "CPrefetch"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // Thin Swift wrappers that hide every OpaquePointer.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: readPathSettings),
        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: readPathSettings),

        // Plates, reads, cameras, triggers: pure values, no I/O.
        .target(name: "RingwatchCore", swiftSettings: readPathSettings),
        // Decoding and validating reads off the wire.
        .target(name: "RingwatchIngest", dependencies: ["RingwatchCore", "CPrefetch"], swiftSettings: readPathSettings),
        // The time-partitioned in-memory window of recent reads.
        .target(name: "RingwatchIndex", dependencies: ["RingwatchCore"], swiftSettings: readPathSettings),
        // The vehicle registry (DIV): compact plate → vehicle store, spelling tables, misreads.
        .target(name: "RingwatchRegistry", dependencies: ["RingwatchCore"], swiftSettings: readPathSettings),
        // Detectors: read in, triggers out.
        .target(
            name: "RingwatchDetectors",
            dependencies: ["RingwatchCore", "RingwatchIndex", "RingwatchRegistry"],
            swiftSettings: readPathSettings
        ),
        // SQLite history: schema, batched writer, queries.
        .target(
            name: "RingwatchStorage",
            dependencies: ["RingwatchCore", "SQLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: readPathSettings
        ),
        // The running engine: sockets, threads, lifecycle, configuration.
        .target(
            name: "RingwatchEngine",
            dependencies: [
                "RingwatchCore", "RingwatchIngest", "RingwatchIndex", "RingwatchRegistry", "RingwatchDetectors",
                "RingwatchStorage", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: readPathSettings
        ),
        // Synthetic three-ring traffic with planted events and their ground truth.
        .target(name: "RingwatchSimulator", dependencies: ["RingwatchCore"], swiftSettings: strictSettings),
        // Analysts' queries: audit, access periods, output formats.
        .target(
            name: "RingwatchQuery",
            dependencies: ["RingwatchCore", "RingwatchStorage", "RingwatchDetectors", "RingwatchRegistry"],
            swiftSettings: strictSettings
        ),
        // The analyst's report: one self-contained HTML page about a vehicle.
        .target(
            name: "RingwatchReport",
            dependencies: ["RingwatchCore", "RingwatchStorage", "RingwatchQuery", "RingwatchDetectors"],
            swiftSettings: strictSettings
        ),
        // The executable: parses arguments and wires the libraries together.
        .executableTarget(
            name: "ringwatch",
            dependencies: [
                "RingwatchEngine", "RingwatchQuery", "RingwatchReport", "RingwatchSimulator", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Release-mode benchmarks (see docs/performance.md).
        .executableTarget(
            name: "ringwatch-bench",
            dependencies: [
                "RingwatchEngine", "RingwatchQuery", "RingwatchRegistry", "RingwatchDetectors", "RingwatchSimulator", "RingwatchTesting", "ZeroMQ",
            ],
            swiftSettings: strictSettings
        ),
        // libFuzzer targets for the read and control decoders (scripts/fuzz.sh).
        .executableTarget(
            name: "ringwatch-fuzz",
            dependencies: [
                "RingwatchEngine", "RingwatchIngest", "RingwatchCore", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Test kit: temporary databases, free ports, the real binary as a subprocess.
        .target(
            name: "RingwatchTesting",
            dependencies: ["RingwatchCore", "ZeroMQ"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RingwatchTests",
            dependencies: [
                "RingwatchCore", "RingwatchIngest", "RingwatchIndex", "RingwatchRegistry", "RingwatchDetectors",
                "RingwatchStorage", "RingwatchEngine", "RingwatchQuery", "RingwatchReport", "RingwatchSimulator", "RingwatchTesting",
                "ZeroMQ", "SQLite",
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
