// swift-tools-version:6.1
import PackageDescription

// Module map (tests mirror modules in Tests/<Module>Tests; the package module's are
// ScrubjayPackagingTests, because SwiftPM reserves ScrubjayPackageTests for itself):
//   C*               system libraries from Debian, found with pkg-config
//   ScrubjayNative   the one place that calls C: PCRE2, libarchive, OpenSSL, zlib
//   ScrubjayIO       reading files, writing them atomically (temporary file, then rename)
//   ScrubjayJSON     byte-level JSON engine for replay events (no Foundation on the hot path)
//   ScrubjayFormats  replay formats: the containers recordings arrive in, what an event means
//   ScrubjayDOM      the page as it is at each event (DOM mirror) and CSS selectors over it
//   ScrubjayRules    the rule engine: rule packs (YAML), validators, matching, actions (docs/RULES.md)
//   ScrubjayPackage  the portable replay package: manifest, events, assets (docs/FORMAT.md)
//   ScrubjayProvenance  signed statements: DSSE envelopes, in-toto statements, key files (docs/MANIFEST.md)
//   ScrubjayPolicy   residency and compliance policies (YAML), the facts they judge, their evaluation (docs/POLICIES.md)
//   ScrubjayVerify   the offline verifier: archive safety, checksums, signatures, coverage, chain (docs/VERIFY.md)
//   ScrubjayRedaction  rules applied to recordings: channels of each event, findings, audit, redact, report
//   ScrubjayReport   reports people read (HTML, Markdown, JSON; Mustache templates in Reports/) and the offline viewer page (docs/REPORTS.md)
//   ScrubjayCLI      the `scrubjay` commands (argument parsing, exit codes, output)
//   scrubjay         the executable: a thin shell over ScrubjayCLI
//   scrubjay-bench   release-build benchmark tool (not a test)
let package = Package(
    name: "Scrubjay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scrubjay", targets: ["scrubjay"]),
        .library(name: "ScrubjayJSON", targets: ["ScrubjayJSON"]),
        .library(name: "ScrubjayFormats", targets: ["ScrubjayFormats"]),
        .library(name: "ScrubjayNative", targets: ["ScrubjayNative"]),
        .library(name: "ScrubjayPackage", targets: ["ScrubjayPackage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        .target(name: "ScrubjayIO"),
        .target(name: "ScrubjayJSON", dependencies: ["ScrubjayIO"]),
        .target(name: "ScrubjayNative", dependencies: ["CPCRE2", "CArchive", "COpenSSL", "CZlib", "ScrubjayIO"]),
        .target(name: "ScrubjayFormats", dependencies: ["ScrubjayJSON", "ScrubjayNative"]),
        .target(name: "ScrubjayDOM", dependencies: ["ScrubjayJSON"]),
        .target(name: "ScrubjayRules", dependencies: [
            "ScrubjayNative", "ScrubjayJSON", "ScrubjayDOM", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "ScrubjayPackage", dependencies: ["ScrubjayFormats", "ScrubjayJSON", "ScrubjayNative", "ScrubjayIO"]),
        .target(name: "ScrubjayProvenance", dependencies: ["ScrubjayNative", "ScrubjayIO", "ScrubjayPackage"]),
        .target(name: "ScrubjayRedaction", dependencies: [
            "ScrubjayJSON", "ScrubjayFormats", "ScrubjayNative", "ScrubjayPackage", "ScrubjayRules", "ScrubjayProvenance", "ScrubjayDOM",
        ]),
        .target(name: "ScrubjayPolicy", dependencies: [
            "ScrubjayIO", "ScrubjayNative", "ScrubjayJSON", "ScrubjayFormats", "ScrubjayPackage", "ScrubjayProvenance",
            "ScrubjayRedaction", "ScrubjayRules", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "ScrubjayVerify", dependencies: [
            "ScrubjayIO", "ScrubjayJSON", "ScrubjayNative", "ScrubjayPackage", "ScrubjayProvenance", "ScrubjayRedaction", "ScrubjayPolicy", "ScrubjayRules",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "ScrubjayReport", dependencies: [
            "ScrubjayIO", "ScrubjayJSON", "ScrubjayNative", "ScrubjayFormats", "ScrubjayPackage", "ScrubjayProvenance", "ScrubjayRedaction",
            "ScrubjayRules", "ScrubjayPolicy", "ScrubjayVerify", .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .target(name: "ScrubjayCLI", dependencies: [
            "ScrubjayJSON", "ScrubjayFormats", "ScrubjayNative", "ScrubjayPackage", "ScrubjayIO", "ScrubjayRules", "ScrubjayRedaction", "ScrubjayProvenance", "ScrubjayVerify", "ScrubjayPolicy", "ScrubjayReport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "scrubjay", dependencies: ["ScrubjayCLI"]),
        .executableTarget(name: "scrubjay-bench", dependencies: ["ScrubjayJSON", "ScrubjayIO", "ScrubjayRules", "ScrubjayRedaction", "ScrubjayDOM"],
                          path: "Benchmarks/scrubjay-bench"),

        // Scratch files for the test targets (Tests/ScrubjayTestSupport).
        .target(name: "ScrubjayTestSupport", path: "Tests/ScrubjayTestSupport"),
        .testTarget(name: "ScrubjayIOTests", dependencies: ["ScrubjayTestSupport", "ScrubjayIO"]),
        .testTarget(name: "ScrubjayJSONTests", dependencies: ["ScrubjayJSON"]),
        .testTarget(name: "ScrubjayNativeTests", dependencies: ["ScrubjayTestSupport", "ScrubjayNative"]),
        .testTarget(name: "ScrubjayFormatsTests", dependencies: ["ScrubjayTestSupport", "ScrubjayFormats", "ScrubjayJSON"]),
        .testTarget(name: "ScrubjayPackagingTests", dependencies: ["ScrubjayTestSupport", "ScrubjayPackage", "ScrubjayFormats", "ScrubjayJSON", "ScrubjayNative"]),
        .testTarget(name: "ScrubjayDOMTests", dependencies: ["ScrubjayDOM", "ScrubjayJSON"]),
        .testTarget(name: "ScrubjayRulesTests", dependencies: ["ScrubjayTestSupport", "ScrubjayRules", "ScrubjayNative"]),
        .testTarget(name: "ScrubjayRedactionTests", dependencies: ["ScrubjayTestSupport",
            "ScrubjayRedaction", "ScrubjayRules", "ScrubjayPackage", "ScrubjayFormats", "ScrubjayJSON", "ScrubjayNative", "ScrubjayDOM",
        ]),
        .testTarget(name: "ScrubjayProvenanceTests", dependencies: ["ScrubjayTestSupport",
            "ScrubjayProvenance", "ScrubjayRedaction", "ScrubjayRules", "ScrubjayPackage", "ScrubjayNative",
        ]),
        .testTarget(name: "ScrubjayPolicyTests", dependencies: ["ScrubjayTestSupport",
            "ScrubjayPolicy", "ScrubjayVerify", "ScrubjayProvenance", "ScrubjayRedaction", "ScrubjayRules", "ScrubjayPackage", "ScrubjayNative",
        ]),
        .testTarget(name: "ScrubjayVerifyTests", dependencies: ["ScrubjayTestSupport",
            "ScrubjayVerify", "ScrubjayPolicy", "ScrubjayProvenance", "ScrubjayRedaction", "ScrubjayRules", "ScrubjayPackage", "ScrubjayNative",
        ]),
        .testTarget(name: "ScrubjayReportTests", dependencies: ["ScrubjayTestSupport",
            "ScrubjayReport", "ScrubjayVerify", "ScrubjayPolicy", "ScrubjayProvenance", "ScrubjayRedaction", "ScrubjayRules", "ScrubjayPackage", "ScrubjayNative",
        ]),
        .testTarget(name: "ScrubjayCLITests", dependencies: ["ScrubjayTestSupport", "ScrubjayCLI", "ScrubjayNative"]),
    ],
    swiftLanguageModes: [.v6]
)
