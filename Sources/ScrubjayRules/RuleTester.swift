import Foundation

/// Runs every rule's own examples (`scrubjay rules test`, and one test in `swift test`).
public enum RuleTester {
    /// A failed example, located at the line where it was written.
    public struct Failure: Sendable, CustomStringConvertible {
        public let rule: String
        public let location: SourceLocation
        public let message: String
        public var description: String { "\(location): rule \(rule): \(message)" }
        public init(rule: String, location: SourceLocation, message: String) {
            self.rule = rule
            self.location = location
            self.message = message
        }
    }

    /// Examples with `hash` are checked against this key.
    public static let pseudonymKey = Array("scrubjay-rules-test".utf8)

    /// Every failing example of the pattern rules in `rules`; empty when all pass. A rule
    /// without examples fails. (Field, selector and attribute rules' examples are events: `EventRuleTester` in
    /// ScrubjayRedaction runs them.)
    public static func run(_ rules: [Rule]) -> [Failure] {
        var failures: [Failure] = []
        let key = pseudonymKey
        for rule in rules where rule.kind == .pattern {
            let engine = RuleEngine(rules: [rule])
            var counters = RuleEngine.Counters()
            func at(_ line: Int) -> SourceLocation { SourceLocation(file: rule.source.file, line: line) }
            if rule.examples.match.isEmpty {
                failures.append(.init(rule: rule.id, location: rule.source, message: "no 'match' examples"))
            }
            for ex in rule.examples.match {
                let input = Array(ex.input.utf8)
                let found = engine.matches(in: input, rules: [0], counters: &counters)
                if found.isEmpty {
                    failures.append(.init(rule: rule.id, location: at(ex.line), message: "does not match \(quoted(ex.input))"))
                    continue
                }
                let output = String(decoding: engine.apply(found, to: input, pseudonymKey: key), as: UTF8.self)
                if output != ex.output {
                    failures.append(.init(rule: rule.id, location: at(ex.line),
                                          message: "rewrites \(quoted(ex.input)) to \(quoted(output)), expected \(quoted(ex.output))"))
                }
            }
            for (input, line) in rule.examples.noMatch {
                let found = engine.matches(in: Array(input.utf8), rules: [0], counters: &counters)
                if !found.isEmpty {
                    let bytes = Array(input.utf8)
                    let what = String(decoding: bytes[found[0].range], as: UTF8.self)
                    failures.append(.init(rule: rule.id, location: at(line), message: "must not match \(quoted(input)), but finds \(quoted(what))"))
                }
            }
        }
        return failures
    }

    public static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
