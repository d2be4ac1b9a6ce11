import Foundation
import ScrubjayIO
import ScrubjayNative
import ScrubjayPackage
import ScrubjayRules
import Yams

/// Reads policy files (docs/POLICIES.md). Every mistake is an error naming the file and line:
/// unknown keys, wrong types, an exception without a reason or expiry, an unknown region group.
public enum PolicyLoader {
    /// A chain of region groups that leads back to its first group (`a → b → a`), or nil.
    /// Groups name regions and other groups; a group inside itself has no meaning, and
    /// judging a region against it would never end.
    static func groupCycle(_ groups: [String: [String]]) -> [String]? {
        var done: Set<String> = []
        for start in groups.keys.sorted() where !done.contains(start) {
            // Depth first with the path kept (no recursion: a long chain cannot overflow the
            // stack); `pending` holds, per group on the path, its members not yet looked at.
            var path = [start], onPath: Set<String> = [start]
            var pending = [groups[start] ?? []]
            while let top = path.last {
                if var members = pending.popLast(), let member = members.popLast() {
                    pending.append(members)
                    guard let inner = groups[member], !done.contains(member) else { continue }
                    if onPath.contains(member) { return Array(path[path.firstIndex(of: member)!...]) + [member] }
                    path.append(member)
                    onPath.insert(member)
                    pending.append(inner)
                } else {
                    path.removeLast()
                    onPath.remove(top)
                    done.insert(top)
                }
            }
        }
        return nil
    }

    /// The policy format versions this release reads.
    public static let supportedVersion = 1

    static let topKeys: Set<String> = ["version", "policy", "description", "unknown", "region_groups", "require", "exceptions"]
    static let allowListKeys: Set<String> = ["allow", "violation", "unknown"]
    static let rulesKeys: Set<String> = ["files", "categories", "rules", "actions", "violation", "unknown"]
    static let rescanKeys: Set<String> = ["max_findings", "violation", "unknown"]
    static let maxFindingsKeys: Set<String> = ["total", "severity", "category", "rule"]
    static let signatureKeys: Set<String> = ["key_ids", "violation", "unknown"]
    static let ageKeys: Set<String> = ["max", "violation", "unknown"]
    static let exceptionKeys: Set<String> = ["requirement", "match", "reason", "expires"]

    /// Reads the policy at `path`.
    public static func load(_ path: String) throws -> Policy {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path) } catch {
            // The file error's text names the path already: once is enough.
            let text = error.description
            throw PolicyError(file: path, line: nil, message: text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PolicyError(file: path, line: nil, message: "not UTF-8 text")
        }
        return try parse(text: text, file: path, sha256: Hex.encode(Digest.sha256(bytes)))
    }

    public static func parse(text: String, file: String, sha256: String) throws -> Policy {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PolicyError(file: file, line: nil, message: "the file is empty") }
            root = node
        } catch let e as PolicyError {
            throw e
        } catch let e as YamlError {
            let (line, problem) = YAMLProblem.of(e)
            throw PolicyError(file: file, line: line, message: "not valid YAML: \(problem)")
        } catch {
            throw PolicyError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
        func fail(_ node: Node?, _ message: String) -> PolicyError {
            PolicyError(file: file, line: (node ?? root).mark?.line, message: message)
        }
        func mapping(_ node: Node, _ what: String, keys: Set<String>) throws -> Node.Mapping {
            guard let m = node.mapping else { throw fail(node, "\(what) must be a mapping") }
            for (k, _) in m where !keys.contains(k.string ?? "") {
                throw fail(k, "unknown key '\(k.string ?? "?")' in \(what) (allowed: \(keys.sorted().joined(separator: ", ")))")
            }
            return m
        }
        func strings(_ node: Node?, _ what: String) throws -> [String] {
            guard let node else { return [] }
            if let s = node.scalar?.string { return [s] }
            guard let seq = node.sequence else { throw fail(node, "\(what) must be a list of strings") }
            return try seq.map { item in
                guard let s = item.scalar?.string else { throw fail(item, "\(what) must be a list of strings") }
                return s
            }
        }
        func outcome(_ node: Node?, _ what: String, default value: Policy.Outcome) throws -> Policy.Outcome {
            guard let node else { return value }
            guard let s = node.scalar?.string, let o = Policy.Outcome(rawValue: s) else {
                throw fail(node, "\(what) must be one of fail, warn, pass")
            }
            return o
        }
        func count(_ node: Node, _ what: String) throws -> Int {
            guard let n = node.int, n >= 0 else { throw fail(node, "\(what) must be a count (0 or more)") }
            return n
        }
        func counts(_ node: Node?, _ what: String, allowed: Set<String>?) throws -> [String: Int] {
            guard let node else { return [:] }
            guard let m = node.mapping else { throw fail(node, "\(what) must be a mapping of name to count") }
            var out: [String: Int] = [:]
            for (k, v) in m {
                guard let key = k.string else { throw fail(k, "\(what): keys must be names") }
                if let allowed, !allowed.contains(key) {
                    throw fail(k, "\(what): '\(key)' is not one of \(allowed.sorted().joined(separator: ", "))")
                }
                out[key] = try count(v, "\(what).\(key)")
            }
            return out
        }

        let top = try mapping(root, "a policy", keys: topKeys)
        guard let version = top["version"]?.int else { throw fail(root, "missing 'version: 1'") }
        guard version == supportedVersion else {
            throw fail(top["version"], "policy format version \(version); this Scrubjay reads version \(supportedVersion)")
        }
        guard let name = top["policy"]?.string, !name.isEmpty else { throw fail(root, "missing 'policy: NAME'") }
        guard name.utf8.allSatisfy({ $0 < 0x80 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber || "_.-".utf8.contains($0)) }) else {
            throw fail(top["policy"], "a policy name is letters, digits, '_', '.', '-'")
        }
        let unknown = try outcome(top["unknown"], "unknown", default: .fail)

        var groups = Regions.builtinGroups
        if let g = top["region_groups"] {
            guard let m = g.mapping else { throw fail(g, "region_groups must map a group name to a list of regions") }
            for (k, v) in m {
                guard let key = k.string else { throw fail(k, "region_groups: keys must be names") }
                groups[key] = try strings(v, "region_groups.\(key)")
            }
            if let cycle = PolicyLoader.groupCycle(groups) {
                throw fail(g, "region_groups: '\(cycle[0])' includes itself (\(cycle.joined(separator: " → ")))")
            }
        }

        var policy = Policy(name: name, description: top["description"]?.string ?? "", file: file, sha256: sha256,
                            unknown: unknown, regionGroups: groups, exceptions: [])
        if let req = top["require"] {
            let r = try mapping(req, "require", keys: Set(Policy.Requirement.allCases.map(\.rawValue)))
            func allowList(_ key: Policy.Requirement) throws -> Policy.AllowList? {
                guard let n = r[key.rawValue] else { return nil }
                let m = try mapping(n, key.rawValue, keys: allowListKeys)
                return Policy.AllowList(allow: try strings(m["allow"], "\(key.rawValue).allow"),
                                        violation: try outcome(m["violation"], "\(key.rawValue).violation", default: .fail),
                                        unknown: try outcome(m["unknown"], "\(key.rawValue).unknown", default: unknown))
            }
            policy.ingestHost = try allowList(.ingest_host)
            policy.storageRegion = try allowList(.storage_region)
            policy.siteHosts = try allowList(.site_hosts)
            policy.assetHosts = try allowList(.asset_hosts)
            policy.networkHosts = try allowList(.network_hosts)
            if let n = r["rules_applied"] {
                let m = try mapping(n, "rules_applied", keys: rulesKeys)
                var actions: [String: [String]] = [:]
                if let a = m["actions"] {
                    guard let am = a.mapping else { throw fail(a, "rules_applied.actions must map a rule id or category to a list of actions") }
                    for (k, v) in am {
                        guard let key = k.string else { throw fail(k, "rules_applied.actions: keys must be rule ids or categories") }
                        let list = try strings(v, "rules_applied.actions.\(key)")
                        for action in list where !knownActions.contains(action) {
                            throw fail(v, "rules_applied.actions.\(key): '\(action)' is not an action (\(knownActions.sorted().joined(separator: ", ")))")
                        }
                        actions[key] = list
                    }
                }
                let categories = try strings(m["categories"], "rules_applied.categories")
                for c in categories where !knownCategories.contains(c) {
                    throw fail(m["categories"], "rules_applied.categories: '\(c)' is not a category (\(knownCategories.sorted().joined(separator: ", ")))")
                }
                policy.rulesApplied = Policy.RulesRequirement(
                    files: try strings(m["files"], "rules_applied.files"), categories: categories,
                    rules: try strings(m["rules"], "rules_applied.rules"), actions: actions,
                    violation: try outcome(m["violation"], "rules_applied.violation", default: .fail),
                    unknown: try outcome(m["unknown"], "rules_applied.unknown", default: unknown))
            }
            if let n = r["rescan"] {
                let m = try mapping(n, "rescan", keys: rescanKeys)
                guard let mf = m["max_findings"] else { throw fail(n, "rescan needs max_findings") }
                let limits = try mapping(mf, "rescan.max_findings", keys: maxFindingsKeys)
                policy.rescan = Policy.RescanRequirement(
                    maxTotal: try limits["total"].map { try count($0, "rescan.max_findings.total") },
                    maxBySeverity: try counts(limits["severity"], "rescan.max_findings.severity", allowed: ["low", "medium", "high"]),
                    maxByCategory: try counts(limits["category"], "rescan.max_findings.category", allowed: knownCategories),
                    maxByRule: try counts(limits["rule"], "rescan.max_findings.rule", allowed: nil),
                    violation: try outcome(m["violation"], "rescan.violation", default: .fail),
                    unknown: try outcome(m["unknown"], "rescan.unknown", default: unknown))
            }
            if let n = r["signature"] {
                let m = try mapping(n, "signature", keys: signatureKeys)
                let ids = try strings(m["key_ids"], "signature.key_ids")
                for id in ids where !id.hasPrefix("sha256:") {
                    throw fail(m["key_ids"], "signature.key_ids: '\(id)' is not a key id (sha256:<hex>, as `scrubjay keygen` prints)")
                }
                policy.signature = Policy.SignatureRequirement(
                    keyIds: ids, violation: try outcome(m["violation"], "signature.violation", default: .fail),
                    unknown: try outcome(m["unknown"], "signature.unknown", default: unknown))
            }
            if let n = r["max_age"] {
                let m: Node.Mapping
                if n.scalar != nil {
                    m = Node.Mapping([(Node("max"), n)])
                } else {
                    m = try mapping(n, "max_age", keys: ageKeys)
                }
                guard let text = m["max"]?.string, let seconds = duration(text) else {
                    throw fail(m["max"] ?? n, "max_age must be a duration such as 90d, 12h, 30m or 2w")
                }
                policy.maxAge = Policy.AgeRequirement(
                    seconds: seconds, text: text, violation: try outcome(m["violation"], "max_age.violation", default: .fail),
                    unknown: try outcome(m["unknown"], "max_age.unknown", default: unknown))
            }
        }
        // Every region or group a policy names must be one it knows of (a typo would otherwise
        // silently allow nothing).
        if let req = policy.storageRegion {
            for entry in req.allow where groups[entry] == nil && !entry.contains("*") && !entry.contains("-") && !isKnownRegion(entry, groups) {
                throw fail((top["require"]?.mapping?["storage_region"]?.mapping?["allow"]), "storage_region.allow: '\(entry)' is neither a region group (\(groups.keys.sorted().joined(separator: ", "))) nor a known region")
            }
        }

        if let ex = top["exceptions"] {
            guard let seq = ex.sequence else { throw fail(ex, "exceptions must be a list") }
            for item in seq {
                let m = try mapping(item, "an exception", keys: exceptionKeys)
                guard let rs = m["requirement"]?.string, let requirement = Policy.Requirement(rawValue: rs) else {
                    throw fail(m["requirement"] ?? item, "an exception needs 'requirement:' naming one of \(Policy.Requirement.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard let reason = m["reason"]?.string, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw fail(item, "an exception needs a 'reason:'")
                }
                guard let expiresNode = m["expires"], let expiresText = expiresNode.string else {
                    throw fail(item, "an exception needs 'expires:' (a date such as 2027-06-30, or an RFC 3339 time)")
                }
                guard let expires = expiry(expiresText) else {
                    throw fail(expiresNode, "expires: '\(expiresText)' is neither a date such as 2027-06-30 nor an RFC 3339 time")
                }
                policy.exceptions.append(PolicyException(requirement: requirement, match: m["match"]?.string, reason: reason,
                                                         expires: expires, expiresText: expiresText, line: item.mark?.line))
            }
        }
        return policy
    }

    static let knownActions: Set<String> = ["mask", "replace", "remove", "hash", "keep_last"]
    static let knownCategories: Set<String> = [
        "contact", "financial", "government_id", "credential", "network", "location", "identifier", "free_text",
    ]

    static func isKnownRegion(_ region: String, _ groups: [String: [String]]) -> Bool {
        groups.values.contains { $0.contains(region) }
    }

    /// `90d`, `12h`, `30m`, `45s`, `2w` in seconds.
    static func duration(_ text: String) -> Double? {
        guard let unit = text.last, let n = Double(text.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        case "w": return n * 7 * 86400
        default: return nil
        }
    }

    /// A date (`2027-06-30`: the end of that day, UTC) or an RFC 3339 time.
    static func expiry(_ text: String) -> Date? {
        if let d = PackageWriter.parseTimestamp(text) { return d }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        f.timeZone = TimeZone(identifier: "UTC")
        if text.count == 10, let d = f.date(from: text) { return d.addingTimeInterval(86400 - 1) }
        return nil
    }
}
