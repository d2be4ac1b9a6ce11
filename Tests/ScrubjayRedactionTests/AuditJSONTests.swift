import Foundation
import Testing
import ScrubjayRules
@testable import ScrubjayRedaction

/// `AuditResult.prettyJSON()` writes the findings itself; the bytes must stay what
/// `JSONEncoder` (sorted keys, pretty, slashes as they are) writes, which `audit --format json`
/// printed before and which pipelines read.
@Suite("Audit JSON")
struct AuditJSONTests {
    func encoderBytes(_ r: AuditResult) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(r))
    }

    @Test func corpusAuditsAreWrittenAsJSONEncoderWritesThem() throws {
        var withFindings = 0
        for name in recordings {
            let result = try RedactionJob.audit(inputs: [fixtures + "/" + name], rules: defaults)
            #expect(try result.prettyJSON() == encoderBytes(result), "\(name)")
            if !result.findings.isEmpty { withFindings += 1 }
        }
        #expect(withFindings > 10)
    }

    @Test func everyFieldAndEscapeIsWrittenAsJSONEncoderWritesIt() throws {
        let base = try RedactionJob.audit(inputs: [fixtures + "/" + recordings[0]], rules: defaults)
        func finding(_ k: Int) -> Finding {
            Finding(rule: "r\(k)", kind: k % 3 == 0 ? "rule.limit" : "match", category: RuleCategory.allCases[k % RuleCategory.allCases.count],
                    severity: Severity.allCases[k % 3], channel: Channel.allCases[k % Channel.allCases.count],
                    action: RuleAction.allCases[k % RuleAction.allCases.count], window: k % 2 == 0 ? "" : "w/\(k)\u{7}",
                    eventIndex: k * 7919, timestamp: [nil, 1_700_000_000_123, 1.5, 0.1, 1e21, -3][k % 6],
                    pointer: "/data/a~1b/\"q\"\\\n\t\u{1}é😀\u{2028}/\(k)", nodeId: k % 4 == 0 ? nil : k * 31,
                    preview: "j***@e***.org <b>&</b> \u{7F}", pseudonym: k % 5 == 0 ? "0123456789abcdef" : nil,
                    input: k % 2 == 0 ? nil : "in/\"\(k)\".json")
        }
        for n in [0, 1, 2, 37] {
            var r = base
            r.findings = (0..<n).map(finding)
            #expect(try r.prettyJSON() == encoderBytes(r), "\(n) findings")
        }
        // A timestamp JSONEncoder refuses: the same refusal, not invalid JSON.
        var bad = base
        bad.findings = [finding(1)]
        bad.findings[0].timestamp = .infinity
        #expect(throws: EncodingError.self) { _ = try bad.prettyJSON() }
    }
}
