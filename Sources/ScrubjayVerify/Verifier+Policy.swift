import Foundation
import ScrubjayPackage
import ScrubjayPolicy

extension Verifier {
    /// Gathers the facts and adds the `rescan` check and one `policy.<name>` check per policy,
    /// when any was asked for. `files` nil: the package could not be read, so they are skipped.
    func judge(_ result: inout VerificationResult, files: [String: [UInt8]]?, manifest: PackageManifest?,
               claims: FactsCollector.StatementClaims?, trustedSigners: [String]?) {
        guard !policies.isEmpty || rescanRules != nil || collectFacts else { return }
        result.policies = policies.map { .init(name: $0.name, file: $0.file, sha256: $0.sha256, check: Self.checkID(of: $0)) }
        guard let files else {
            if rescanRules != nil { result.checks.append(CheckResult(id: "rescan", title: "Residual findings on rescan", status: .skip, detail: "the package could not be read", findings: [])) }
            for p in policies {
                result.checks.append(CheckResult(id: Self.checkID(of: p), title: "Policy \(p.name)", status: .skip, detail: "the package could not be read", findings: []))
            }
            return
        }
        var collector = FactsCollector()
        collector.now = now
        collector.rescanRules = rescanRules
        collector.collectHosts = collectFacts || policies.contains { $0.assetHosts != nil || $0.networkHosts != nil || $0.siteHosts != nil }
        let facts = collector.collect(path: result.package, files: files, manifest: manifest, statement: claims, trustedSigners: trustedSigners)
        result.facts = facts

        if rescanRules != nil {
            var findings: [VerificationFinding] = []
            if let rescan = facts.rescan {
                findings = rescan.locations.map { l in
                    VerificationFinding(code: "rescan.residual", severity: .warning, check: "rescan", path: l.file, line: l.line,
                                        message: "rule \(l.rule) (\(l.category), \(l.severity)) still matches in the \(l.channel) channel at \(l.pointer)"
                                            + (l.nodeId.map { ", node \($0)" } ?? ""),
                                        actual: l.rule)
                }
                if rescan.truncated {
                    findings.append(VerificationFinding(code: "rescan.truncated", severity: .note, check: "rescan",
                                                        message: "\(rescan.findings.total) residual findings; the first \(rescan.locations.count) are listed"))
                }
                result.checks.append(Self.check("rescan", "Residual findings on rescan", findings,
                                                passed: "no rule of \(rescan.rulePacks.map(\.name).joined(separator: ", ")) matches in \(rescan.events) events"))
            } else {
                result.checks.append(Self.check("rescan", "Residual findings on rescan", [
                    VerificationFinding(code: "rescan.unreadable", severity: .error, check: "rescan",
                                        message: "the events could not be scanned: \(facts.eventsUnreadable ?? "no readable manifest")")]))
            }
        }

        for policy in policies {
            let id = Self.checkID(of: policy)
            let findings = policy.evaluate(facts, now: now).map { f in
                VerificationFinding(code: f.code, severity: FindingSeverity(rawValue: f.level.rawValue) ?? .error, check: id, path: nil,
                                    message: (f.requirement.map { "\($0.rawValue): " } ?? "") + f.message, expected: f.expected, actual: f.actual)
            }
            result.checks.append(Self.check(id, "Policy \(policy.name) (\(policy.file))", findings, passed: "every requirement met"))
        }
    }

    static func checkID(of policy: Policy) -> String { "policy.\(policy.name)" }

}
