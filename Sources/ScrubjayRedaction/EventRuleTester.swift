import ScrubjayJSON
import ScrubjayRules

/// Runs the examples of the rules whose examples are events: field, selector, attribute and
/// echo rules. Each `match` input is an event, or a JSON array of events (a page and what
/// happens to it), that the rule alone must rewrite into `output`: events compared byte for
/// byte, whitespace between events and around them aside, dropped events left out. Each
/// `no_match` input must give no finding. An echo rule finds what other rules rewrote: its
/// examples run with the other rules of its file and the rules its `learn_from` names
/// (which may be another pack's), in two passes as `redact` runs them, and only its own
/// findings count. Pattern rules' examples are `RuleTester`'s.
public enum EventRuleTester {
    public static func run(_ rules: [Rule]) -> [RuleTester.Failure] {
        var failures: [RuleTester.Failure] = []
        for rule in rules where rule.kind != .pattern {
            func at(_ line: Int) -> SourceLocation { SourceLocation(file: rule.source.file, line: line) }
            func fail(_ line: Int, _ message: String) {
                failures.append(.init(rule: rule.id, location: at(line), message: message))
            }
            if rule.examples.match.isEmpty { failures.append(.init(rule: rule.id, location: rule.source, message: "no 'match' examples")) }
            let engine = rule.kind == .echo
                ? RuleEngine(rules: rules.filter { $0.kind != .echo && ($0.source.file == rule.source.file || rule.learnFrom.contains($0.id)) } + [rule])
                : RuleEngine(rules: [rule])
            let index = engine.rules.count - 1 // the rule's own findings are those of the last rule
            for ex in rule.examples.match {
                do {
                    let (output, redactor) = try redacted(ex.input, engine, .redact)
                    var none: Redactor? = nil
                    let expected = try rewrite(ex.output, &none)
                    if redactor.findingMark.byRule[index] == 0 { fail(ex.line, "does not match \(RuleTester.quoted(trimmed(ex.input)))"); continue }
                    if output != expected {
                        fail(ex.line, "rewrites the events to \(RuleTester.quoted(output)), expected \(RuleTester.quoted(expected))")
                    }
                } catch {
                    fail(ex.line, "the example is not a JSON event or array of events: \(error)")
                }
            }
            for (input, line) in rule.examples.noMatch {
                do {
                    let (_, redactor) = try redacted(input, engine, .audit)
                    if redactor.findingMark.byRule[index] > 0 { fail(line, "must not match \(RuleTester.quoted(trimmed(input)))") }
                } catch {
                    fail(line, "the example is not a JSON event or array of events: \(error)")
                }
            }
        }
        return failures
    }

    /// The events of `text` rewritten with `engine` (`rewrite`), and the redactor that did it,
    /// in two passes when a first one learns values for an echo rule, as `redact` runs them
    /// (`RedactionJob.passes`).
    static func redacted(_ text: String, _ engine: RuleEngine, _ mode: Redactor.Mode) throws -> (String, Redactor) {
        try RedactionJob.passes(engine, { engine in
            var redactor: Redactor? = Redactor(engine: engine, mode: mode, pseudonymKey: RuleTester.pseudonymKey, collectFindings: false)
            let output = try rewrite(text, &redactor)
            return (output, redactor!)
        }, redactor: \.1).0
    }

    /// The events of `text` after `redactor` (none: as they are), in the shape they came in:
    /// one event, or an array joined by commas without whitespace.
    static func rewrite(_ text: String, _ redactor: inout Redactor?) throws -> String {
        let trimmedText = trimmed(text)
        let bytes = JSONBytes(Array(trimmedText.utf8))
        var reader = try EventReader(bytes: bytes)
        var events: [String] = []
        var index = 0
        while let e = try reader.next() {
            var json = e.raw
            if redactor != nil {
                var edits = JSONEdits()
                if redactor!.process(e, window: "", index: index, edits: &edits) {
                    if redactor!.dropsEvent { index += 1; continue }
                    json = JSONRewriter.apply(&edits, to: bytes, range: e.range)
                }
            }
            events.append(String(decoding: json, as: UTF8.self))
            index += 1
        }
        return trimmedText.hasPrefix("[") ? "[" + events.joined(separator: ",") + "]" : events.joined(separator: "\n")
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
