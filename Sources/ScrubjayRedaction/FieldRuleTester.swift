import ScrubjayJSON
import ScrubjayRules

/// Runs the examples of field rules (`kind: field`): each `match` input is an event that the
/// rule alone must rewrite into `output` (compared byte for byte, outer whitespace aside);
/// each `no_match` event must give no finding. Pattern rules' examples are `RuleTester`'s.
public enum FieldRuleTester {
    public static func run(_ rules: [Rule]) -> [RuleTester.Failure] {
        var failures: [RuleTester.Failure] = []
        for rule in rules where rule.kind == .field {
            func at(_ line: Int) -> SourceLocation { SourceLocation(file: rule.source.file, line: line) }
            func fail(_ line: Int, _ message: String) {
                failures.append(.init(rule: rule.id, location: at(line), message: message))
            }
            if rule.examples.match.isEmpty { failures.append(.init(rule: rule.id, location: rule.source, message: "no 'match' examples")) }
            let engine = RuleEngine(rules: [rule])
            for ex in rule.examples.match {
                var redactor = Redactor(engine: engine, mode: .redact, pseudonymKey: RuleTester.pseudonymKey, collectFindings: false)
                let input = trimmed(ex.input)
                do {
                    let output = try redactor.process(json: Array(input.utf8), window: "", index: 0)
                    guard let output else { fail(ex.line, "does not match \(RuleTester.quoted(input))"); continue }
                    let text = String(decoding: output, as: UTF8.self)
                    if text != trimmed(ex.output) {
                        fail(ex.line, "rewrites the event to \(RuleTester.quoted(text)), expected \(RuleTester.quoted(trimmed(ex.output)))")
                    }
                } catch {
                    fail(ex.line, "the example is not a JSON event: \(error)")
                }
            }
            for (input, line) in rule.examples.noMatch {
                var redactor = Redactor(engine: engine, mode: .audit, pseudonymKey: RuleTester.pseudonymKey, collectFindings: false)
                do {
                    _ = try redactor.process(json: Array(trimmed(input).utf8), window: "", index: 0)
                    if redactor.tally.findings.total > 0 { fail(line, "must not match \(RuleTester.quoted(trimmed(input)))") }
                } catch {
                    fail(line, "the example is not a JSON event: \(error)")
                }
            }
        }
        return failures
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
