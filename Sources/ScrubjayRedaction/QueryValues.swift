#if canImport(Glibc)
import Glibc
#endif
import ScrubjayJSON
import ScrubjayRules

/// Pattern rules on the parts of a URL that are percent-encoded (query values and names,
/// path segments): an email written `u=ana%40shop.test` or `/users/ana%40shop.test`, or a
/// phone number `tel=%2B44+20+7946+0958`, is found as it reads decoded, rewritten, and
/// percent-encoded again (docs/RULES.md, "Channels"). A part without escapes is left to the
/// scan of the whole URL, which sees it as it is, and so is a part a match of that scan
/// takes whole or reaches past (`decodedQueryMatches`): no value is counted twice. Strings
/// of other channels that are URLs (`URLText.isURL`: a `$pageview`'s page, a navigation's
/// target) are read so too, and so are the URLs of a stylesheet (`url()` arguments and
/// strings, `Redactor.handleText`).
extension Redactor {
    /// A part's raw bytes (`range` in the URL), decoded, and what rules find in it.
    struct DecodedQueryValue {
        let range: Range<Int>
        let decoded: [UInt8]
        let matches: [RuleMatch]
        /// For a part encoded more than once (`ana%2540shop.test`): each decoded byte's offset
        /// in the part, and the rounds of decoding (`PercentText`). A match is then rewritten
        /// over the bytes it came from, encoded as many times; the rest of the part stays.
        var origin: [Int]? = nil
        var rounds = 1
    }

    /// The percent-encoded parts of `url` in which pattern rules find something: query values
    /// and names (`+` a space) and path segments (`/users/ana%40shop.test`), those of the
    /// fragment too (a hash route). A string may hold several URLs (`srcset`): each run
    /// without white space is one, its query starting at a `?` and ending at a `#`. A match of the whole URL (`taken`) that takes all of a
    /// part (a rule on sensitive parameters), or reaches outside it, keeps the part from being
    /// read decoded: that match rewrites it. One that takes some of it is dropped from
    /// `taken` when the decoded part has findings (the part is then read whole, decoded,
    /// where the same text is found again).
    mutating func decodedQueryMatches(_ url: UnsafeRawBufferPointer, channel: Channel, besides taken: inout [RuleMatch]) -> [DecodedQueryValue] {
        guard let base = url.baseAddress,
              memchr(base, Int32(UInt8(ascii: "%")), url.count) != nil || memchr(base, Int32(UInt8(ascii: "+")), url.count) != nil else { return [] }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var found: [DecodedQueryValue] = []
        // Parts come in order and `taken` is sorted and without overlaps: one cursor over it
        // (`next`) finds the matches near each part, and those a part takes are marked, so the
        // work stays linear in the URL however many parts and matches it holds.
        var next = 0
        var dropped = [Bool](repeating: false, count: taken.count)
        func consider(_ r: Range<Int>, plusIsSpace: Bool) {
            guard !r.isEmpty, url[r].contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return }
            while next < taken.count && taken[next].range.upperBound <= r.lowerBound { next += 1 }
            var k = next
            while k < taken.count && taken[k].range.lowerBound < r.upperBound {
                let m = taken[k].range
                if m.overlaps(r) && (!r.contains(m) || m == r) { return } // a match that decides this part
                k += 1
            }
            guard var decoded = plusIsSpace ? FormEncoded.decodeLeniently(Array(url[r])) : FormEncoded.decodePathSegment(Array(url[r])) else { return }
            // Text that still holds escapes once decoded was encoded twice (or more): read on.
            var origin: [Int]? = nil, rounds = 1
            if decoded.contains(UInt8(ascii: "%")), decoded.withUnsafeBytes(PercentText.holdsEscape),
               let again = PercentText.decode(UnsafeRawBufferPointer(rebasing: url[r]), plusIsSpace: plusIsSpace), again.rounds > 1 {
                decoded = again.text
                origin = again.origin
                rounds = again.rounds
            }
            let matches = decoded.withUnsafeBytes { ruleMatches($0, channel) }
            guard !matches.isEmpty else { return }
            for j in next..<k where r.contains(taken[j].range) { dropped[j] = true }
            found.append(DecodedQueryValue(range: r, decoded: decoded, matches: matches, origin: origin, rounds: rounds))
        }
        defer {
            if dropped.contains(true) { taken = zip(taken, dropped).filter { !$0.1 }.map(\.0) }
        }
        /// The path segments of `from..<to` (and the scheme and host, which hold no escapes in
        /// practice) before `query` (a `?`, or the byte before `from` when all is query), then
        /// the query's names and values.
        func parts(_ from: Int, _ to: Int, query: Int?) {
            var segment = from
            let pathEnd = query ?? to
            while segment < pathEnd {
                let slash = url[segment..<pathEnd].firstIndex(of: UInt8(ascii: "/")) ?? pathEnd
                consider(segment..<slash, plusIsSpace: false)
                segment = slash + 1
            }
            guard let query else { return }
            var pair = query + 1
            while pair < to {
                let pairEnd = url[pair..<to].firstIndex(of: UInt8(ascii: "&")) ?? to
                if let equals = url[pair..<pairEnd].firstIndex(of: UInt8(ascii: "=")) {
                    consider(pair..<equals, plusIsSpace: true)
                    consider((equals + 1)..<pairEnd, plusIsSpace: true)
                } else {
                    consider(pair..<pairEnd, plusIsSpace: true)
                }
                pair = pairEnd + 1
            }
        }
        var at = 0
        while at < url.count {
            while at < url.count && isSpace(url[at]) { at += 1 }
            let start = at
            while at < url.count && !isSpace(url[at]) { at += 1 }
            let end = at
            guard start < end else { continue }
            let fragment = url[start..<end].firstIndex(of: UInt8(ascii: "#")) ?? end
            parts(start, fragment, query: url[start..<fragment].firstIndex(of: UInt8(ascii: "?")))
            // A fragment is read as a path and a query too: a hash route (`#/users/ana%40shop.test`,
            // `#/find?q=...`) or parameters alone (`#email=...&state=...`).
            if fragment + 1 < end {
                let f = fragment + 1
                let question = url[f..<end].firstIndex(of: UInt8(ascii: "?"))
                parts(f, end, query: question ?? (url[f..<end].contains(UInt8(ascii: "=")) ? f - 1 : nil))
            }
        }
        return found
    }

    /// When pattern rules find something in a percent-encoded part of `url` (string
    /// `v` of `e`) read decoded: records every finding, the whole URL's (`matches`) and the
    /// values', rewrites `v` when redacting, and returns true. Otherwise false: `matches`
    /// are the caller's to apply.
    mutating func handledQueryValues(_ url: UnsafeRawBufferPointer, _ matches: inout [RuleMatch], _ v: JSONValueRef, in e: JSONEvent,
                                     channel: Channel = .url, nodeId: Int?, _ place: inout Place, _ edits: inout JSONEdits,
                                     pointer: () -> String, timestamp: () -> Double?) -> Bool {
        let values = decodedQueryMatches(url, channel: channel, besides: &matches)
        guard !values.isEmpty else { return false }
        if let out = applyURL(matches, values, in: url, channel: channel, nodeId: nodeId, &place, pointer: pointer, timestamp: timestamp) {
            counts.stringsChanged += 1
            edits.replace(v, in: e, withStringUTF8: out)
        }
        return true
    }

    /// Records the findings of `matches` (in `url`) and of `values`, and returns the URL
    /// rewritten when redacting (nil otherwise): each match by its rule, each value decoded,
    /// rewritten and percent-encoded again.
    mutating func applyURL(_ matches: [RuleMatch], _ values: [DecodedQueryValue], in url: UnsafeRawBufferPointer, channel: Channel, nodeId: Int?,
                           _ place: inout Place, pointer: () -> String, timestamp: () -> Double?) -> [UInt8]? {
        let first = findings.count
        record(matches, in: url, channel: channel, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp)
        var firstOfValue: [Int] = []
        for v in values {
            firstOfValue.append(findings.count)
            v.decoded.withUnsafeBytes { record(v.matches, in: $0, channel: channel, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp) }
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
                // Written for a URL (percent-encoded); in a stylesheet, its caller escapes it for CSS.
                if let origin = v.origin {
                    let rounds = v.rounds
                    let view = DecodedView(text: v.decoded, origin: origin) { text in
                        var out = text
                        for _ in 0..<rounds { out = FormEncoded.encode(out) }
                        return out
                    }
                    out += rewritten(UnsafeRawBufferPointer(rebasing: url[v.range]), view, rawMatches: [], v.matches, firstRaw: first, firstDecoded: first)
                } else {
                    out += FormEncoded.encode(v.decoded.withUnsafeBytes { rewritten($0, v.matches, channel: .url, firstFinding: first) })
                }
                cursor = v.range.upperBound
                d += 1
            }
        }
        out += UnsafeRawBufferPointer(rebasing: url[cursor...])
        return out
    }
}
