// swift-tools-version:6.1
import PackageDescription

// Ringwatch's micro-benchmarks (ordo-one/benchmark): the hot functions one by one, per read.
// A package of its own, so the main package's build and tests never see it. Run it with
// scripts/microbench.sh (see README.md here).
let package = Package(
    name: "RingwatchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a package found by path is otherwise named after its folder.
        .package(name: "ringwatch", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Fixed-seed fixtures shared by the suites: read bodies, simulated traffic, the hotlist
        // and the registry, and a replay that keeps detectors in steady state.
        .target(
            name: "RingwatchBenchmarkSupport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RingwatchCore", package: "ringwatch"),
                .product(name: "RingwatchIngest", package: "ringwatch"),
                .product(name: "RingwatchIndex", package: "ringwatch"),
                .product(name: "RingwatchRegistry", package: "ringwatch"),
                .product(name: "RingwatchDetectors", package: "ringwatch"),
                .product(name: "RingwatchSimulator", package: "ringwatch"),
                .product(name: "RingwatchTesting", package: "ringwatch"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)

/// One executable per area, under Benchmarks/<Name>/ as the benchmark plugin expects.
let suites: [(name: String, products: [String], others: [Target.Dependency])] = [
    ("Ingest", ["RingwatchCore", "RingwatchIngest"], []),
    ("Window", ["RingwatchCore", "RingwatchIndex"], []),
    ("Detectors", ["RingwatchCore", "RingwatchDetectors", "RingwatchRegistry"], []),
    ("Triggers", ["RingwatchCore", "RingwatchDetectors", "RingwatchStorage"], []),
    ("Storage", ["RingwatchCore", "RingwatchStorage", "RingwatchTesting"], [.product(name: "Logging", package: "swift-log")]),
]
for suite in suites {
    package.targets.append(
        .executableTarget(
            name: suite.name,
            dependencies: [.product(name: "Benchmark", package: "benchmark"), "RingwatchBenchmarkSupport"]
                + suite.products.map { .product(name: $0, package: "ringwatch") } + suite.others,
            path: "Benchmarks/\(suite.name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}
