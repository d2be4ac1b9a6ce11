#if canImport(Glibc)
import Glibc
#endif
import ScrubjayJSON
import ScrubjayRules

/// Percent-encoded text read as it decodes, with each decoded byte's origin in the text as
/// written: an email kept `ana%40shop.test` in a payload value, or encoded twice
/// (`ana%2540shop.test`) in a URL, is found as it reads, and only what a rule finds is
/// rewritten over the bytes it came from (docs/RULES.md, "Channels").
enum PercentText {
    /// Rounds of decoding at most: text still holding `%XX` after one is read again, up to this.
    static let maxRounds = 3

    /// Whether `raw` holds an escape (`%` and two hex digits).
    static func holdsEscape(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return false }
        var from = 0
        while from + 2 < raw.count, let hit = memchr(base + from, Int32(UInt8(ascii: "%")), raw.count - from) {
            let i = base.distance(to: UnsafeRawPointer(hit))
            if i + 2 < raw.count, FormEncoded.hexValue(raw[i + 1]) != nil, FormEncoded.hexValue(raw[i + 2]) != nil { return true }
            from = i + 1
        }
        return false
    }

    /// One round: each `%XX` decoded (and `+` a space when `plusIsSpace`), and for each byte of
    /// the result the offset in `raw` it came from (one past the end last). Nil when nothing is
    /// decoded or the result is not UTF-8 (rules read UTF-8 only).
    static func decodeOnce(_ raw: UnsafeRawBufferPointer, plusIsSpace: Bool) -> (text: [UInt8], origin: [Int])? {
        var text: [UInt8] = [], origin: [Int] = []
        text.reserveCapacity(raw.count)
        origin.reserveCapacity(raw.count + 1)
        var decoded = false, high = false
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b == UInt8(ascii: "%"), i + 2 < raw.count, let h = FormEncoded.hexValue(raw[i + 1]), let l = FormEncoded.hexValue(raw[i + 2]) {
                let d = h << 4 | l
                if d >= 0x80 { high = true }
                text.append(d); origin.append(i)
                i += 3
                decoded = true
                continue
            }
            if b >= 0x80 { high = true }
            text.append(b == UInt8(ascii: "+") && plusIsSpace ? 0x20 : b); origin.append(i)
            if b == UInt8(ascii: "+") && plusIsSpace { decoded = true }
            i += 1
        }
        origin.append(raw.count)
        guard decoded else { return nil }
        if high && String(validating: text, as: UTF8.self) == nil { return nil }
        return (text, origin)
    }

    /// `raw` decoded round after round while it still holds an escape (at most `maxRounds`),
    /// the first round with `+` a space when `plusIsSpace`, later ones `+` as itself; each
    /// byte's origin in `raw`, and the rounds. Nil when nothing is decoded.
    static func decode(_ raw: UnsafeRawBufferPointer, plusIsSpace: Bool) -> (text: [UInt8], origin: [Int], rounds: Int)? {
        guard var (text, origin) = decodeOnce(raw, plusIsSpace: plusIsSpace) else { return nil }
        var rounds = 1
        while rounds < maxRounds {
            let next = text.withUnsafeBytes { t in holdsEscape(t) ? decodeOnce(t, plusIsSpace: false) : nil }
            guard let next else { break }
            origin = next.origin.map { origin[$0] }
            text = next.text
            rounds += 1
        }
        return (text, origin, rounds)
    }

    /// `text` percent-encoded `rounds` times, only what would end or change a value
    /// (`FormEncoded.encodeDelimiters`): a rewritten value stands where the decoded one stood.
    static func encode(_ text: [UInt8], rounds: Int) -> [UInt8] {
        var out = text
        for _ in 0..<rounds { out = FormEncoded.encodeDelimiters(out) }
        return out
    }
}

extension Redactor {
    /// Text read through an encoding (character references, percent-encoding): the decoded
    /// bytes, each byte's offset in the text as written (one past the end last), and how a
    /// rewritten value is written back.
    struct DecodedView {
        let text: [UInt8]
        let origin: [Int]
        let escape: ([UInt8]) -> [UInt8]
        /// Percent-encoding: a rewrite over bytes written with no escape among them is written
        /// as it is, as a match found in the text as written would be (`card 4242 4242 ...`
        /// beside `ana%40shop.test` in a text node keeps its spaces, not `%20`).
        var escapesOnlyEscapedSpans = false
    }

    /// A value read other than as written: its view, those of the matches found as written
    /// that overlap none of the view's, and the view's matches (`applyDecoded` takes them).
    typealias DecodedReading = (view: DecodedView, raw: [RuleMatch], decoded: [RuleMatch])

    /// The reading of a plain value in which a rule finds something: decoded when it is
    /// percent-encoded or holds character references (`encodedView`, look-alikes in it read
    /// too), else with its look-alikes as ASCII (`lookAlikeMatches`); `rawMatches` were found
    /// in `text` as written. Nil when neither reading finds anything.
    mutating func decodedReading(_ text: UnsafeRawBufferPointer, raw rawMatches: [RuleMatch], channel: Channel) -> DecodedReading? {
        if let view = Redactor.encodedView(text), let found = decodedMatches(view, raw: rawMatches, channel: channel) {
            return (view, found.raw, found.decoded)
        }
        return lookAlikeMatches(text, raw: rawMatches, channel: channel)
    }

    /// What pattern rules find in `view` (decoded from `raw`), and those of `rawMatches` (found
    /// in `raw` as written) that overlap none of them. Nil when the decoded text holds nothing.
    mutating func decodedMatches(_ view: DecodedView, raw rawMatches: [RuleMatch], channel: Channel) -> (raw: [RuleMatch], decoded: [RuleMatch])? {
        let decoded = view.text.withUnsafeBytes { ruleMatches($0, channel) }
        guard !decoded.isEmpty else { return nil }
        let spans = decoded.map { rawSpan(of: $0.range, view) }
        let kept = rawMatches.filter { m in !spans.contains { $0.overlaps(m.range) } }
        return (kept, decoded)
    }

    /// The bytes of the written text that `range` of the decoded text came from: a reference
    /// or an escape the range ends inside is taken whole.
    func rawSpan(of range: Range<Int>, _ view: DecodedView) -> Range<Int> {
        let origin = view.origin
        let from = origin[range.lowerBound]
        var j = range.upperBound
        if j < view.text.count && j > 0 && origin[j] == origin[j - 1] {
            while j < view.text.count && origin[j] == origin[range.upperBound - 1] { j += 1 }
        }
        return from..<max(from, origin[j])
    }

    /// Records the findings of `rawMatches` (in `raw`) and `matches` (in `view`) and, when
    /// redacting, returns `raw` with each rewritten over the bytes it came from (a decoded
    /// one escaped by the view), every other byte as it was. Nil when auditing.
    mutating func applyDecoded(_ raw: UnsafeRawBufferPointer, _ view: DecodedView, rawMatches: [RuleMatch], _ matches: [RuleMatch],
                               channel: Channel, nodeId: Int?, _ place: inout Place, pointer: () -> String, timestamp: () -> Double?) -> [UInt8]? {
        let firstRaw = findings.count
        record(rawMatches, in: raw, channel: channel, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp)
        let firstDecoded = findings.count
        view.text.withUnsafeBytes { record(matches, in: $0, channel: channel, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp) }
        guard mode == .redact else { return nil }
        return rewritten(raw, view, rawMatches: rawMatches, matches, firstRaw: firstRaw, firstDecoded: firstDecoded)
    }

    /// `raw` with `rawMatches` and `matches` (in `view`) rewritten, as `applyDecoded` writes
    /// it; their findings, just recorded, start at `firstRaw` and `firstDecoded`.
    mutating func rewritten(_ raw: UnsafeRawBufferPointer, _ view: DecodedView, rawMatches: [RuleMatch], _ matches: [RuleMatch],
                            firstRaw: Int, firstDecoded: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var cursor = 0, r = 0, d = 0
        while r < rawMatches.count || d < matches.count {
            let span = d < matches.count ? rawSpan(of: matches[d].range, view) : raw.count..<raw.count
            if d == matches.count || (r < rawMatches.count && rawMatches[r].range.lowerBound < span.lowerBound) {
                let m = rawMatches[r]
                r += 1
                guard m.range.lowerBound >= cursor else { continue }
                out += UnsafeRawBufferPointer(rebasing: raw[cursor..<m.range.lowerBound])
                let pseudonym = engine.appendRewrite(of: m, in: raw, key: pseudonymKey, to: &out)
                if collectFindings, let pseudonym { findings[firstRaw + r - 1].pseudonym = pseudonym }
                cursor = m.range.upperBound
            } else {
                let m = matches[d]
                d += 1
                guard span.lowerBound >= cursor else { continue }
                out += UnsafeRawBufferPointer(rebasing: raw[cursor..<span.lowerBound])
                var value: [UInt8] = []
                let pseudonym = view.text.withUnsafeBytes { engine.appendRewrite(of: m, in: $0, key: pseudonymKey, to: &value) }
                if collectFindings, let pseudonym { findings[firstDecoded + d - 1].pseudonym = pseudonym }
                if view.escapesOnlyEscapedSpans, let base = raw.baseAddress, memchr(base + span.lowerBound, Int32(UInt8(ascii: "%")), span.count) == nil {
                    out += value
                } else {
                    out += view.escape(value)
                }
                cursor = span.upperBound
            }
        }
        out += UnsafeRawBufferPointer(rebasing: raw[cursor...])
        return out
    }

    /// For a plain value (not a URL) of any channel but `url`: the view of it decoded when it
    /// is percent-encoded (`ana%40shop.test`, a URL inside text: `see
    /// https://x.test/?u=ana%40shop.test`, up to `PercentText.maxRounds` rounds) or holds
    /// character references (`<p>ana&#64;shop.test</p>`, and text a page shows as written,
    /// `ana&#64;shop.test`, which a reader reads as an address). Nil for most strings, which
    /// hold neither `%` nor `&` (one `memchr` each).
    static func encodedView(_ text: UnsafeRawBufferPointer) -> DecodedView? {
        guard let base = text.baseAddress, text.count > 3 else { return nil }
        if memchr(base, Int32(UInt8(ascii: "%")), text.count) != nil, PercentText.holdsEscape(text),
           let d = PercentText.decode(text, plusIsSpace: false) {
            let rounds = d.rounds
            return readingLookAlikes(DecodedView(text: d.text, origin: d.origin, escape: { PercentText.encode($0, rounds: rounds) }, escapesOnlyEscapedSpans: true))
        }
        if memchr(base, Int32(UInt8(ascii: "&")), text.count) != nil, let html = HTMLText.decode(text) {
            return readingLookAlikes(DecodedView(text: html.text, origin: html.origin, escape: HTMLText.escape))
        }
        return nil
    }

    /// `view` with the look-alikes in its text read as ASCII too (`LookAlikeText`), each
    /// byte's origin still in the text as written: a value that holds an escape or a reference
    /// and a look-alike (`ana%40shop.test, card ４２４２ ４２４２ ...`) is read with both, not
    /// with the escapes alone. `view` itself when its text holds no look-alike.
    static func readingLookAlikes(_ view: DecodedView) -> DecodedView {
        let mapped = view.text.withUnsafeBytes { LookAlikeText.holdsNonASCII($0) ? LookAlikeText.mappedText($0) : nil }
        guard let mapped else { return view }
        let inner = view.text.withUnsafeBytes(LookAlikeText.origins)
        let outer = view.origin
        return DecodedView(text: mapped, origin: inner.map { outer[$0] }, escape: view.escape, escapesOnlyEscapedSpans: view.escapesOnlyEscapedSpans)
    }
}
