import Yams

/// The line and a one-line explanation of a YAML syntax error, for the `file:line: ...`
/// messages of rule packs, policies and trust files (Yams' own description spans lines,
/// quotes the file and puts the line after the file name's colon).
public enum YAMLProblem {
    public static func of(_ e: YamlError) -> (line: Int?, problem: String) {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return (mark.line, (context.map { $0.text + " " } ?? "") + problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            return (context.mark.line, "a key is given twice: " + duplicates.sorted().joined(separator: ", "))
        case let .reader(problem, _, _, _):
            return (nil, problem)
        default:
            return (nil, e.description)
        }
    }
}
