// PCRE2 (8-bit API): every call into libpcre2-8 lives in this file.
//
// Threading model: the compiled pattern (`pcre2_code`) is immutable after
// `init` and PCRE2 documents it as safe to share between threads. What is not
// shareable is the per-match state: the match data block (ovector) and the JIT
// stack. Those live in a `MatchScratch`, which a call takes out of a small
// pool, uses alone, and puts back; so one `PCRE2Regex` can be used from many
// threads at once, and the hot path allocates nothing after warm-up. A scratch
// block is a plain struct of pointers that the regex owns and frees (in `deinit`,
// or when the pool is full): lending one costs no reference counting.

import CPCRE2
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An error from compiling or running a PCRE2 regular expression.
public enum RegexError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Which PCRE2 resource limit a match ran into.
    public enum Limit: String, Sendable, Equatable {
        /// `PCRE2_ERROR_MATCHLIMIT`: too many backtracking steps.
        case match
        /// `PCRE2_ERROR_DEPTHLIMIT`: backtracking nested too deeply.
        case depth
        /// `PCRE2_ERROR_HEAPLIMIT`: the interpreter's backtracking memory ran out.
        case heap
        /// `PCRE2_ERROR_JIT_STACKLIMIT`: the JIT stack was too small.
        case jitStack
    }

    /// The pattern did not compile; `offset` is the byte offset in `pattern` where PCRE2 stopped.
    case compile(message: String, offset: Int, pattern: String)
    /// A match gave up because it exceeded a resource limit (it did not hang).
    case limitExceeded(Limit, pattern: String)
    /// The subject is not valid UTF-8 although the pattern is in UTF mode.
    case invalidUTF8(message: String, offset: Int)
    /// The start offset lies outside the subject.
    case invalidStartOffset(Int, subjectLength: Int)
    /// Any other failure PCRE2 reported, with its error code and message.
    case matchFailed(code: Int32, message: String, pattern: String)

    /// A message naming the pattern or offset and what to do about it.
    public var description: String {
        switch self {
        case let .compile(message, offset, pattern):
            return "regex /\(pattern)/ does not compile: \(message) at byte offset \(offset)"
        case let .limitExceeded(limit, pattern):
            let what: String
            switch limit {
            case .match: what = "match limit (too much backtracking)"
            case .depth: what = "depth limit (backtracking nested too deeply)"
            case .heap: what = "heap limit (backtracking memory)"
            case .jitStack: what = "JIT stack limit"
            }
            return "regex /\(pattern)/ exceeded the \(what); "
                + "rewrite the pattern to avoid nested quantifiers or raise the limit"
        case let .invalidUTF8(message, offset):
            return "subject is not valid UTF-8 at byte offset \(offset): \(message); "
                + "compile the regex without the .utf option to match raw bytes"
        case let .invalidStartOffset(offset, length):
            return "start offset \(offset) is outside the subject of \(length) bytes"
        case let .matchFailed(code, message, pattern):
            return "regex /\(pattern)/ failed to match (PCRE2 error \(code)): \(message)"
        }
    }
}

/// One match: byte offsets into the subject of the whole match and of each capture group.
public struct RegexMatch: Sendable, Equatable {
    /// The byte range of the whole match.
    public let range: Range<Int>
    /// The byte range of each capture group, group 1 first; `nil` for a group that did not take part.
    public let captures: [Range<Int>?]

    /// Creates a match from its ranges.
    public init(range: Range<Int>, captures: [Range<Int>?]) {
        self.range = range
        self.captures = captures
    }

    /// The byte range of group `n`: 0 is the whole match, 1 the first capture group; `nil` if unset or out of range.
    public subscript(group n: Int) -> Range<Int>? {
        if n == 0 { return range }
        guard n >= 1, n <= captures.count else { return nil }
        return captures[n - 1]
    }
}

/// A compiled, JIT-compiled PCRE2 pattern that matches UTF-8 or raw bytes; safe to share between threads.
///
/// Safety of `@unchecked Sendable`: every stored property is immutable after
/// `init` except the scratch pool, which is guarded by a `Mutex`, and the first scratch
/// block, which only the caller that set `firstScratchInUse` touches. The compiled
/// code is read-only during matching (PCRE2 guarantees it may be shared); the
/// non-shareable match data and JIT stack are handed to one caller at a time.
public final class PCRE2Regex: @unchecked Sendable {
    /// Compile options; each maps to a PCRE2 compile flag.
    public struct Options: OptionSet, Sendable, Hashable {
        /// The PCRE2 compile-option bits.
        public let rawValue: UInt32
        /// Creates options from PCRE2 compile-option bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `PCRE2_CASELESS`: letters match regardless of case.
        public static let caseInsensitive = Options(rawValue: PCRE2_CASELESS)
        /// `PCRE2_MULTILINE`: `^` and `$` match at line boundaries.
        public static let multiline = Options(rawValue: PCRE2_MULTILINE)
        /// `PCRE2_DOTALL`: `.` also matches a newline.
        public static let dotAll = Options(rawValue: PCRE2_DOTALL)
        /// `PCRE2_EXTENDED`: whitespace and `#` comments in the pattern are ignored.
        public static let extended = Options(rawValue: PCRE2_EXTENDED)
        /// `PCRE2_UTF`: pattern and subject are UTF-8; `.` matches a whole code point.
        public static let utf = Options(rawValue: PCRE2_UTF)
        /// `PCRE2_UCP`: `\d`, `\w`, `\s` and POSIX classes use Unicode properties.
        public static let ucp = Options(rawValue: PCRE2_UCP)
        /// `PCRE2_LITERAL`: the pattern is a literal string, not a regex.
        public static let literal = Options(rawValue: PCRE2_LITERAL)
    }

    /// Default `matchLimit`: backtracking steps allowed per match attempt.
    public static let defaultMatchLimit = 1_000_000
    /// Default `depthLimit`: backtracking nesting allowed (interpreter only; JIT uses the JIT stack).
    public static let defaultDepthLimit = 10_000
    /// Default maximum JIT stack size in bytes.
    public static let defaultJITStackSize = 1 << 20

    /// The pattern as given.
    public let pattern: String
    /// The options the pattern was compiled with.
    public let options: Options
    /// Whether PCRE2 JIT-compiled the pattern; `false` means matches run in the (slower) interpreter.
    public let isJITCompiled: Bool
    /// The number of capture groups in the pattern.
    public let captureCount: Int
    /// The match limit set on every match.
    public let matchLimit: Int
    /// The depth limit set on every match.
    public let depthLimit: Int
    /// The maximum JIT stack size in bytes.
    public let jitStackSize: Int

    private let code: OpaquePointer
    private let isUTF: Bool
    /// What every match needs, from PCRE2's own analysis of the pattern, tested before PCRE2
    /// is called (`cannotMatch`): a call costs a few hundred instructions even when PCRE2
    /// rejects at once, and most runs of an allow-list pattern or a rule find nothing.
    /// The fewest characters a match holds (`PCRE2_INFO_MINLENGTH`; a byte count below it
    /// cannot hold them).
    let minLength: Int
    /// The byte every match starts with, for a pattern anchored at the start offset
    /// (`\A\[...`), when it is an ASCII byte other than a letter (so no case folding can
    /// stand another byte for it); 0: none.
    let anchoredFirstByte: UInt8
    /// A byte every match holds (`PCRE2_INFO_FIRSTCODEUNIT` of an unanchored pattern, or
    /// `PCRE2_INFO_LASTCODEUNIT`), under the same conditions; 0: none.
    let requiredByte: UInt8
    /// Whether `cannotMatch` is asked before PCRE2 (always, but in the tests that compare
    /// matching with and without it).
    let quickRejects: Bool
    private let crlfIsNewline: Bool
    private let scratchPool = Mutex<[MatchScratch]>([])
    /// The scratch block of the common case, one caller at a time: taken with one atomic
    /// exchange instead of the pool's lock, array pop and push (about 300 instructions a
    /// match, as much as a short match itself). Made on first use.
    nonisolated(unsafe) private var firstScratch: MatchScratch?
    private let firstScratchInUse = Atomic<Bool>(false)

    /// Compiles `pattern` and JIT-compiles it when the platform supports JIT.
    ///
    /// - Parameters:
    ///   - matchLimit: maximum backtracking steps per match attempt; exceeding it throws `.limitExceeded(.match)`.
    ///   - depthLimit: maximum backtracking depth (interpreter); exceeding it throws `.limitExceeded(.depth)`.
    ///   - jitStackSize: maximum JIT stack in bytes (at least 32 KiB); exceeding it throws `.limitExceeded(.jitStack)`.
    /// - Throws: `RegexError.compile` with PCRE2's message and the byte offset of the error.
    public convenience init(
        _ pattern: String,
        options: Options = [],
        matchLimit: Int = PCRE2Regex.defaultMatchLimit,
        depthLimit: Int = PCRE2Regex.defaultDepthLimit,
        jitStackSize: Int = PCRE2Regex.defaultJITStackSize
    ) throws(RegexError) {
        try self.init(pattern, options: options, matchLimit: matchLimit, depthLimit: depthLimit, jitStackSize: jitStackSize,
                      quickRejects: true)
    }

    /// `quickRejects`: false only in the tests that compare matching with and without them.
    init(
        _ pattern: String, options: Options, matchLimit: Int, depthLimit: Int, jitStackSize: Int, quickRejects: Bool
    ) throws(RegexError) {
        self.quickRejects = quickRejects
        self.pattern = pattern
        self.options = options
        self.matchLimit = max(1, min(matchLimit, Int(UInt32.max)))
        self.depthLimit = max(1, min(depthLimit, Int(UInt32.max)))
        self.jitStackSize = max(32 * 1024, jitStackSize)

        var errorCode: Int32 = 0
        var errorOffset = 0
        var patternBytes = Array(pattern.utf8)
        let length = patternBytes.count
        patternBytes.append(0)  // never pass a null pointer, even for ""
        let compiled = patternBytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, length, options.rawValue, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw .compile(message: pcre2Message(errorCode), offset: errorOffset, pattern: pattern)
        }
        code = compiled

        // JIT is an optimisation: if the platform lacks it, fall back to the interpreter.
        // `(*NO_JIT)` in the pattern: the call succeeds and makes no code (JITSIZE 0).
        var jitSize = 0
        isJITCompiled = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
            && pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_JITSIZE), &jitSize) == 0 && jitSize > 0

        var captures: UInt32 = 0
        var allOptions: UInt32 = 0
        var newline: UInt32 = 0
        let infoOK = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures) == 0
            && pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_ALLOPTIONS), &allOptions) == 0
            && pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NEWLINE), &newline) == 0
        guard infoOK else {
            pcre2_code_free_8(compiled)
            throw .compile(message: "PCRE2 could not report pattern information", offset: 0, pattern: pattern)
        }
        captureCount = Int(captures)
        isUTF = allOptions & PCRE2_UTF != 0
        var minChars: UInt32 = 0, firstType: UInt32 = 0, firstUnit: UInt32 = 0, lastType: UInt32 = 0, lastUnit: UInt32 = 0
        if pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_MINLENGTH), &minChars) != 0 { minChars = 0 }
        if pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTCODETYPE), &firstType) != 0 { firstType = 0 }
        if firstType == 1 && pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &firstUnit) != 0 { firstType = 0 }
        if pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODETYPE), &lastType) != 0 { lastType = 0 }
        if lastType == 1 && pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODEUNIT), &lastUnit) != 0 { lastType = 0 }
        // An ASCII byte other than a letter: the same in every case folding.
        func caseFree(_ unit: UInt32) -> UInt8 {
            unit > 0 && unit < 0x80 && !((unit | 0x20) >= 0x61 && (unit | 0x20) <= 0x7A) ? UInt8(unit) : 0
        }
        minLength = Int(minChars)
        let anchored = allOptions & PCRE2_ANCHORED != 0
        anchoredFirstByte = anchored && firstType == 1 ? caseFree(firstUnit) : 0
        requiredByte = !anchored && firstType == 1 && caseFree(firstUnit) != 0 ? caseFree(firstUnit)
            : lastType == 1 ? caseFree(lastUnit) : 0
        crlfIsNewline = newline == PCRE2_NEWLINE_ANY || newline == PCRE2_NEWLINE_CRLF
            || newline == PCRE2_NEWLINE_ANYCRLF
    }

    deinit {
        firstScratch?.free()
        scratchPool.withLock { pool in for scratch in pool { scratch.free() } }
        pcre2_code_free_8(code)
    }

    /// The group number of the named capture group `name`, or `nil` if the pattern has no such group.
    public func groupNumber(named name: String) -> Int? {
        var bytes = Array(name.utf8)
        bytes.append(0)
        let n = bytes.withUnsafeBufferPointer { pcre2_substring_number_from_name_8(code, $0.baseAddress) }
        return n > 0 ? Int(n) : nil
    }

    // MARK: - Matching

    /// Whether the pattern matches anywhere in `bytes` at or after `from`; the fast path (no capture ranges built).
    ///
    /// - Parameter assumeValidUTF8: in UTF mode, skip PCRE2's UTF-8 check; only pass `true` for bytes known to be valid.
    public func containsMatch(
        in bytes: UnsafeRawBufferPointer, from: Int = 0, assumeValidUTF8: Bool = false
    ) throws(RegexError) -> Bool {
        try withScratch { (scratch) throws(RegexError) -> Bool in
            try execute(bytes, from: from, options: utfCheckOption(assumeValidUTF8), scratch) != nil
        }
    }

    /// Whether the pattern matches anywhere in `bytes` at or after `from`.
    public func containsMatch(in bytes: [UInt8], from: Int = 0, assumeValidUTF8: Bool = false) throws(RegexError) -> Bool {
        try withRawBytes(bytes) { (raw) throws(RegexError) -> Bool in
            try containsMatch(in: raw, from: from, assumeValidUTF8: assumeValidUTF8)
        }
    }

    /// Whether the pattern matches anywhere in the UTF-8 of `string` at or after byte offset `from`.
    public func containsMatch(in string: String, from: Int = 0) throws(RegexError) -> Bool {
        try withUTF8(of: string) { (raw) throws(RegexError) -> Bool in
            try containsMatch(in: raw, from: from, assumeValidUTF8: true)
        }
    }

    /// The first match in `bytes` starting at or after byte offset `from`, or `nil`.
    public func firstMatch(
        in bytes: UnsafeRawBufferPointer, from: Int = 0, assumeValidUTF8: Bool = false
    ) throws(RegexError) -> RegexMatch? {
        try withScratch { (scratch) throws(RegexError) -> RegexMatch? in
            guard try execute(bytes, from: from, options: utfCheckOption(assumeValidUTF8), scratch) != nil else {
                return nil
            }
            return scratch.match(groups: captureCount)
        }
    }

    /// The first match in `bytes` starting at or after byte offset `from`, or `nil`.
    public func firstMatch(in bytes: [UInt8], from: Int = 0, assumeValidUTF8: Bool = false) throws(RegexError) -> RegexMatch? {
        try withRawBytes(bytes) { (raw) throws(RegexError) -> RegexMatch? in
            try firstMatch(in: raw, from: from, assumeValidUTF8: assumeValidUTF8)
        }
    }

    /// The first match in the UTF-8 of `string` at or after byte offset `from`; ranges are UTF-8 byte offsets.
    public func firstMatch(in string: String, from: Int = 0) throws(RegexError) -> RegexMatch? {
        try withUTF8(of: string) { (raw) throws(RegexError) -> RegexMatch? in
            try firstMatch(in: raw, from: from, assumeValidUTF8: true)
        }
    }

    /// All non-overlapping matches in `bytes` from byte offset `from`, left to right.
    ///
    /// After an empty match the search first retries at the same place for a non-empty
    /// match, then moves on by one character (one code point in UTF mode, CR LF as one
    /// when CR LF is a newline), as Perl does.
    public func matches(
        in bytes: UnsafeRawBufferPointer, from: Int = 0, assumeValidUTF8: Bool = false
    ) throws(RegexError) -> [RegexMatch] {
        var results: [RegexMatch] = []
        try forEachMatch(in: bytes, from: from, assumeValidUTF8: assumeValidUTF8) { scratch in
            results.append(scratch.match(groups: captureCount))
        }
        return results
    }

    /// Calls `body` with the range of capture group `group` (0: the whole match; nil when the
    /// group took no part) of each match `matches(in:from:assumeValidUTF8:)` would return, in
    /// order, without building them: no allocation per call or per match (the rule engine's
    /// path, where most calls find nothing). A group number above `captureCount` gives nil.
    public func forEachMatch(
        in bytes: UnsafeRawBufferPointer, group: Int, from: Int = 0, assumeValidUTF8: Bool = false,
        _ body: (Range<Int>?) -> Void
    ) throws(RegexError) {
        let unset = scrubjay_pcre2_unset()
        let known = group >= 0 && group <= captureCount
        try forEachMatch(in: bytes, from: from, assumeValidUTF8: assumeValidUTF8) { scratch in
            guard known else { body(nil); return }
            let start = scratch.ovector[2 &* group], end = scratch.ovector[2 &* group &+ 1]
            body(start == unset || end == unset ? nil : start..<max(start, end))
        }
    }

    /// The matching loop behind `matches` and `forEachMatch`: `body` sees the scratch block
    /// (its ovector) after each successful match. Successive matches do not overlap; after
    /// an empty match the next attempt must be non-empty at the same place, else it moves
    /// one character on (as Perl and `pcre2demo` do).
    private func forEachMatch(
        in bytes: UnsafeRawBufferPointer, from: Int, assumeValidUTF8: Bool, _ body: (MatchScratch) -> Void
    ) throws(RegexError) {
        // Taken and given back here rather than through `withScratch`: a closure would
        // capture `self`, a retain and release on every call.
        let (scratch, first) = try takeScratch()
        defer { giveBack(scratch, first: first) }
        var start = from
        var baseOptions = utfCheckOption(assumeValidUTF8)
        var retryOptions: UInt32 = 0
        while true {
            guard let range = try execute(bytes, from: start, options: baseOptions | retryOptions, scratch) else {
                if retryOptions == 0 { break }
                // No non-empty match at the empty match's position: step one character on.
                retryOptions = 0
                start = characterEnd(bytes, after: start)
                if start > bytes.count { break }
                continue
            }
            body(scratch)
            // The first call checked the subject from `from` onwards; later ones need not.
            if isUTF { baseOptions |= PCRE2_NO_UTF_CHECK }
            if range.isEmpty {
                if range.upperBound >= bytes.count { break }
                retryOptions = PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED
                start = range.upperBound
            } else {
                retryOptions = 0
                start = max(range.upperBound, start + 1)
            }
        }
    }

    /// All non-overlapping matches in `bytes` from byte offset `from`, left to right.
    public func matches(in bytes: [UInt8], from: Int = 0, assumeValidUTF8: Bool = false) throws(RegexError) -> [RegexMatch] {
        try withRawBytes(bytes) { (raw) throws(RegexError) -> [RegexMatch] in
            try matches(in: raw, from: from, assumeValidUTF8: assumeValidUTF8)
        }
    }

    /// All non-overlapping matches in the UTF-8 of `string`; ranges are UTF-8 byte offsets.
    public func matches(in string: String, from: Int = 0) throws(RegexError) -> [RegexMatch] {
        try withUTF8(of: string) { (raw) throws(RegexError) -> [RegexMatch] in
            try matches(in: raw, from: from, assumeValidUTF8: true)
        }
    }

    // MARK: - Internals

    private func utfCheckOption(_ assumeValidUTF8: Bool) -> UInt32 {
        isUTF && assumeValidUTF8 ? PCRE2_NO_UTF_CHECK : 0
    }

    /// The offset one character after `offset`: skips CR LF as a unit when it is a newline, and UTF-8 continuation bytes.
    private func characterEnd(_ bytes: UnsafeRawBufferPointer, after offset: Int) -> Int {
        var next = offset + 1
        if crlfIsNewline, offset + 1 < bytes.count, bytes[offset] == 0x0D, bytes[offset + 1] == 0x0A {
            return offset + 2
        }
        if isUTF {
            while next < bytes.count, bytes[next] & 0xC0 == 0x80 { next += 1 }
        }
        return next
    }

    /// Runs one `pcre2_match`; returns the whole-match range, or `nil` for no match. Results stay in `scratch`.
    private func execute(
        _ bytes: UnsafeRawBufferPointer, from start: Int, options: UInt32, _ scratch: MatchScratch
    ) throws(RegexError) -> Range<Int>? {
        guard start >= 0, start <= bytes.count else {
            throw .invalidStartOffset(start, subjectLength: bytes.count)
        }
        if cannotMatch(bytes, from: start, options: options) { return nil }
        let rc: Int32
        if let base = bytes.baseAddress {
            // JIT's fast path skips pcre2_match's checks (about 130 instructions a call). It
            // ignores PCRE2_ANCHORED and never checks UTF-8: those calls take the full path.
            if isJITCompiled && options & PCRE2_ANCHORED == 0 && (!isUTF || options & PCRE2_NO_UTF_CHECK != 0) {
                rc = pcre2_jit_match_8(
                    code, base.assumingMemoryBound(to: UInt8.self), bytes.count, start, options,
                    scratch.matchData, scratch.context)
            } else {
                rc = pcre2_match_8(
                    code, base.assumingMemoryBound(to: UInt8.self), bytes.count, start, options,
                    scratch.matchData, scratch.context)
            }
        } else {
            // PCRE2 rejects a null subject pointer even when the length is 0.
            var zero: UInt8 = 0
            rc = withUnsafePointer(to: &zero) {
                pcre2_match_8(code, $0, 0, 0, options, scratch.matchData, scratch.context)
            }
        }
        if rc >= 0 {
            let ovector = scratch.ovector
            return ovector[0]..<max(ovector[0], ovector[1])
        }
        switch rc {
        case scrubjay_pcre2_error_nomatch():
            return nil
        case scrubjay_pcre2_error_matchlimit():
            throw .limitExceeded(.match, pattern: pattern)
        case scrubjay_pcre2_error_depthlimit():
            throw .limitExceeded(.depth, pattern: pattern)
        case scrubjay_pcre2_error_heaplimit():
            throw .limitExceeded(.heap, pattern: pattern)
        case scrubjay_pcre2_error_jit_stacklimit():
            throw .limitExceeded(.jitStack, pattern: pattern)
        case PCRE2_ERROR_UTF8_ERR21...PCRE2_ERROR_UTF8_ERR1:
            // After a UTF error, "start char" is the offset of the bad code unit.
            throw .invalidUTF8(message: pcre2Message(rc), offset: pcre2_get_startchar_8(scratch.matchData))
        default:
            throw .matchFailed(code: rc, message: pcre2Message(rc), pattern: pattern)
        }
    }

    /// Lends a scratch block (match data + JIT stack + match context) to `body` alone, then returns it to the pool.
    private func withScratch<T>(_ body: (MatchScratch) throws(RegexError) -> T) throws(RegexError) -> T {
        let (scratch, first) = try takeScratch()
        defer { giveBack(scratch, first: first) }
        return try body(scratch)
    }

    /// Whether PCRE2's own analysis of the pattern rules a match from `start` out: too few
    /// bytes left, an anchored pattern's first byte not there, a byte every match holds
    /// nowhere after `start`. Only when PCRE2 would not check the subject's UTF-8 (a subject
    /// it would reject must still be reported), and never for a retry at an empty match
    /// (`PCRE2_NOTEMPTY_ATSTART`, anchored by the caller).
    ///
    /// Each test is a proof that no match exists, so the answer is PCRE2's wherever PCRE2
    /// answers. PCRE2 itself makes these tests only up to a point (the required byte in
    /// subjects under about 500 KB with JIT, 5 KB for anchored patterns without it; an
    /// anchored pattern's first byte not at all with JIT): past it, a pattern that backtracks
    /// without bound on a subject that cannot match runs into a limit and throws, where this
    /// answers "no match". A rule then finds nothing there instead of a `rule.limit` finding
    /// (docs/RULES.md, "Prefilters"): the string holds no match, and that is now known.
    @inline(__always)
    private func cannotMatch(_ bytes: UnsafeRawBufferPointer, from start: Int, options: UInt32) -> Bool {
        guard quickRejects, !isUTF || options & PCRE2_NO_UTF_CHECK != 0, options & PCRE2_ANCHORED == 0 else { return false }
        let left = bytes.count &- start
        if left < minLength { return true }
        guard let base = bytes.baseAddress else { return false }
        if anchoredFirstByte != 0 && (left == 0 || base.load(fromByteOffset: start, as: UInt8.self) != anchoredFirstByte) { return true }
        if requiredByte != 0 && (left == 0 || memchr(base + start, Int32(requiredByte), left) == nil) { return true }
        return false
    }

    /// A scratch block for one caller: the first one when no one holds it (`first`), else
    /// one from the pool or a new one. Give it back with `giveBack`.
    private func takeScratch() throws(RegexError) -> (MatchScratch, first: Bool) {
        if firstScratchInUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            if let made = firstScratch { return (made, true) }
            do {
                let made = try makeScratch()
                firstScratch = made
                return (made, true)
            } catch {
                firstScratchInUse.store(false, ordering: .releasing)
                throw error
            }
        }
        if let pooled = scratchPool.withLock({ pool in pool.popLast() }) { return (pooled, false) }
        return (try makeScratch(), false)
    }

    /// Returns a block `takeScratch` lent; one the full pool has no room for is freed.
    private func giveBack(_ scratch: MatchScratch, first: Bool) {
        if first {
            firstScratchInUse.store(false, ordering: .releasing)
            return
        }
        let kept = scratchPool.withLock { pool -> Bool in
            guard pool.count < 8 else { return false }
            pool.append(scratch)
            return true
        }
        if !kept { scratch.free() }
    }

    private func makeScratch() throws(RegexError) -> MatchScratch {
        guard let made = MatchScratch(
            code: code, matchLimit: matchLimit, depthLimit: depthLimit, jitStackSize: jitStackSize,
            useJIT: isJITCompiled)
        else {
            throw .matchFailed(code: PCRE2_ERROR_NOMEMORY, message: pcre2Message(PCRE2_ERROR_NOMEMORY), pattern: pattern)
        }
        return made
    }
}

/// Per-call match state: the match data (ovector), a match context carrying the limits, and a JIT stack.
///
/// Safety of `@unchecked Sendable`: a scratch block is owned by the pool while
/// idle and by exactly one caller while in use (it is removed from the pool
/// under the mutex before use), so it is never touched by two threads at once.
/// Its regex frees it (`free()`), exactly once: it is a struct of pointers, not reference
/// counted.
private struct MatchScratch: @unchecked Sendable {
    let matchData: OpaquePointer
    let context: OpaquePointer
    let jitStack: OpaquePointer?
    let ovector: UnsafeMutablePointer<Int>

    init?(code: OpaquePointer, matchLimit: Int, depthLimit: Int, jitStackSize: Int, useJIT: Bool) {
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else { return nil }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_match_data_free_8(matchData)
            return nil
        }
        var stack: OpaquePointer? = nil
        if useJIT {
            stack = pcre2_jit_stack_create_8(min(32 * 1024, jitStackSize), jitStackSize, nil)
            guard stack != nil else {
                pcre2_match_context_free_8(context)
                pcre2_match_data_free_8(matchData)
                return nil
            }
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
        }
        // These setters only fail for a null context, which was checked above.
        _ = pcre2_set_match_limit_8(context, UInt32(matchLimit))
        _ = pcre2_set_depth_limit_8(context, UInt32(depthLimit))
        self.matchData = matchData
        self.context = context
        self.jitStack = stack
        self.ovector = pcre2_get_ovector_pointer_8(matchData)
    }

    func free() {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// Builds a `RegexMatch` from the ovector of the last successful match.
    func match(groups: Int) -> RegexMatch {
        let unset = scrubjay_pcre2_unset()
        let whole = ovector[0]..<max(ovector[0], ovector[1])
        var captures: [Range<Int>?] = []
        captures.reserveCapacity(groups)
        for group in stride(from: 1, through: groups, by: 1) {
            let start = ovector[2 * group], end = ovector[2 * group + 1]
            captures.append(start == unset || end == unset ? nil : start..<max(start, end))
        }
        return RegexMatch(range: whole, captures: captures)
    }
}

/// PCRE2's text for an error code.
private func pcre2Message(_ code: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(code, $0.baseAddress, $0.count) }
    guard n > 0 else { return "unknown PCRE2 error \(code)" }
    return String(decoding: buffer[..<Int(n)], as: UTF8.self)
}

private func withRawBytes<T>(
    _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(RegexError) -> T
) throws(RegexError) -> T {
    let result: Result<T, RegexError> = bytes.withUnsafeBytes { raw in
        do throws(RegexError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

private func withUTF8<T>(
    of string: String, _ body: (UnsafeRawBufferPointer) throws(RegexError) -> T
) throws(RegexError) -> T {
    var copy = string  // withUTF8 may make the storage contiguous; a native string is not copied
    let result: Result<T, RegexError> = copy.withUTF8 { utf8 in
        do throws(RegexError) { return .success(try body(UnsafeRawBufferPointer(utf8))) } catch { return .failure(error) }
    }
    return try result.get()
}
