import Foundation

/// `verify --format junit`: JUnit XML as CI systems read it (GitLab, Jenkins, GitHub test
/// reporters). One `testsuite` per package, one `testcase` per check (`classname` the
/// package's base name, `name` the check id: unique together); a failed check has one
/// `failure` listing its findings, a skipped one `skipped`, and warnings go to `system-out`
/// unless `failOnWarn` makes them failures.
public enum JUnitReport {
    public static func render(_ results: [VerificationResult], failOnWarn: Bool) -> [UInt8] {
        var suites: [String] = []
        var total = 0, failed = 0, skipped = 0
        for r in results {
            var cases: [String] = []
            var suiteFailures = 0, suiteSkipped = 0
            let classname = "scrubjay.verify." + (r.package as NSString).lastPathComponent
            for c in r.checks {
                var body = ""
                let lines = c.findings.map(Self.line).joined(separator: "\n")
                let fails = c.status == .fail || (failOnWarn && c.status == .warn)
                if fails {
                    suiteFailures += 1
                    let first = c.findings.first { $0.severity == .error } ?? c.findings.first
                    let message = first.map { "\($0.code): \($0.message)" } ?? c.title
                    body = "\n      <failure message=\"\(escape(message))\" type=\"\(escape(first?.code ?? "failure"))\">\(escape(lines))</failure>\n    "
                } else if c.status == .skip {
                    suiteSkipped += 1
                    body = "\n      <skipped message=\"\(escape(c.detail))\"/>\n    "
                } else if !lines.isEmpty {
                    body = "\n      <system-out>\(escape(lines))</system-out>\n    "
                }
                cases.append("    <testcase classname=\"\(escape(classname))\" name=\"\(escape(c.id))\">\(body)</testcase>")
            }
            total += r.checks.count
            failed += suiteFailures
            skipped += suiteSkipped
            suites.append("""
              <testsuite name="\(escape(r.package))" tests="\(r.checks.count)" failures="\(suiteFailures)" errors="0" skipped="\(suiteSkipped)">
            \(cases.joined(separator: "\n"))
              </testsuite>
            """)
        }
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="scrubjay verify" tests="\(total)" failures="\(failed)" errors="0" skipped="\(skipped)">
        \(suites.joined(separator: "\n"))
        </testsuites>

        """
        return Array(xml.utf8)
    }

    static func line(_ f: VerificationFinding) -> String {
        var s = "\(f.severity.rawValue) \(f.code)"
        if let p = f.path { s += " " + p + (f.line.map { ":\($0)" } ?? "") }
        s += ": " + f.message
        if let e = f.expected { s += "; expected " + e }
        if let a = f.actual { s += "; actual " + a }
        return s
    }

    /// XML text and attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(u)
            default:
                out.unicodeScalars.append(u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) ? "\u{FFFD}" : u)
            }
        }
        return out
    }
}
