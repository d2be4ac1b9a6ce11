import Foundation
import ArgumentParser
import ScrubjayRedaction
import ScrubjayRules

/// The rule packs a run uses: `--rules` (repeatable), or the built-in defaults.
struct RulePackOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "A rule pack file or a directory of packs (repeatable); replaces the built-in default packs.")
    var paths: [String] = []

    /// The rule files these options read (a directory's packs too), for `checkOutputs`.
    var inputFiles: [GivenFile] { ruleFiles(paths) }

    func load() throws -> RuleSet {
        // A rule file that does not exist is a missing input (exit 2, README "Exit codes"); a
        // pack that exists but is wrong is a malformed one (exit 3).
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            printError("\(path): no such file or directory")
            throw ExitStatus.usage.exitCode
        }
        do { return try RuleSet.load(paths) } catch let e as RuleError {
            printError(e.description)
            throw ExitStatus.malformedInput.exitCode
        }
    }
}

/// The rule files `--rules PATH...` reads: each file, and a directory's `*.yml` and `*.yaml` packs.
func ruleFiles(_ paths: [String]) -> [GivenFile] {
    paths.flatMap { path in
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return given("--rules", path)
        }
        return given("--rules", directory: path) { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }
    }
}

/// `scrubjay rules list|test|explain`.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List, test and explain rules (docs/RULES.md).",
        subcommands: [List.self, Test.self, Explain.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every rule in use, with the pack and line it came from.")
        @OptionGroup var packs: RulePackOptions

        func run() throws {
            let set = try packs.load()
            for pack in set.packs {
                print("\(pack.name) (\(pack.file), sha256 \(pack.sha256.prefix(12))…): \(pack.rules.count) rules")
                for r in pack.rules {
                    print("  \(r.id.padding(28)) \(r.category.rawValue.padding(14)) \(r.severity.rawValue.padding(7)) \(r.action.rawValue.padding(10)) line \(r.source.line)")
                }
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every rule's examples; exit 1 when one fails.")
        @Argument(help: "Rule pack files or directories (default: the built-in default packs); --rules works too, as for list and explain.")
        var files: [String] = []
        @OptionGroup var packs: RulePackOptions

        func run() throws {
            let set = try RulePackOptions.parse((files + packs.paths).flatMap { ["--rules", $0] }).load()
            let rules = set.packs.flatMap(\.rules)
            let failures = RuleTester.run(rules) + EventRuleTester.run(rules)
            for f in failures { print(f.description) }
            let examples = rules.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
            print("\(rules.count) rules, \(examples) examples: \(failures.isEmpty ? "all pass" : "\(failures.count) failed")")
            if !failures.isEmpty { throw ExitStatus.checkFailed.exitCode }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one rule: what it finds, where, and what it does.")
        @Argument(help: "The rule id.")
        var id: String
        @OptionGroup var packs: RulePackOptions

        func run() throws {
            let set = try packs.load()
            guard let (r, pack) = set.rule(id) else {
                printError("no rule '\(id)' in \(set.packs.map(\.name).joined(separator: ", "))")
                throw ExitStatus.usage.exitCode
            }
            var lines = [
                "\(r.id): \(r.description)",
                "  pack:       \(pack.name) (\(r.source))",
                "  category:   \(r.category.rawValue), severity \(r.severity.rawValue)",
                "  kind:       \(r.kind.rawValue)",
            ]
            // What the rule matches on: channels and a pattern, field paths, or elements of the
            // page (a field or selector rule once showed an empty channel list and the internal
            // whole-value pattern, and not its paths or selector).
            func channels(_ c: Set<Channel>) -> String {
                c.count == Channel.allCases.count ? "all" : c.map(\.rawValue).sorted().joined(separator: ", ")
            }
            if r.kind == .pattern || !r.channels.isEmpty { lines.append("  channels:   \(channels(r.channels))") }
            if r.kind == .echo {
                // An echo rule has no pattern of its own: what it learns from, and where it looks.
                lines.append("  channels:   \(channels(r.echoChannels))")
                lines.append("  learns from: " + (r.learnFrom.isEmpty ? "every selector, attribute and field rule that rewrites a value" : r.learnFrom.joined(separator: ", ")))
            }
            for path in r.paths { lines.append("  path:       \(path.text)") }
            if !r.attributeNames.isEmpty {
                lines.append("  attributes: \(r.attributeNames.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", "))")
            }
            if let selector = r.selector {
                lines.append("  selector:   \(selector.source)" + (r.kind == .attribute ? " (\(r.scope == .subtree ? "and every element below" : "the elements themselves"))" : ""))
            }
            if r.kind != .selector && r.kind != .echo {
                let whole = r.kind != .pattern && r.pattern.pattern == #"[\s\S]+"#
                lines.append("  pattern:    " + (whole ? "(the whole value)" : r.pattern.pattern + (r.group > 0 ? " (group \(r.group))" : "")))
            }
            if !r.keywords.isEmpty { lines.append("  keywords:   \(r.keywords.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", "))") }
            if r.minDigits > 0 { lines.append("  min digits: \(r.minDigits)") }
            let shape = [(r.shape.minLetters, "letter", "letters"), (r.shape.minDigitRun, "digit in a row", "digits in a row"),
                         (r.shape.minAlnumRun, "letter or digit in a row", "letters and digits in a row")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? $0.1 : $0.2)" }
            if !shape.isEmpty { lines.append("  needs:      at least " + shape.joined(separator: ", ")) }
            if !r.requires.isEmpty { lines.append("  requires:   \(r.requires.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", "))") }
            if let v = r.validator { lines.append("  validator:  \(v.rawValue)" + (v == .entropy ? " (at least \(r.minEntropy) bits per character)" : "")) }
            lines.append("  action:     \(r.action.rawValue)" + (r.action == .replace ? " with \(r.replacement)" : ""))
            for ex in r.examples.match { lines.append("  example:    \(ex.input)  ->  \(ex.output)") }
            for (ex, _) in r.examples.noMatch { lines.append("  left alone: \(ex)") }
            print(lines.joined(separator: "\n"))
        }
    }
}
