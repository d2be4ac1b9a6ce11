/// The packs in use for a run: the built-in defaults, or the files given with `--rules`.
public struct RuleSet: Sendable {
    /// The built-in packs that apply when no `--rules` is given (docs/RULES.md).
    public static let defaultPackFiles = ["default.yml", "network.yml", "privacy-markers.yml"]

    public let packs: [RulePack]
    public let engine: RuleEngine

    public init(packs: [RulePack]) {
        self.packs = packs
        self.engine = RuleEngine(packs: packs)
    }

    /// The default packs, compiled into the binary.
    public static func defaults() throws -> RuleSet {
        let chosen = BuiltinPacks.all.filter { defaultPackFiles.contains($0.name) }
        return RuleSet(packs: try RulePackLoader.load(builtin: chosen))
    }

    /// Every built-in pack (for `rules list --all`).
    public static func builtin() throws -> RuleSet {
        RuleSet(packs: try RulePackLoader.load(builtin: BuiltinPacks.all))
    }

    /// The packs at `paths` (files or directories), or the defaults when `paths` is empty.
    public static func load(_ paths: [String]) throws -> RuleSet {
        paths.isEmpty ? try defaults() : RuleSet(packs: try RulePackLoader.load(paths: paths))
    }

    /// The rule with `id`, and the pack it came from.
    public func rule(_ id: String) -> (Rule, RulePack)? {
        for p in packs { if let r = p.rules.first(where: { $0.id == id }) { return (r, p) } }
        return nil
    }
}
