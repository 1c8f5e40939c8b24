// swift-tools-version: 6.1
import Foundation
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    // Release builds skip the dynamic exclusivity checks (about 70 per proxied request, a swift_beginAccess
    // and swift_endAccess each); debug builds, which run the tests, keep them and trap on any violation.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "tollgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tollgate", targets: ["tollgate"]),
        .library(name: "TollgateHTTP", targets: ["TollgateHTTP"]),
        .library(name: "TollgateRules", targets: ["TollgateRules"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C shims: epoll and accept4 are missing from Swift's Glibc module.
        .target(name: "CTollgateSystem"),
        // The only target that sees libpcre2-8.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),

        // The allocator of the executable (Debian's libmimalloc-dev; see Sources/tollgate/Allocator.swift).
        .systemLibrary(name: "CMimalloc", providers: [.apt(["libmimalloc-dev"])]),

        // Pure libraries: no I/O.
        .target(name: "TollgateHTTP", swiftSettings: swiftSettings),
        .target(
            name: "TollgateConfig",
            dependencies: [.product(name: "Yams", package: "Yams"), "TollgateHTTP"],
            swiftSettings: swiftSettings
        ),
        .target(name: "TollgateRegex", dependencies: ["CPCRE2"], swiftSettings: swiftSettings),
        .target(name: "TollgateRules", dependencies: ["TollgateRegex", "TollgateHTTP"], swiftSettings: swiftSettings),
        .target(name: "TollgateLimiter", swiftSettings: swiftSettings),
        .target(
            name: "TollgateMetrics",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // I/O: the Dispatch/epoll proxy.
        .target(
            name: "TollgateProxy",
            dependencies: [
                "CTollgateSystem", "TollgateHTTP", "TollgateConfig", "TollgateRules", "TollgateRegex", "TollgateLimiter",
                "TollgateMetrics", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The go-ftw regression runner (in process, through the same parser and engine).
        .target(
            name: "TollgateFTW",
            dependencies: ["TollgateHTTP", "TollgateRules", "TollgateConfig", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tollgate",
            dependencies: [
                "TollgateProxy", "TollgateConfig", "TollgateFTW", "TollgateRules", "TollgateMetrics",
                .target(name: "CMimalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "TollgateHTTPTests",
            dependencies: ["TollgateHTTP", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Corpus")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TollgateConfigTests", dependencies: ["TollgateConfig"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TollgateLimiterTests",
            dependencies: ["TollgateLimiter", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by test targets (a strict Prometheus text parser, external validators).
        .target(name: "TollgateTestSupport", path: "Tests/TollgateTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "TollgateMetricsTests",
            dependencies: [
                "TollgateMetrics", "TollgateTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TollgateRegexTests", dependencies: ["TollgateRegex"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TollgateRulesTests",
            dependencies: ["TollgateRules", "TollgateFTW", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TollgateProxyTests",
            dependencies: [
                "TollgateProxy", "TollgateConfig", "TollgateHTTP", "TollgateLimiter", "TollgateRules", "TollgateMetrics",
                "TollgateTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Microbenchmarks (ordo-one/benchmark), only when asked so normal builds and CI stay fast:
//   TOLLGATE_BENCHMARKS=1 swift package --disable-sandbox benchmark      (see Benchmarks/README.md)
if ProcessInfo.processInfo.environment["TOLLGATE_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"), "TollgateHTTP", "TollgateLimiter", "TollgateMetrics",
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
    // Rule evaluation with CRS loaded: needs the rule engine (Sources/TollgateRules/Engine). SwiftPM caches
    // evaluated manifests; `--manifest-cache none` sees a newly arrived engine (check-allocations.sh uses it).
    let engineSource = Context.packageDirectory + "/Sources/TollgateRules/Engine/Engine.swift"
    if FileManager.default.fileExists(atPath: engineSource) {
        package.targets.append(
            .executableTarget(
                name: "RulesBenchmarks",
                dependencies: [.product(name: "Benchmark", package: "benchmark"), "TollgateHTTP", "TollgateRules"],
                path: "Benchmarks/RulesBenchmarks",
                plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
            ))
    }
}
