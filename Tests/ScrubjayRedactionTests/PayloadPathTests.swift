import Testing
import ScrubjayJSON
import ScrubjayRules
@testable import ScrubjayRedaction

/// `PayloadPath` works out the field rules selecting each place as a walk goes; it must give
/// exactly what testing every path against the whole place gives (`FieldPath.selects`).
@Suite("Payload paths")
struct PayloadPathTests {
    /// Paths of every shape: names, globs, quoted names, `*`, `**` at the start, middle and
    /// end, indices, `[*]`, none at all, and URL parts (which select where their path does).
    static let texts = [
        "event", "event.**", "event.*", "event.type", "event.data.*", "event.data.**.id", "event.**.childNodes[*].id",
        "event.**.attributes.*", "event.data.adds[1].node", "event.\"type\"", "event.**.positions[*]", "event.*.*.*",
        "event.**.*name*", "event.data.node.childNodes[0].**", "event[0]", "event.**.**.textContent", "event.data.**.x.**",
        "event.*.source", "event.**[2]", "network.url.query.session", "network.url.userinfo",
    ]

    @Test(arguments: [
        "rrweb/record--record-captures-stylesheet-rules-1.json",
        "rrweb/integration--record-integration-tests-can-record-form-interactions-1.json",
        "relay/rrweb-request.json",
        "synthetic/synthetic-seed7.json",
    ])
    func agreesWithTestingEveryPathAtEveryPlace(_ name: String) throws {
        let parsed = try Self.texts.map { try FieldPath(parsing: $0) }
        // Two rules per path, so a rule with a selecting path and one that does not is seen too.
        var candidates: [(rule: Int, path: FieldPath)] = []
        for i in parsed.indices {
            candidates.append((rule: 2 * i, path: parsed[i]))
            candidates.append((rule: 2 * i + 1, path: parsed[(i + 5) % parsed.count]))
        }
        var reader = try EventReader(bytes: try JSONBytes(contentsOfFile: fixtures + "/" + name))
        var places = 0, selected = 0
        let arranged = PayloadPath.Candidates(candidates)
        // One path reused across events (`reset`, as network events do) and a new one for
        // every other event: both must select alike.
        var reused = PayloadPath()
        while let e = try reader.next() {
            var path = e.index % 2 == 0 ? PayloadPath(candidates: arranged) : reused
            if e.index % 2 == 1 { path.reset(candidates: arranged) }
            defer { if e.index % 2 == 1 { reused = path } }
            func check() {
                let comps = path.place.components
                var expected: [Int] = [], expectedURL: [Int] = []
                for (rule, p) in candidates where p.selects(comps) {
                    if p.urlPart == nil { expected.append(rule) } else { expectedURL.append(rule) }
                }
                #expect(path.rules == expected, "\(name) event \(e.index) at \(comps)")
                #expect(path.urlPartRules == expectedURL, "\(name) event \(e.index) at \(comps)")
                places += 1
                selected += expected.count
            }
            func walk(_ v: JSONValueRef) {
                check()
                switch e.kind(v) {
                case .object:
                    e.forEachMember(of: v) { key, value in
                        e.stringBytes(key).withUnsafeBytes { path.push(name: $0) }
                        walk(value)
                        path.pop()
                    }
                case .array:
                    var i = 0
                    e.forEachChild(of: v) { child in
                        path.push(index: i)
                        walk(child)
                        path.pop()
                        i += 1
                    }
                default:
                    break
                }
            }
            walk(e.root)
            #expect(path.depth == 0)
        }
        #expect(places > 20 && selected > places) // the recordings exercise the paths
    }

    @Test func withoutCandidatesNothingIsSelectedAndNamesAreNotRead() {
        var path = PayloadPath()
        #expect(!path.readsNames)
        Array("name".utf8).withUnsafeBytes { path.push(name: $0) }
        path.push(index: 3)
        #expect(path.depth == 2 && path.place.count == 0 && path.rules.isEmpty && path.urlPartRules.isEmpty)
        path.pop()
        path.pop()
        #expect(path.depth == 0)
    }
}
