import Foundation

/// One thing a policy found, before `verify` turns it into a finding of its `policy` check.
public struct PolicyFinding: Sendable, Equatable {
    public enum Level: String, Sendable {
        case error, warning, note
    }

    /// A stable dotted code (docs/POLICIES.md lists them).
    public var code: String
    public var level: Level
    public var requirement: Policy.Requirement?
    /// What it is about (a host, a region, a rule id), never a recorded value.
    public var subject: String?
    public var message: String
    public var expected: String?
    public var actual: String?
}

extension Policy {
    /// Judges `facts` at time `now`: every requirement not met, every unknown fact the
    /// policy does not let pass silently, every excepted finding (as a note) and every expired
    /// exception (an error, whether or not it still matches anything).
    public func evaluate(_ facts: PackageFacts, now: Date = Date()) -> [PolicyFinding] {
        var raw: [PolicyFinding] = []
        func level(_ o: Outcome) -> PolicyFinding.Level { o == .fail ? .error : o == .warn ? .warning : .note }
        func add(_ code: String, _ outcome: Outcome, _ req: Requirement, _ subject: String?, _ message: String,
                 expected: String? = nil, actual: String? = nil) {
            raw.append(PolicyFinding(code: code, level: level(outcome), requirement: req, subject: subject, message: message,
                                     expected: expected, actual: actual))
        }

        func judgeHosts(_ req: AllowList?, _ key: Requirement, _ hosts: [String]?, _ what: String) {
            guard let req else { return }
            guard let hosts, !(key == .site_hosts && hosts.isEmpty) else {
                add("residency.unknown", req.unknown, key, nil, "the \(what) are unknown" + (key == .site_hosts ? " (no page URL in the recording)" : " (the events could not be read)"))
                return
            }
            for host in hosts where !req.allow.contains(where: { Hosts.matches(host, pattern: $0) }) {
                add("residency.hostNotAllowed", req.violation, key, host, "\(what.dropLast()) \(host) is not allowed",
                    expected: Self.summary(req.allow), actual: host)
            }
        }

        if let req = ingestHost {
            if let host = facts.ingestHost {
                if !req.allow.contains(where: { Hosts.matches(host, pattern: $0) }) {
                    add("residency.hostNotAllowed", req.violation, .ingest_host, host, "the ingest host \(host) is not allowed",
                        expected: req.allow.joined(separator: ", "), actual: host)
                }
            } else {
                add("residency.unknown", req.unknown, .ingest_host, nil,
                    "the ingest host is unknown (the package was made without --ingest-host, which pack and redact take)")
            }
        }
        if let req = storageRegion {
            if let region = facts.storageRegion {
                if !regionAllowed(region, req.allow) {
                    add("residency.regionNotAllowed", req.violation, .storage_region, region,
                        "the storage region \(region) (\(facts.storageRegionSource ?? "given")) is not allowed",
                        expected: req.allow.joined(separator: ", "), actual: region)
                }
            } else {
                add("residency.unknown", req.unknown, .storage_region, nil,
                    "the storage region is unknown (no --storage-region, no region in the storage endpoint, no known ingest host)")
            }
        }
        judgeHosts(siteHosts, .site_hosts, facts.siteHosts, "site hosts")
        judgeHosts(assetHosts, .asset_hosts, facts.assetHosts, "asset hosts")
        judgeHosts(networkHosts, .network_hosts, facts.networkHosts, "network hosts")

        if let req = rulesApplied {
            if let rules = facts.rules {
                for file in req.files where !rules.files.contains(where: { $0.name == file }) {
                    add("policy.ruleFileMissing", req.violation, .rules_applied, file, "rule pack \(file) was not applied",
                        expected: file, actual: rules.files.map(\.name).joined(separator: ", "))
                }
                let needsList = !req.categories.isEmpty || !req.rules.isEmpty || !req.actions.isEmpty
                if needsList && rules.rules.isEmpty {
                    add("policy.rulesUnknown", req.unknown, .rules_applied, nil,
                        "the \(rules.source) does not list the rules applied (written by an older Scrubjay)")
                } else {
                    for c in req.categories where !rules.categories.contains(c) {
                        add("policy.categoryMissing", req.violation, .rules_applied, c, "no applied rule covers category \(c)",
                            expected: c, actual: rules.categories.joined(separator: ", "))
                    }
                    for id in req.rules where !rules.rules.contains(where: { $0.id == id }) {
                        add("policy.ruleMissing", req.violation, .rules_applied, id, "rule \(id) was not applied", expected: id)
                    }
                    for rule in rules.rules {
                        guard let allowed = req.actions[rule.id] ?? req.actions[rule.category.rawValue] else { continue }
                        if !allowed.contains(rule.action.rawValue) {
                            add("policy.actionNotAllowed", req.violation, .rules_applied, rule.id,
                                "rule \(rule.id) (\(rule.category.rawValue)) rewrites with \(rule.action.rawValue)",
                                expected: allowed.joined(separator: ", "), actual: rule.action.rawValue)
                        }
                    }
                }
            } else {
                add("policy.rulesUnknown", req.unknown, .rules_applied, nil,
                    "the package records no rules applied (it was packed, not redacted, or has neither statement nor report)")
            }
        }

        if let req = rescan {
            if let r = facts.rescan {
                func limit(_ max: Int?, _ actual: Int, _ subject: String, _ what: String) {
                    guard let max, actual > max else { return }
                    add("policy.residualFindings", req.violation, .rescan, subject,
                        "\(actual) residual finding\(actual == 1 ? "" : "s") \(what) on rescan",
                        expected: "at most \(max)", actual: "\(actual)")
                }
                limit(req.maxTotal, r.findings.total, "total", "in all")
                for (k, max) in req.maxBySeverity.sorted(by: { $0.key < $1.key }) {
                    limit(max, r.findings.bySeverity[k] ?? 0, k, "of severity \(k)")
                }
                for (k, max) in req.maxByCategory.sorted(by: { $0.key < $1.key }) {
                    limit(max, r.findings.byCategory[k] ?? 0, k, "in category \(k)")
                }
                for (k, max) in req.maxByRule.sorted(by: { $0.key < $1.key }) {
                    limit(max, r.findings.byRule[k] ?? 0, k, "of rule \(k)")
                }
            } else {
                add("policy.rescanNotRun", req.unknown, .rescan, nil, "the policy limits residual findings, but verify ran without --rescan")
            }
        }

        if let req = signature {
            if let signers = facts.trustedSigners {
                if signers.isEmpty {
                    add("policy.signatureMissing", req.violation, .signature, nil,
                        facts.signed ? "no signature verifies with a trusted key that was valid" : "the package is not signed")
                } else if !req.keyIds.isEmpty, !signers.contains(where: req.keyIds.contains) {
                    add("policy.signerNotAllowed", req.violation, .signature, signers.joined(separator: ", "),
                        "the package is not signed by a key this policy names",
                        expected: req.keyIds.joined(separator: ", "), actual: signers.joined(separator: ", "))
                }
            } else {
                add("policy.signatureUnknown", req.unknown, .signature, nil,
                    "the policy requires a signature, but no --trusted-key or --trust-file was given")
            }
        }

        if let req = maxAge {
            if let age = facts.ageSeconds {
                if age > req.seconds {
                    add("policy.tooOld", req.violation, .max_age, nil,
                        "created \(facts.createdAt ?? "?"), \(Self.days(age)) ago (\(facts.createdAtSource ?? "?"))",
                        expected: "at most \(req.text)", actual: Self.days(age))
                }
            } else {
                add("policy.ageUnknown", req.unknown, .max_age, nil, "the package's creation time is unknown")
            }
        }

        // Exceptions: an expired one fails; a live one turns what it matches into a note.
        var out: [PolicyFinding] = []
        for e in exceptions where e.expires < now {
            out.append(PolicyFinding(
                code: "policy.exceptionExpired", level: .error, requirement: e.requirement, subject: e.match,
                message: "the exception for \(e.requirement.rawValue)\(e.match.map { " (\($0))" } ?? "") expired \(e.expiresText)"
                    + (e.line.map { " (\(file):\($0))" } ?? "") + ": \(e.reason)",
                expected: "an exception that has not expired", actual: e.expiresText))
        }
        let live = exceptions.filter { $0.expires >= now }
        for var f in raw {
            if f.level != .note, let e = live.first(where: { e in
                e.requirement == f.requirement && (e.match == nil || f.subject.map { Hosts.globMatches($0, pattern: e.match!) } == true)
            }) {
                f.level = .note
                f.message += " (excepted until \(e.expiresText): \(e.reason))"
            }
            out.append(f)
        }
        return out
    }

    func regionAllowed(_ region: String, _ allow: [String]) -> Bool {
        allow.contains { entry in
            if let members = regionGroups[entry] {
                return members.contains { m in regionGroups[m] == nil ? Hosts.globMatches(region, pattern: m) : regionAllowed(region, [m]) }
            }
            return Hosts.globMatches(region, pattern: entry)
        }
    }

    /// A list for a message: in full up to six entries, else the first five and a count.
    static func summary(_ list: [String]) -> String {
        list.count <= 6 ? list.joined(separator: ", ") : list.prefix(5).joined(separator: ", ") + ", … (\(list.count) in all)"
    }

    static func days(_ seconds: Double) -> String {
        seconds >= 86400 ? String(format: "%.1f days", seconds / 86400) : String(format: "%.1f hours", seconds / 3600)
    }
}
