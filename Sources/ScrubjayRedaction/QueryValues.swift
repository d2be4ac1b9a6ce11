#if canImport(Glibc)
import Glibc
#endif
import ScrubjayJSON
import ScrubjayRules

/// Pattern rules on the query values of a URL that are percent-encoded: an email written
/// `u=ana%40shop.test` or a phone number `tel=%2B44+20+7946+0958` is found as it reads
/// decoded, rewritten, and percent-encoded again (docs/RULES.md, "Field paths"). A value
/// without escapes is left to the scan of the whole URL, which sees it as it is, and so is
/// a value a match of that scan takes whole or reaches past (`decodedQueryMatches`): no
/// value is counted twice.
extension Redactor {
    /// A query value's raw bytes (`range` in the URL), decoded, and what rules find in it.
    fileprivate struct DecodedQueryValue {
        let range: Range<Int>
        let decoded: [UInt8]
        let matches: [RuleMatch]
    }

    /// The percent-encoded query values of `url` in which pattern rules find something. A
    /// string may hold several URLs (`srcset`): each `?` starts a query, which ends at a `#`
    /// or at white space (a URL holds none). A match of the whole URL (`taken`) that takes
    /// all of a value (a rule on sensitive parameters), or reaches outside it, keeps the value
    /// from being read decoded: that match rewrites it. One that takes part of it is dropped
    /// from `taken` when the decoded value has findings (the value is then read whole,
    /// decoded, where the same text is found again).
    private mutating func decodedQueryMatches(_ url: UnsafeRawBufferPointer, besides taken: inout [RuleMatch]) -> [DecodedQueryValue] {
        guard let base = url.baseAddress, memchr(base, Int32(UInt8(ascii: "?")), url.count) != nil else { return [] }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var found: [DecodedQueryValue] = []
        var at = 0
        while let question = url[at...].firstIndex(of: UInt8(ascii: "?")) {
            let end = url[question...].firstIndex { $0 == UInt8(ascii: "#") || isSpace($0) } ?? url.count
            at = end
            guard url[question..<end].contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { continue }
            var start = question + 1
            while start < end {
                let pairEnd = url[start..<end].firstIndex(of: UInt8(ascii: "&")) ?? end
                defer { start = pairEnd + 1 }
                guard let equals = url[start..<pairEnd].firstIndex(of: UInt8(ascii: "=")) else { continue }
                let r = (equals + 1)..<pairEnd
                guard url[r].contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }),
                      !taken.contains(where: { $0.range.overlaps(r) && (!r.contains($0.range) || $0.range == r) }),
                      let decoded = FormEncoded.decodeLeniently(Array(url[r])) else { continue }
                let matches = decoded.withUnsafeBytes { engine.matches(in: $0, channel: .url, counters: &counts.prefilter) }
                guard !matches.isEmpty else { continue }
                taken.removeAll { r.contains($0.range) }
                found.append(DecodedQueryValue(range: r, decoded: decoded, matches: matches))
            }
        }
        return found
    }

    /// When pattern rules find something in a percent-encoded query value of `url` (string
    /// `v` of `e`) read decoded: records every finding, the whole URL's (`matches`) and the
    /// values', rewrites `v` when redacting, and returns true. Otherwise false: `matches`
    /// are the caller's to apply.
    mutating func handledQueryValues(_ url: UnsafeRawBufferPointer, _ matches: inout [RuleMatch], _ v: JSONValueRef, in e: JSONEvent,
                                     nodeId: Int?, _ place: inout Place, _ edits: inout JSONEdits,
                                     pointer: () -> String, timestamp: () -> Double?) -> Bool {
        let values = decodedQueryMatches(url, besides: &matches)
        guard !values.isEmpty else { return false }
        if let out = applyURL(matches, values, in: url, nodeId: nodeId, &place, pointer: pointer, timestamp: timestamp) {
            counts.stringsChanged += 1
            edits.replace(v, in: e, withStringUTF8: out)
        }
        return true
    }

    /// Records the findings of `matches` (in `url`) and of `values`, and returns the URL
    /// rewritten when redacting (nil otherwise): each match by its rule, each value decoded,
    /// rewritten and percent-encoded again.
    private mutating func applyURL(_ matches: [RuleMatch], _ values: [DecodedQueryValue], in url: UnsafeRawBufferPointer, nodeId: Int?,
                           _ place: inout Place, pointer: () -> String, timestamp: () -> Double?) -> [UInt8]? {
        let first = findings.count
        record(matches, in: url, channel: .url, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp)
        var firstOfValue: [Int] = []
        for v in values {
            firstOfValue.append(findings.count)
            v.decoded.withUnsafeBytes { record(v.matches, in: $0, channel: .url, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp) }
        }
        guard mode == .redact else { return nil }
        var out: [UInt8] = []
        var cursor = 0, m = 0, d = 0
        while m < matches.count || d < values.count {
            if d == values.count || (m < matches.count && matches[m].range.lowerBound < values[d].range.lowerBound) {
                let match = matches[m]
                out += UnsafeRawBufferPointer(rebasing: url[cursor..<match.range.lowerBound])
                let pseudonym = engine.appendRewrite(of: match, in: url, key: pseudonymKey, to: &out)
                if collectFindings, let pseudonym { findings[first + m].pseudonym = pseudonym }
                cursor = match.range.upperBound
                m += 1
            } else {
                let v = values[d]
                out += UnsafeRawBufferPointer(rebasing: url[cursor..<v.range.lowerBound])
                let first = firstOfValue[d]
                out += FormEncoded.encode(v.decoded.withUnsafeBytes { rewritten($0, v.matches, channel: .url, firstFinding: first) })
                cursor = v.range.upperBound
                d += 1
            }
        }
        out += UnsafeRawBufferPointer(rebasing: url[cursor...])
        return out
    }
}
