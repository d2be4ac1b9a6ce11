import Foundation
import ScrubjayDOM
import ScrubjayNative
import Yams

/// A loaded pack: its name and rules, and where it came from.
public struct RulePack: Sendable {
    public let name: String
    public let description: String
    /// The file (or `builtin:<name>.yml` for packs compiled into the binary).
    public let file: String
    /// SHA-256 of the file's bytes, lower-case hex (recorded in manifests later).
    public let sha256: String
    public let rules: [Rule]
}

/// Reads rule packs (docs/RULES.md) into compiled rules, with errors that name file, line and rule.
public enum RulePackLoader {
    /// The rule format versions this release reads.
    public static let supportedVersion = 1

    static let packKeys: Set<String> = ["version", "pack", "description", "include", "rules"]
    static let ruleKeys: Set<String> = [
        "id", "description", "category", "severity", "channels", "kind", "paths", "pattern", "flags", "group", "keywords", "min_digits", "min_keyword_count",
        "min_letters", "min_digit_run", "min_alnum_run", "requires", "validator", "min_entropy", "allow", "action", "replacement", "examples", "selector", "attributes", "scope", "learn_from",
    ]

    /// Loads the packs at `paths` (files, or directories whose `*.yml`/`*.yaml` files are read
    /// in name order), following `include`s. Each file is read once.
    public static func load(paths: [String]) throws -> [RulePack] {
        var packs: [RulePack] = []
        var seen: Set<String> = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RuleError(file: path, line: nil, ruleId: nil, message: "no such file or directory")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
                guard !names.isEmpty else {
                    // Zero rules would find nothing, and a redaction would rewrite nothing.
                    throw RuleError(file: path, line: nil, ruleId: nil, message: "a directory with no rule packs (no *.yml or *.yaml file)")
                }
                for n in names { try loadFile((path as NSString).appendingPathComponent(n), into: &packs, seen: &seen) }
            } else {
                try loadFile(path, into: &packs, seen: &seen)
            }
        }
        try checkAcrossPacks(packs)
        return packs
    }

    /// Loads packs from text (the packs compiled into the binary).
    public static func load(builtin: [(name: String, text: String)]) throws -> [RulePack] {
        let packs = try builtin.map { try parse(text: $0.text, file: "builtin:\($0.name)", includeBase: nil).pack }
        try checkAcrossPacks(packs)
        return packs
    }

    /// What one pack alone cannot tell: rule ids are unique across the packs of a run, and
    /// an echo rule's `learn_from` names rules of the run that can teach it a value.
    static func checkAcrossPacks(_ packs: [RulePack]) throws {
        var where_: [String: SourceLocation] = [:]
        let rules = packs.flatMap(\.rules)
        for r in rules {
            if let first = where_[r.id] {
                throw RuleError(file: r.source.file, line: r.source.line, ruleId: r.id, message: "duplicate rule id (first defined at \(first))")
            }
            where_[r.id] = r.source
        }
        let byId = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for r in rules where r.kind == .echo {
            for name in r.learnFrom {
                guard let source = byId[name] else {
                    throw RuleError(file: r.source.file, line: r.source.line, ruleId: r.id,
                                    message: "learn_from names '\(name)', which is not a rule of the packs in use")
                }
                guard source.teachesEchoes else {
                    throw RuleError(file: r.source.file, line: r.source.line, ruleId: r.id,
                                    message: "learn_from names '\(name)', which rewrites no value an echo rule can learn (a selector rule that masks text or input, or an attribute or field rule)")
                }
            }
        }
    }

    static func loadFile(_ path: String, into packs: inout [RulePack], seen: inout Set<String>) throws {
        let canonical = (path as NSString).standardizingPath
        guard seen.insert(canonical).inserted else { return }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleError(file: path, line: nil, ruleId: nil, message: "cannot read: \(error.localizedDescription)")
        }
        let (pack, includes) = try parse(text: text, file: path, includeBase: (path as NSString).deletingLastPathComponent)
        for inc in includes { try loadFile(inc, into: &packs, seen: &seen) }
        packs.append(pack)
    }

    /// Parses one pack. Returns it and the absolute paths it includes.
    static func parse(text: String, file: String, includeBase: String?) throws -> (pack: RulePack, includes: [String]) {
        let root: Node
        do {
            // The basic resolver: no regular expression run on every scalar to guess its type
            // (the loader asks for the types it expects: `int`, `float`, `string`).
            guard let node = try Yams.compose(yaml: text, .basic) else {
                throw RuleError(file: file, line: nil, ruleId: nil, message: "the file is empty")
            }
            root = node
        } catch let e as RuleError {
            throw e
        } catch let e as YamlError {
            let (line, problem) = YAMLProblem.of(e)
            throw RuleError(file: file, line: line, ruleId: nil, message: "not valid YAML: \(problem)")
        }
        func fail(_ node: Node?, _ rule: String?, _ message: String) -> RuleError {
            RuleError(file: file, line: node?.mark?.line, ruleId: rule, message: message)
        }
        guard let top = root.mapping.map(Members.init) else { throw fail(root, nil, "a pack must be a mapping with version, pack and rules") }
        for (k, _) in top where !packKeys.contains(k.string ?? "") {
            throw fail(k, nil, "unknown key '\(k.string ?? "?")' (allowed: \(packKeys.sorted().joined(separator: ", ")))")
        }
        guard let version = top["version"]?.int else { throw fail(root, nil, "missing 'version: 1'") }
        guard version == supportedVersion else {
            throw fail(top["version"], nil, "rule format version \(version); this Scrubjay reads version \(supportedVersion)")
        }
        guard let name = top["pack"]?.string else { throw fail(root, nil, "missing 'pack: NAME'") }
        var includes: [String] = []
        if let inc = top["include"] {
            guard let list = inc.sequence else { throw fail(inc, nil, "'include' must be a list of files") }
            for item in list {
                guard let s = item.string else { throw fail(item, nil, "'include' entries must be file names") }
                guard let base = includeBase else { throw fail(item, nil, "a built-in pack cannot include files") }
                includes.append(s.hasPrefix("/") ? s : (base as NSString).appendingPathComponent(s))
            }
        }
        var rules: [Rule] = []
        if let list = top["rules"] {
            guard let seq = list.sequence else { throw fail(list, nil, "'rules' must be a list") }
            for node in seq { rules.append(try parseRule(node, file: file)) }
        }
        let digest = Hex.encode(Digest.sha256(Array(text.utf8)))
        return (RulePack(name: name, description: top["description"]?.string ?? "", file: file, sha256: digest, rules: rules), includes)
    }

    /// An attribute name as HTML allows (no space, quote, `>`, `/`, `=`), `*` for any run.
    static func isAttributeGlob(_ name: String) -> Bool {
        let bad: Set<UInt8> = [0x22, 0x27, 0x3E, 0x2F, 0x3D]
        return !name.isEmpty && name.utf8.allSatisfy { b in b > 0x20 && !bad.contains(b) }
    }

    static func parseRule(_ node: Node, file: String) throws -> Rule {
        guard let m = node.mapping.map(Members.init) else {
            throw RuleError(file: file, line: node.mark?.line, ruleId: nil, message: "a rule must be a mapping")
        }
        let id = m["id"]?.string
        func fail(_ n: Node?, _ message: String) -> RuleError {
            RuleError(file: file, line: (n ?? node).mark?.line, ruleId: id, message: message)
        }
        for (k, _) in m where !ruleKeys.contains(k.string ?? "") {
            throw fail(k, "unknown key '\(k.string ?? "?")' (allowed: \(ruleKeys.sorted().joined(separator: ", ")))")
        }
        guard let id, !id.isEmpty, id.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || "_.-".utf8.contains($0) }) else {
            throw fail(m["id"], "every rule needs an 'id' of lower-case letters, digits, '_', '.', '-'")
        }
        func required(_ key: String) throws -> Node {
            guard let n = m[key] else { throw fail(nil, "missing '\(key)'") }
            return n
        }
        func oneOf<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T where T.RawValue == String {
            let n = try required(key)
            guard let s = n.string, let v = T(rawValue: s) else {
                throw fail(n, "'\(key)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return v
        }
        let category = try oneOf("category", RuleCategory.self)
        let severity = try oneOf("severity", Severity.self)
        let action = try oneOf("action", RuleAction.self)
        var kind = RuleKind.pattern
        if let k = m["kind"] {
            guard let s = k.string, let v = RuleKind(rawValue: s) else {
                throw fail(k, "kind '\(k.string ?? "?")' is not supported by this release (supported: \(RuleKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            kind = v
        }
        var channels = Set(Channel.allCases)
        var paths: [FieldPath] = []
        if kind == .field {
            if let c = m["channels"] { throw fail(c, "a field rule has 'paths', not 'channels'") }
            channels = []
            guard let seq = try required("paths").sequence, !seq.isEmpty else { throw fail(m["paths"], "'paths' must be a list of field paths") }
            for item in seq {
                guard let text = item.string else { throw fail(item, "a field path must be a string") }
                do { paths.append(try FieldPath(parsing: text)) } catch {
                    throw fail(item, "invalid field path '\(text)': \(error)")
                }
            }
            if action == .drop_body, let p = paths.first(where: { !$0.root.isBody }) {
                throw fail(m["action"], "drop_body needs paths in network.request.body or network.response.body ('\(p)' is not)")
            }
            if action == .drop_request, let p = paths.first(where: { !$0.root.isNetwork }) {
                throw fail(m["action"], "drop_request needs paths under network. ('\(p)' is not)")
            }
        } else {
            if let p = m["paths"] { throw fail(p, "'paths' belongs to field rules (kind: field)") }
            if !action.rewritesValue && !action.isElementAction { throw fail(m["action"], "\(action.rawValue) is an action of field rules (kind: field)") }
        }
        if let n = m["learn_from"], kind != .echo { throw fail(n, "'learn_from' belongs to echo rules (kind: echo)") }
        var learnFrom: [String] = []
        var selector: SelectorList?
        var attributeNames: [[UInt8]] = []
        var scope = SelectorScope.element
        if let n = m["scope"], kind != .attribute { throw fail(n, "'scope' belongs to attribute rules (kind: attribute)") }
        switch kind {
        case .selector, .attribute:
            if let c = m["channels"] { throw fail(c, "a \(kind.rawValue) rule applies to elements, not 'channels'") }
            channels = []
            if let n = m["selector"] {
                guard let text = n.string else { throw fail(n, "'selector' must be a string") }
                do { selector = try SelectorList(text) } catch {
                    throw fail(n, "invalid selector '\(text)': \(error)")
                }
            } else if kind == .selector {
                throw fail(nil, "missing 'selector'")
            }
            if kind == .selector {
                if let a = m["attributes"] { throw fail(a, "'attributes' belongs to attribute rules (kind: attribute)") }
                if let p = m["pattern"] { throw fail(p, "a selector rule acts on whole elements: no 'pattern'") }
                guard action.isElementAction else {
                    throw fail(m["action"], "a selector rule's action is mask_text, mask_input, block or ignore_input")
                }
            } else {
                guard let seq = try required("attributes").sequence, !seq.isEmpty else {
                    throw fail(m["attributes"], "'attributes' must be a list of attribute names or globs")
                }
                for item in seq {
                    guard let name = item.string, RulePackLoader.isAttributeGlob(name) else {
                        throw fail(item, "'\(item.string ?? "?")' is not an attribute name or glob")
                    }
                    attributeNames.append(Array(name.lowercased().utf8))
                }
                guard action.rewritesValue else { throw fail(m["action"], "an attribute rule's action is mask, replace, remove, hash or keep_last") }
                if let n = m["scope"] {
                    guard let v = n.string.flatMap(SelectorScope.init(rawValue:)) else { throw fail(n, "'scope' is element or subtree") }
                    guard selector != nil else { throw fail(n, "'scope' needs a 'selector'") }
                    scope = v
                }
            }
        case .echo:
            // What an echo rule finds is what other rules learned: nothing of its own to match.
            for key in ["pattern", "flags", "group", "keywords", "min_digits", "min_keyword_count", "min_letters", "min_digit_run",
                        "min_alnum_run", "requires", "validator", "min_entropy", "selector", "attributes"] {
                if let n = m[key] { throw fail(n, "an echo rule finds the values other rules rewrote: no '\(key)'") }
            }
            guard action.rewritesValue else { throw fail(m["action"], "an echo rule's action is mask, replace, remove, hash or keep_last") }
            if let n = m["learn_from"] {
                guard let seq = n.sequence, !seq.isEmpty else { throw fail(n, "'learn_from' must be a list of rule ids") }
                for item in seq {
                    guard let ruleId = item.string, !ruleId.isEmpty else { throw fail(item, "'learn_from' entries are rule ids") }
                    learnFrom.append(ruleId)
                }
            }
        default:
            if action.isElementAction { throw fail(m["action"], "\(action.rawValue) is an action of selector rules (kind: selector)") }
            if let n = m["selector"] { throw fail(n, "'selector' belongs to selector and attribute rules") }
            if let n = m["attributes"] { throw fail(n, "'attributes' belongs to attribute rules (kind: attribute)") }
        }
        if let c = m["channels"] {
            guard let seq = c.sequence else { throw fail(c, "'channels' must be a list") }
            channels = []
            for item in seq {
                if item.string == "all" { channels = Set(Channel.allCases); continue }
                guard let s = item.string, let ch = Channel(rawValue: s) else {
                    throw fail(item, "unknown channel '\(item.string ?? "?")' (channels: all, \(Channel.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                channels.insert(ch)
            }
        }
        var options: PCRE2Regex.Options = [.utf]
        if let f = m["flags"] {
            for item in f.sequence ?? [] {
                switch item.string {
                case "caseless": options.insert(.caseInsensitive)
                case "multiline": options.insert(.multiline)
                case "dotall": options.insert(.dotAll)
                case "extended": options.insert(.extended)
                default: throw fail(item, "unknown flag '\(item.string ?? "?")' (flags: caseless, multiline, dotall, extended)")
                }
            }
        }
        // A field rule without a pattern matches its whole value.
        // An echo rule is armed later (`Rule.echoing`): until then it reads no channel.
        var echoChannels: Set<Channel> = []
        if kind == .echo { (echoChannels, channels) = (channels, []) }
        let patternNode = kind == .pattern ? try required("pattern")
            : kind == .echo ? Node(Rule.unarmedEchoPattern) : m["pattern"] ?? Node(Rule.wholeValuePattern)
        guard let patternText = patternNode.string else { throw fail(patternNode, "'pattern' must be a string") }
        let pattern: PCRE2Regex
        do { pattern = try PCRE2Regex(patternText, options: options) } catch {
            throw fail(patternNode, "invalid pattern: \(error)")
        }
        let group = m["group"]?.int ?? 0
        guard group >= 0 && group <= pattern.captureCount else {
            throw fail(m["group"], "group \(group) does not exist (the pattern has \(pattern.captureCount) groups)")
        }
        var validator: ValidatorKind?
        if let v = m["validator"] {
            guard let s = v.string, let k = ValidatorKind(rawValue: s) else {
                throw fail(v, "unknown validator '\(v.string ?? "?")' (validators: \(ValidatorKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            validator = k
        }
        // ASCII letters folded only, as the prefilter folds the text (a Unicode lower-casing
        // would turn `Ü` into `ü`, which no text folded so holds).
        let keywords = (m["keywords"]?.sequence ?? []).compactMap { $0.string.map(Prefilter.asciiLowercased) }
        if keywords.contains(where: \.isEmpty) { throw fail(m["keywords"], "a keyword cannot be empty") }
        var minDigits = 0
        if let d = m["min_digits"] {
            guard let n = d.int, n >= 0, n <= Rule.maxPrefilterCount else {
                throw fail(d, "'min_digits' must be a whole number from 0 to \(Rule.maxPrefilterCount)")
            }
            minDigits = n
        }
        var minKeywordCount = 1
        if let c = m["min_keyword_count"] {
            guard let n = c.int, n >= 1, n <= Rule.maxPrefilterCount else {
                throw fail(c, "'min_keyword_count' must be a whole number from 1 to \(Rule.maxPrefilterCount)")
            }
            guard !keywords.isEmpty else { throw fail(c, "'min_keyword_count' needs 'keywords'") }
            minKeywordCount = n
        }
        var shape = ShapeNeeds.none
        for (key, need) in [("min_letters", \ShapeNeeds.minLetters), ("min_digit_run", \.minDigitRun), ("min_alnum_run", \.minAlnumRun)] {
            guard let d = m[key] else { continue }
            guard let n = d.int, n >= 0, n <= Rule.maxPrefilterCount else {
                throw fail(d, "'\(key)' must be a whole number from 0 to \(Rule.maxPrefilterCount)")
            }
            shape[keyPath: need] = n
        }
        var requires: [[UInt8]] = []
        if let r = m["requires"] {
            guard let seq = r.sequence else { throw fail(r, "'requires' must be a list of texts") }
            for item in seq {
                guard let text = item.string, !text.isEmpty else { throw fail(item, "a 'requires' entry must be a text of one character or more") }
                requires.append(Prefilter.asciiLowercased(text))
            }
        }
        var allowValues: Set<String> = []
        var allowPatterns: [PCRE2Regex] = []
        if let allow = m["allow"] {
            guard let am = allow.mapping else { throw fail(allow, "'allow' must have 'values' and/or 'patterns'") }
            for (k, v) in am {
                switch k.string {
                case "values": allowValues = Set((v.sequence ?? []).compactMap(\.string))
                case "patterns":
                    for p in v.sequence ?? [] {
                        do { allowPatterns.append(try PCRE2Regex(p.string ?? "", options: [.utf])) } catch {
                            throw fail(p, "invalid allow pattern: \(error)")
                        }
                    }
                default: throw fail(k, "unknown key '\(k.string ?? "?")' in 'allow' (allowed: values, patterns)")
                }
            }
        }
        let replacement = m["replacement"]?.string ?? "[\(id)]"
        if action == .replace && m["replacement"] == nil { throw fail(nil, "action 'replace' needs a 'replacement'") }
        var matchExamples: [RuleExamples.Match] = []
        var noMatch: [(String, Int)] = []
        if let ex = m["examples"]?.mapping {
            for (k, v) in ex {
                switch k.string {
                case "match":
                    for item in v.sequence ?? [] {
                        let fields = item.mapping.map(Members.init)
                        guard let input = fields?["input"]?.string, let output = fields?["output"]?.string else {
                            throw fail(item, "a 'match' example needs 'input' and 'output'")
                        }
                        matchExamples.append(.init(input: input, output: output, line: item.mark?.line ?? 0))
                    }
                case "no_match":
                    for item in v.sequence ?? [] {
                        guard let s = item.string else { throw fail(item, "'no_match' entries are strings") }
                        noMatch.append((s, item.mark?.line ?? 0))
                    }
                default: throw fail(k, "unknown key '\(k.string ?? "?")' in 'examples' (allowed: match, no_match)")
                }
            }
        }
        return Rule(id: id, description: m["description"]?.string ?? "", category: category, severity: severity,
                    kind: kind, channels: channels, paths: paths, selector: selector, attributeNames: attributeNames, scope: scope, pattern: pattern, group: group, keywords: keywords, minDigits: minDigits, minKeywordCount: minKeywordCount, shape: shape, requires: requires, validator: validator,
                    minEntropy: m["min_entropy"]?.float ?? 3.5, allowValues: allowValues, allowPatterns: allowPatterns,
                    action: action, replacement: replacement,
                    examples: RuleExamples(match: matchExamples, noMatch: noMatch),
                    source: SourceLocation(file: file, line: node.mark?.line ?? 0), echoChannels: echoChannels, learnFrom: learnFrom)
    }
}

/// A YAML mapping's members, looked up by key text: one pass over the mapping, then
/// dictionary lookups. (Yams' own subscript compares whole nodes, resolving their tags, on
/// every lookup: most of the time of loading the built-in packs.) Iterates in file order,
/// keys as nodes, for errors that name a line.
struct Members: Sequence {
    let pairs: [(key: Node, value: Node)]
    private let byName: [String: Node]

    init(_ mapping: Node.Mapping) {
        pairs = mapping.map { ($0.key, $0.value) }
        var byName: [String: Node] = [:]
        for (k, v) in pairs { if let name = k.string, byName[name] == nil { byName[name] = v } }
        self.byName = byName
    }

    subscript(_ key: String) -> Node? { byName[key] }

    func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }
}
