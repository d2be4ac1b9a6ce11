// scrubjay-bench: times the byte-level JSON engine on real files (release build only).
//
//   swift build -c release --product scrubjay-bench
//   .build/release/scrubjay-bench FILE [--runs N] [--baseline Benchmarks/baseline_orjson.py]
//   .build/release/scrubjay-bench FILE --memory      # peak memory of one identity rewrite
//   .build/release/scrubjay-bench FILE --redact [--baseline Benchmarks/baseline_redact_python.py]
//                                    # the default packs over every event, rewriting in a stream (it
//                                    # prints the packs it ran);
//                                    # SCRUBJAY_BENCH_RULES=FILE|DIR times other packs instead (an
//                                    # empty pack measures the walker and scanner alone)
//   .build/release/scrubjay-bench selectors (--match | --time) SELECTORS PAGE...
//                                    # the CSS selector engine (Selectors.swift)
//
// Benchmarks/run.sh generates the synthetic input and runs both. Timings are the best of
// N runs (default 5) to damp machine noise; the Python/orjson baseline runs in the same
// invocation so the ratio compares like with like on the same machine at the same time.
import ScrubjayIO
import ScrubjayJSON
import ScrubjayRedaction
import ScrubjayRules
#if canImport(Glibc)
import Glibc
#endif
import Foundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var bestTime = Double.infinity
    for _ in 0..<runs {
        let t0 = now()
        try body()
        bestTime = min(bestTime, now() - t0)
    }
    return bestTime
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(("scrubjay-bench: " + message + "\n").data(using: .utf8)!)
    exit(2)
}

/// `body`'s result, or the error's message and exit status 2 (an input file or rule pack that
/// is missing or malformed is the user's to fix, not a crash).
func orFail<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { fail("\(error)") }
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "selectors" { try selectorsMain(Array(args.dropFirst())) }
var runs = 5
var baseline: String?
var memoryMode = false
var redactMode = false
var file: String?
let usage = "usage: scrubjay-bench FILE [--runs N] [--baseline SCRIPT] [--memory | --redact]  (Benchmarks/run.sh runs it)"
@MainActor func value(after option: String) -> String {
    guard !args.isEmpty else { fail("\(option) needs a value\n\(usage)") }
    return args.removeFirst()
}
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--runs":
        let v = value(after: a)
        guard let n = Int(v), n > 0 else { fail("--runs must be a positive number, not \(v)") }
        runs = n
    case "--baseline": baseline = value(after: a)
    case "--memory": memoryMode = true
    case "--redact": redactMode = true
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        if a.hasPrefix("-") { fail("unknown option \(a)\n\(usage)") }
        file = a
    }
}
guard let file else { fail(usage) }

let devNull = open("/dev/null", O_WRONLY)
let toDevNull: (UnsafeRawBufferPointer) throws -> Void = { buf in _ = write(devNull, buf.baseAddress, buf.count) }

if memoryMode {
    // One identity rewrite from the file to a file, as the CLI would do it, then peak RSS.
    let bytes = orFail { try JSONBytes(contentsOfFile: file) }
    let out = try AtomicFileWriter(path: NSTemporaryDirectory() + "/scrubjay-bench-identity.json")
    try JSONRewriter.rewrite(bytes, edit: { _, _ in }, sink: { try out.write($0) })
    try out.commit()
    unlink(out.path)
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let peak = Double(usage.ru_maxrss) * 1024
    print(String(format: "peak memory, identity rewrite: %.1f MB for a %.1f MB input (%.2fx the input)",
                 peak / 1e6, Double(bytes.count) / 1e6, peak / Double(bytes.count)))
    exit(0)
}

let bytes = orFail { try JSONBytes(contentsOfFile: file) }
let mb = Double(bytes.count) / 1e6
print(String(format: "input: %@ (%.1f MB), best of %d runs", file, mb, runs))

@MainActor func runPython(_ script: String, _ extra: [String] = []) -> [String: Double] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, file, "--runs", String(min(runs, 3))] + extra
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { fail("cannot run python3: \(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else {
        fail("the Python baseline \(script) failed (needs orjson and PyYAML, and regex to run every rule: pip install orjson pyyaml regex)")
    }
    return obj
}

if redactMode {
    // The default packs over every event, as `redact` does, rewriting into a stream (the
    // package writing around it is timed separately by Benchmarks/run.sh).
    let rules = orFail { try ProcessInfo.processInfo.environment["SCRUBJAY_BENCH_RULES"].map { try RuleSet.load([$0]) } ?? RuleSet.defaults() }
    var lastTally: Redactor.Tally?
    var lastMemo = (hits: 0, misses: 0)
    let key = Array("benchmark pseudonym key".utf8)
    let redactTime = try best(runs) {
        var redactor = Redactor(engine: rules.engine, mode: .redact, pseudonymKey: key, collectFindings: false)
        try JSONRewriter.rewrite(bytes, edit: { event, edits in
            redactor.process(event, window: "", index: event.index, edits: &edits)
        }, sink: toDevNull)
        lastTally = redactor.tally
        lastMemo = (redactor.memo.hits, redactor.memo.misses)
    }
    let tally = lastTally!
    let p = tally.prefilter
    let redactMBps = mb / redactTime
    print("events: \(tally.events), strings: \(tally.strings), findings: \(tally.findings.total), strings rewritten: \(tally.stringsChanged)")
    print(String(format: "prefilter: %.1f%% of strings reach no pattern at all; %.1f%% of (string, rule) pattern runs skipped (%d runs made, %d skipped)",
                 100 * Double(p.stringsSkipped) / Double(max(1, p.strings)),
                 100 * Double(p.skippedByPrefilter) / Double(max(1, p.skippedByPrefilter + p.patternRuns)), p.patternRuns, p.skippedByPrefilter))
    print(String(format: "memo: %.1f%% of the strings read by the rules were read before (%d of %d; the prefilter counts above include them)",
                 100 * Double(lastMemo.hits) / Double(max(1, lastMemo.hits + lastMemo.misses)), lastMemo.hits, lastMemo.hits + lastMemo.misses))
    let packNames = rules.packs.isEmpty ? "no pack" : rules.packs.map(\.name).joined(separator: ", ")
    print("rule packs: \(packNames) (\(rules.packs.reduce(0) { $0 + $1.rules.count }) rules)")
    print(String(format: "scrubjay redact:                 %7.1f MB/s  (%.1f ms)", redactMBps, redactTime * 1000))
    if let baseline {
        let obj = runPython(baseline)
        guard let python = obj["redact_mbps"] else { fail("the baseline printed no redact_mbps") }
        print(String(format: "python regex + orjson redact:    %7.1f MB/s  (%d findings, %d rules)", python, Int(obj["findings"] ?? 0), Int(obj["rules"] ?? 0)))
        print(String(format: "ratio scrubjay / python:          %6.1fx", redactMBps / python))
    }
    exit(0)
}

var events = 0
let scanTime = try best(runs) {
    var reader = try EventReader(bytes: bytes)
    var n = 0
    while try reader.next() != nil { n += 1 }
    events = n
}

let identityTime = try best(runs) {
    try JSONRewriter.rewrite(bytes, edit: { _, _ in }, sink: toDevNull)
}

var replaced = 0
let replaceTime = try best(runs) {
    var seen = 0
    var changed = 0
    try JSONRewriter.rewrite(bytes, edit: { event, edits in
        let n = event.tokenCount
        var i = 0
        while i < n {
            let t = event.token(i)
            if t.kind == .string && !t.isKey {
                seen += 1
                if seen % 10 == 0 {
                    edits.replace(JSONValueRef(index: i), in: event, withString: "[redacted]")
                    changed += 1
                }
            }
            i += 1
        }
    }, sink: toDevNull)
    replaced = changed
}

// Check the work is real: the identity rewrite reproduces the input exactly.
let identity = try JSONRewriter.rewrite(bytes) { _, _ in }
guard identity.count == bytes.count, identity.withUnsafeBytes({ out in
    bytes.withBytes(0..<bytes.count) { memcmp(out.baseAddress!, $0.baseAddress!, bytes.count) == 0 }
}) else { fail("identity rewrite differs from the input") }

let scanMBps = mb / scanTime
let identityMBps = mb / identityTime
let replaceMBps = mb / replaceTime
print("events: \(events); strings replaced in the 1-in-10 run: \(replaced)")
print(String(format: "scrubjay scan only:         %7.1f MB/s  (%.1f ms)", scanMBps, scanTime * 1000))
print(String(format: "scrubjay identity rewrite:  %7.1f MB/s  (%.1f ms)", identityMBps, identityTime * 1000))
print(String(format: "scrubjay replace 1 in 10:   %7.1f MB/s  (%.1f ms)", replaceMBps, replaceTime * 1000))

if let baseline {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", baseline, file, "--runs", String(min(runs, 3))]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let obj = try JSONSerialization.jsonObject(with: data) as? [String: Double],
          let loadDump = obj["load_dump_mbps"], let replace = obj["replace_mbps"], let load = obj["load_mbps"] else {
        fail("the Python baseline failed (is orjson installed? pip install orjson)")
    }
    print(String(format: "python orjson load:         %7.1f MB/s", load))
    print(String(format: "python orjson load+dump:    %7.1f MB/s", loadDump))
    print(String(format: "python replace 1 in 10:     %7.1f MB/s  (load, walk, dump)", replace))
    print(String(format: "ratio scan / orjson load+dump:              %6.1fx", scanMBps / loadDump))
    print(String(format: "ratio identity rewrite / orjson load+dump:  %6.1fx", identityMBps / loadDump))
    print(String(format: "ratio replace 1 in 10 / python replace:     %6.1fx", replaceMBps / replace))
}
