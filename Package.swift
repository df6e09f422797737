// swift-tools-version: 6.1
// OriginCheck: where did this traffic come from, and does the claim about it hold?
import PackageDescription

// Settings shared by every Swift target.
let swiftSettings: [SwiftSetting] = [
  // `any P` is spelled out wherever an existential is used.
  .enableUpcomingFeature("ExistentialAny")
]

// The per-packet path (capture, decoding, geolocation, aggregation, ingest) in release builds:
// without run-time exclusivity checks, which cost a fifth of the time per packet there. Debug
// builds, which the tests run, keep them.
let hotPathSettings: [SwiftSetting] =
  swiftSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
  name: "OriginCheck",
  products: [
    .executable(name: "origincheck", targets: ["origincheck"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // Prometheus registry and text exposition for `live --metrics`.
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
  ],
  targets: [
    // C libraries. Each is imported by exactly one Swift owner.
    .systemLibrary(
      name: "CMaxMindDB", pkgConfig: "libmaxminddb",
      providers: [.apt(["libmaxminddb-dev"])]),  // owned by Geo/MaxMindDB
    .systemLibrary(
      name: "CPcap", pkgConfig: "libpcap",
      providers: [.apt(["libpcap-dev", "zlib1g-dev"])]),  // owned by Capture

    // Addresses, networks and time: the values every stage shares.
    .target(name: "NetCore", swiftSettings: swiftSettings),
    // Geolocation: MMDB reading and writing, special-purpose ranges, countries, database builds.
    .target(name: "Geo", dependencies: ["NetCore", "CMaxMindDB"], swiftSettings: hotPathSettings),
    // Packet decoding in place over captured bytes: link layers, IPv4, IPv6. No I/O.
    .target(name: "PacketDecoding", dependencies: ["NetCore"], swiftSettings: hotPathSettings),
    // Capture sources: pcap/pcapng files (plain or gzip), standard input, live interfaces.
    .target(name: "Capture", dependencies: ["NetCore", "CPcap"], swiftSettings: hotPathSettings),
    // Aggregation into mergeable summaries; claims and verdicts.
    .target(name: "Analysis", dependencies: ["NetCore", "Geo"], swiftSettings: hotPathSettings),
    // NetFlow v5/v9 and IPFIX export datagrams decoded in place into observations. No I/O.
    .target(name: "NetFlow", dependencies: ["NetCore", "Analysis"], swiftSettings: hotPathSettings),
    // Flow logs as text and JSON (AWS VPC, Zeek, Suricata, nfdump, GCP, Azure, CSV): format detection
    // and line and record readers that turn each flow record into an observation.
    .target(name: "FlowLogs", dependencies: ["NetCore", "Analysis", "Capture"], swiftSettings: hotPathSettings),
    // Renderers: table, JSON and the other report formats.
    .target(name: "Report", dependencies: ["NetCore", "Geo", "Analysis"], swiftSettings: swiftSettings),
    // The commands, as a library so tests can reach the same code the executable runs.
    .target(
      name: "OriginCheckCLI",
      dependencies: [
        "NetCore", "Geo", "PacketDecoding", "Capture", "Analysis", "FlowLogs", "NetFlow", "Report",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: hotPathSettings),
    .executableTarget(name: "origincheck", dependencies: ["OriginCheckCLI"], swiftSettings: swiftSettings),

    // Test-data generator: writes pcap captures whose origins are known by construction.
    .executableTarget(
      name: "capgen", dependencies: ["NetCore"], path: "Tools/capgen", swiftSettings: swiftSettings),

    // Helpers shared by the test targets: temporary directories, seeded randomness, running tools.
    .target(name: "TestSupport", dependencies: ["NetCore"], path: "Tests/TestSupport"),
    .testTarget(name: "NetCoreTests", dependencies: ["NetCore", "TestSupport"]),
    .testTarget(name: "GeoTests", dependencies: ["Geo", "NetCore", "TestSupport"]),
    .testTarget(name: "PacketDecodingTests", dependencies: ["PacketDecoding", "NetCore"]),
    .testTarget(name: "CaptureTests", dependencies: ["Capture", "NetCore"]),
    .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Geo", "NetCore", "TestSupport"]),
    .testTarget(name: "NetFlowTests", dependencies: ["NetFlow", "Analysis", "Geo", "NetCore", "TestSupport"]),
    .testTarget(
      name: "FlowLogsTests", dependencies: ["FlowLogs", "Capture", "Analysis", "NetCore", "TestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(name: "CLITests", dependencies: ["OriginCheckCLI", "Geo", "NetCore", "TestSupport"]),
    // Golden files and the summary fixture they are rendered from live in Fixtures/.
    .testTarget(
      name: "ReportTests", dependencies: ["Report", "Analysis", "Geo", "NetCore", "TestSupport"], exclude: ["Fixtures"]),
  ]
)
