#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The structural scanner: validates one JSON value and records its tokens on a tape.
///
/// Design (after swift-foundation's JSONScanner): one pass over UTF-8 bytes through a raw
/// pointer, offsets recorded instead of copies, strings skimmed sixteen bytes at a time (SSE2
/// on x86_64; eight at a time, SWAR, elsewhere) and decoded only when a caller asks.
/// Nesting is tracked on an explicit stack, never by recursion, so deep input cannot overflow
/// the call stack. It relies on the zero padding
/// after the input (`JSONBytes.padding`): reading past the end finds a zero byte, which
/// no JSON production accepts, so every loop stops there without a bounds check.
struct JSONScanner {
    /// Why scanning stopped, with the absolute offset of the byte at fault.
    struct Failure: Error {
        var kind: JSONError.Kind
        var detail: String
        var offset: Int
    }

    private let p: UnsafePointer<UInt8>
    private let count: Int
    private let maxDepth: Int
    // The tape's storage, held here while scanning so the hot loop touches plain struct
    // fields (a class's stored properties would pay a dynamic exclusivity check per access).
    private var tokens: UnsafeMutablePointer<JSONToken>
    private var tokenCount: Int
    private var capacity: Int
    /// Open containers: token index << 1 | isObject.
    private var stack: UnsafeMutablePointer<Int>

    /// Levels of nesting around the value being scanned (1 for the elements of a top-level
    /// event array), counted against `maxDepth`.
    private let outerDepth: Int

    init(bytes: JSONBytes, tape: JSONTape, maxDepth: Int = JSONLimits.maxDepth, outerDepth: Int = 0) {
        self.p = UnsafePointer(bytes.base)
        self.count = bytes.count
        self.maxDepth = maxDepth
        self.outerDepth = outerDepth
        self.tokens = tape.tokens
        self.tokenCount = tape.count
        self.capacity = tape.capacity
        self.stack = tape.stack(depth: maxDepth)
    }

    /// Hands the scanned tokens back to the tape.
    func store(into tape: JSONTape) {
        tape.tokens = tokens
        tape.capacity = capacity
        tape.count = tokenCount
    }

    // MARK: byte classes

    @inline(__always) static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    @inline(never)
    static func failure(_ kind: JSONError.Kind, _ detail: String, _ offset: Int, _ count: Int) -> Failure {
        // Anything that runs into the padding is a truncated document, whatever byte we expected.
        if offset >= count {
            return Failure(kind: .truncated, detail: "the input ends in the middle of a value", offset: count)
        }
        return Failure(kind: kind, detail: detail, offset: offset)
    }

    private func fail(_ kind: JSONError.Kind, _ detail: String, _ offset: Int) -> Failure {
        JSONScanner.failure(kind, detail, offset, count)
    }

    @inline(never)
    private func unexpected(_ i: Int, expecting: String) -> Failure {
        let c = p[i]
        let shown: String
        if c >= 0x21 && c < 0x7F { shown = "'\(Character(Unicode.Scalar(c)))'" } else { shown = "byte 0x\(String(c, radix: 16, uppercase: true))" }
        return fail(.unexpectedCharacter, "unexpected \(shown), expected \(expecting)", i)
    }

    // MARK: the value

    /// Scans the value starting at `start` (which must not be whitespace), appending its tokens
    /// to the tape with offsets relative to `start`. Returns the offset just past the value.
    ///
    /// Two passes at most: `skim`, which only says whether the value is valid, and, when it is
    /// not, `scanValueDiagnosing` from the start again, which finds what is wrong and where.
    /// Valid input, the case that matters for speed, never pays for error reporting.
    mutating func scanValue(at start: Int) throws(Failure) -> Int {
        let before = tokenCount
        let end = skim(at: start)
        if end >= 0 { return end }
        tokenCount = before
        return try scanValueDiagnosing(at: start)
    }

    /// The value at `start`, accepted only if it is valid JSON within the depth limit: the
    /// offset past it, with its tokens on the tape, or -1 (some tokens may have been written).
    ///
    /// Written for the branch predictor and the register allocator: no calls on the common
    /// path (plain ASCII strings and keys, numbers, containers), the tape's buffer in local
    /// variables, and every rare case (escapes, UTF-8, fractions, a full buffer) out of line.
    /// Accepts exactly what `scanValueDiagnosing` accepts, and writes the same tokens
    /// (`ScannerAgreementTests`).
    mutating func skim(at start: Int) -> Int {
        let c = p[start]
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { return skimContainer(at: start) }
        // A scalar on its own (a body that is one string or number, say): one token.
        let p = self.p + start
        var w = TapeWriter(tokens: tokens, count: tokenCount, capacity: capacity, base: 0)
        defer {
            self.tokens = w.tokens
            self.tokenCount = w.count
            self.capacity = w.capacity
        }
        if c == UInt8(ascii: "\"") {
            let (e, flags) = JSONScanner.skimString(p, 0)
            guard e >= 0 else { return -1 }
            w.emit(.string, 0, e, flags)
            return start &+ e
        }
        let (e, kind) = JSONScanner.skimOtherScalar(p, 0)
        guard e >= 0 else { return -1 }
        w.emit(kind, 0, e, 0)
        return start &+ e
    }

    /// A number or a literal at `at`: the offset past it and its kind, or -1 when there is
    /// none (whitespace included).
    @inline(__always)
    static func skimOtherScalar(_ p: UnsafePointer<UInt8>, _ at: Int) -> (Int, JSONKind) {
        switch p[at] {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return (skimNumber(p, at), .number)
        case UInt8(ascii: "t"):
            return (UnsafeRawPointer(p + at).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x65_75_72_74) ? at &+ 4 : -1, .true)
        case UInt8(ascii: "f"):
            return (UnsafeRawPointer(p + (at &+ 1)).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x65_73_6C_61) ? at &+ 5 : -1, .false)
        case UInt8(ascii: "n"):
            return (UnsafeRawPointer(p + at).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6C_6C_75_6E) ? at &+ 4 : -1, .null)
        default:
            return (-1, .null)
        }
    }

    /// `skim` of an object or array at `start`.
    ///
    /// Each turn of the outer loop is one member of the innermost open container: its key
    /// and ':' when the container is an object, then its value. The common values (a string,
    /// a number from 1 to 9, a container) are tested first, and whitespace before a value is
    /// skipped only when its first byte is none of them. Failures return -1 where they are
    /// found, so no step tests a result for -1 except after the rare cases out of line.
    private mutating func skimContainer(at start: Int) -> Int {
        // Offsets from the value's first byte: the tape's offsets need no subtraction.
        let p = self.p + start
        let depthLimit = self.maxDepth - outerDepth
        let stack = self.stack
        var w = TapeWriter(tokens: tokens, count: tokenCount, capacity: capacity, base: 0)
        defer {
            self.tokens = w.tokens
            self.tokenCount = w.count
            self.capacity = w.capacity
        }
        // The block of string-ending bytes (`blockRunEnd`); none yet.
        var blockBase = Int.min / 2
        var blockMask: UInt64 = 0
        var i = 0
        var depth = 0
        // Whether the innermost open container is an object.
        var inObject = false
        member: while true {
            // Room for the member's key and value (or an element and nothing).
            w.reserve(2)
            key: if inObject {
                if p[i] != UInt8(ascii: "\"") {
                    i = JSONScanner.skipWhitespace(p, i)
                    guard p[i] == UInt8(ascii: "\"") else { return -1 }
                }
                var e = JSONScanner.blockRunEnd(p, i &+ 1, start, &blockBase, &blockMask)
                // The common key: plain, its closing quote and the ':' one 16-bit compare.
                if JSONScanner.load16(p, e) == JSONScanner.quoteColon {
                    w.emitReserved(.string, i, e &+ 1, JSONToken.Flags.isKey)
                    i = e &+ 2
                    break key
                }
                var flags = JSONToken.Flags.isKey
                if p[e] == UInt8(ascii: "\"") {
                    e &+= 1
                } else {
                    let rest = JSONScanner.skimStringRest(p, e)
                    if rest.0 < 0 { return -1 }
                    e = rest.0
                    flags |= rest.1
                }
                w.emitReserved(.string, i, e, flags)
                if p[e] != UInt8(ascii: ":") {
                    e = JSONScanner.skipWhitespace(p, e)
                    guard p[e] == UInt8(ascii: ":") else { return -1 }
                }
                i = e &+ 1
            }
            // The value.
            value: while true {
                let c = p[i]
                if c == UInt8(ascii: "\"") {
                    var e = JSONScanner.blockRunEnd(p, i &+ 1, start, &blockBase, &blockMask)
                    var flags: UInt8 = 0
                    if p[e] == UInt8(ascii: "\"") {
                        e &+= 1
                    } else {
                        (e, flags) = JSONScanner.skimStringRest(p, e)
                        if e < 0 { return -1 }
                    }
                    w.emitReserved(.string, i, e, flags)
                    i = e
                } else if c &- 0x31 < 9 {
                    // A number without sign or leading zero: its integer digits, then a fraction or
                    // an exponent only when one follows.
                    var e = JSONScanner.digitRun(p, i &+ 1)
                    let d = p[e]
                    if d == UInt8(ascii: ".") || d | 0x20 == UInt8(ascii: "e") {
                        e = JSONScanner.skimNumberTail(p, e)
                        if e < 0 { return -1 }
                    }
                    w.emitReserved(.number, i, e, 0)
                    i = e
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    guard depth < depthLimit else { return -1 }
                    inObject = c == UInt8(ascii: "{")
                    stack[depth] = w.count << 1 | (inObject ? 1 : 0)
                    depth &+= 1
                    w.emitReserved(inObject ? .object : .array, i, i, 0)
                    i = JSONScanner.skipWhitespace(p, i &+ 1)
                    // '}' is '{' + 2 and ']' is '[' + 2.
                    if p[i] != c &+ 2 { continue member }
                    // An empty container.
                    i &+= 1
                    depth &-= 1
                    w.close(stack[depth] >> 1, i)
                    if depth == 0 { return start &+ i }
                    inObject = stack[depth &- 1] & 1 == 1
                } else {
                    // The rare starts: a sign or a zero, a literal, whitespace before the value.
                    if c <= 0x20 && JSONScanner.isWhitespace(c) {
                        i = JSONScanner.skipWhitespace(p, i)
                        continue value
                    }
                    let (e, kind) = JSONScanner.skimOtherScalar(p, i)
                    if e < 0 { return -1 }
                    w.emitReserved(kind, i, e, 0)
                    i = e
                }
                break
            }
            // A value ended at i (depth > 0 here): a comma starts the next member; a bracket
            // closes. A trailing comma fails at the next step (no key or value starts with a
            // bracket).
            while true {
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    i &+= 1
                    continue member
                }
                if c == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i &+= 1
                    depth &-= 1
                    w.close(stack[depth] >> 1, i)
                    if depth == 0 { return start &+ i }
                    inObject = stack[depth &- 1] & 1 == 1
                } else if c <= 0x20 && JSONScanner.isWhitespace(c) {
                    i = JSONScanner.skipWhitespace(p, i)
                } else {
                    return -1
                }
            }
        }
    }

    /// The two bytes at `at` as a little-endian word: `load16(p, e) == quoteColon` tests
    /// `p[e] == '"' && p[e + 1] == ':'` with one load and one branch.
    @inline(__always)
    static func load16(_ p: UnsafePointer<UInt8>, _ at: Int) -> UInt16 {
        UInt16(littleEndian: UnsafeRawPointer(p + at).loadUnaligned(as: UInt16.self))
    }

    /// '"' then ':', as `load16` reads them.
    static let quoteColon: UInt16 = 0x3A22

    /// A number's fraction and exponent, from the byte after its integer digits (`at`, a '.'
    /// or an 'e' or 'E'): the offset past the number, or -1 when it is not valid.
    @inline(never)
    static func skimNumberTail(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        var i = at
        var c = p[i]
        if c == UInt8(ascii: ".") {
            i &+= 1
            guard JSONScanner.isDigit(p[i]) else { return -1 }
            i = digitRun(p, i &+ 1)
            c = p[i]
        }
        if c | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i &+= 1 }
            guard JSONScanner.isDigit(p[i]) else { return -1 }
            i = digitRun(p, i &+ 1)
        }
        return i
    }

    /// The string whose opening quote is at `start`: the offset past its closing quote and its
    /// `JSONToken.Flags`, or -1 when it is not valid. The common case, plain ASCII up to the
    /// quote, is a few vector operations per sixteen bytes (`plainRunEnd`; word operations per
    /// eight bytes off x86_64) and one well-predicted branch.
    @inline(__always)
    static func skimString(_ p: UnsafePointer<UInt8>, _ start: Int) -> (Int, UInt8) {
        let i = plainRunEnd(p, start &+ 1)
        if p[i] == UInt8(ascii: "\"") { return (i &+ 1, 0) }
        return skimStringRest(p, i)
    }

    #if arch(x86_64)
    /// The offset of the first byte at or after `at` that is '"', '\\', below 0x20 or above
    /// 0x7F, sixteen bytes at a time (SSE2: two byte compares, one signed compare that
    /// catches both the control bytes and the non-ASCII ones, `pmovmskb`). Reads up to 15
    /// bytes past that byte, within `JSONBytes.padding`; stops at the zero padding at the latest.
    @inline(__always)
    static func plainRunEnd(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        var i = at
        while true {
            let v = _mm_loadu_si128(UnsafeRawPointer(p + i).assumingMemoryBound(to: __m128i_u.self))
            let special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x22)),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C))),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)))
            let mask = UInt32(truncatingIfNeeded: _mm_movemask_epi8(special))
            if mask != 0 { return i &+ mask.trailingZeroBitCount }
            i &+= 16
        }
    }

    /// The offset of the first byte at or after `at` that ends a string's plain run, like
    /// `plainRunEnd`, from a bit mask of those bytes in a 64-byte block (`base`, `mask`)
    /// that `skimContainer` keeps between tokens: a string that ends in the block is a shift
    /// and a bit scan from where it starts, so the next token waits on a few register
    /// operations rather than on a load and compares (about 12 cycles). A string that ends in
    /// a later block loads that block's mask. Blocks are aligned to 64 bytes from the
    /// buffer's start (`start` is the scanned value's offset in it): never before the
    /// buffer, and, since the zero after the input ends every run, at most 63 bytes past
    /// the input, within `JSONBytes.padding`.
    @inline(__always)
    static func blockRunEnd(_ p: UnsafePointer<UInt8>, _ at: Int, _ start: Int, _ base: inout Int, _ mask: inout UInt64) -> Int {
        let d = at &- base
        var b: Int
        var full: UInt64
        var m: UInt64
        var from: Int
        if _fastPath(UInt(bitPattern: d) < 64) {
            m = mask &>> UInt64(truncatingIfNeeded: d)
            if _fastPath(m != 0) { return at &+ m.trailingZeroBitCount }
            // The run starts in the block held but ends past it (a third of the misses):
            // the next block, without making the mask of the one held again.
            b = base &+ 64
            from = b
            full = block64(p + b)
            m = full
        } else {
            b = ((start &+ at) & ~63) &- start
            full = block64(p + b)
            m = full &>> UInt64(truncatingIfNeeded: at &- b)
            from = at
        }
        while m == 0 {
            b &+= 64
            from = b
            full = block64(p + b)
            m = full
        }
        base = b
        mask = full
        return from &+ m.trailingZeroBitCount
    }

    /// One bit per byte of the 64 at `p`: '"', '\\', below 0x20 or above 0x7F.
    @inline(__always)
    static func block64(_ p: UnsafePointer<UInt8>) -> UInt64 {
        @inline(__always) func mask16(_ q: UnsafePointer<UInt8>) -> UInt64 {
            let v = _mm_loadu_si128(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i_u.self))
            let special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x22)),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C))),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)))
            return UInt64(truncatingIfNeeded: UInt32(truncatingIfNeeded: _mm_movemask_epi8(special)))
        }
        return mask16(p) | mask16(p + 16) &<< 16 | mask16(p + 32) &<< 32 | mask16(p + 48) &<< 48
    }
    #else
    /// `plainRunEnd`: the word test has no block to keep.
    @inline(__always)
    static func blockRunEnd(_ p: UnsafePointer<UInt8>, _ at: Int, _ start: Int, _ base: inout Int, _ mask: inout UInt64) -> Int {
        plainRunEnd(p, at)
    }

    /// The offset of the first byte at or after `at` that is '"', '\\', below 0x20 or above
    /// 0x7F, eight bytes at a time (`firstSpecial`); stops at the zero padding at the latest.
    @inline(__always)
    static func plainRunEnd(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        var i = at
        while true {
            let mask = firstSpecial(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            if mask != 0 { return i &+ (mask.littleEndian.trailingZeroBitCount >> 3) }
            i &+= 8
        }
    }
    #endif

    /// A word whose lowest set bit is the high bit of the first byte of `w` (in memory order)
    /// that is '"', '\\', below 0x20 or above 0x7F; zero when there is none. Only the first is
    /// exact: a borrow from a flagged byte may flag the bytes after it, which no caller reads.
    /// So the usual has-zero test loses its `& ~x` term, and the chain of dependent operations
    /// that every string's end waits on is shorter.
    @inline(__always)
    static func firstSpecial(_ w: UInt64) -> UInt64 {
        (((w ^ (ones &* 0x22)) &- ones) | ((w ^ (ones &* 0x5C)) &- ones) | (w &- ones &* 0x20) | w) & highs
    }

    /// The rest of a string from its first escape, non-ASCII or control byte at `at`.
    @inline(never)
    static func skimStringRest(_ p: UnsafePointer<UInt8>, _ at: Int) -> (Int, UInt8) {
        var flags: UInt8 = 0
        var i = at
        while true {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                return (i &+ 1, flags)
            } else if c == UInt8(ascii: "\\") {
                flags |= JSONToken.Flags.hasEscapes
                i = escapeEnd(p, i)
                if i < 0 { return (-1, 0) }
            } else if c >= 0x80 {
                flags |= JSONToken.Flags.hasNonASCII
                i = utf8SequenceEnd(p, i)
                if i < 0 { return (-1, 0) }
            } else if c < 0x20 {
                return (-1, 0)
            } else {
                i &+= 1
            }
            // Then plain bytes again.
            i = plainRunEnd(p, i)
        }
    }

    /// The end of the escape sequence whose backslash is at `at`, or -1 when it is not valid.
    /// Lone surrogates are accepted (RFC 8259 allows them syntactically); `JSONString.decode`
    /// turns them into U+FFFD.
    @inline(__always)
    static func escapeEnd(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        switch p[at &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return at &+ 2
        case UInt8(ascii: "u"):
            for k in 2..<6 where hexValue(p[at &+ k]) < 0 { return -1 }
            return at &+ 6
        default:
            return -1
        }
    }

    /// The end of the UTF-8 sequence starting at `at` (a byte above 0x7F), or -1 when it is
    /// not valid (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
    @inline(__always)
    static func utf8SequenceEnd(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        let c0 = p[at]
        @inline(__always) func cont(_ c: UInt8) -> Bool { c & 0xC0 == 0x80 }
        switch c0 {
        case 0xC2...0xDF:
            return cont(p[at &+ 1]) ? at &+ 2 : -1
        case 0xE0...0xEF:
            let c1 = p[at &+ 1]
            let ok1 = c0 == 0xE0 ? (c1 >= 0xA0 && c1 <= 0xBF) : c0 == 0xED ? (c1 >= 0x80 && c1 <= 0x9F) : cont(c1)
            return ok1 && cont(p[at &+ 2]) ? at &+ 3 : -1
        case 0xF0...0xF4:
            let c1 = p[at &+ 1]
            let ok1 = c0 == 0xF0 ? (c1 >= 0x90 && c1 <= 0xBF) : c0 == 0xF4 ? (c1 >= 0x80 && c1 <= 0x8F) : cont(c1)
            return ok1 && cont(p[at &+ 2]) && cont(p[at &+ 3]) ? at &+ 4 : -1
        default:
            return -1
        }
    }

    /// The number at `start`: the offset past it, or -1 when it is not valid.
    @inline(__always)
    static func skimNumber(_ p: UnsafePointer<UInt8>, _ start: Int) -> Int {
        var i = start
        if p[i] == UInt8(ascii: "-") { i &+= 1 }
        let first = p[i]
        if first == UInt8(ascii: "0") {
            i &+= 1
            if JSONScanner.isDigit(p[i]) { return -1 }
        } else if first &- 0x30 < 10 {
            i = digitRun(p, i &+ 1)
        } else {
            return -1
        }
        let c = p[i]
        return c == UInt8(ascii: ".") || c | 0x20 == UInt8(ascii: "e") ? skimNumberTail(p, i) : i
    }

    /// The same scan as `skim`, written to throw the exact failure (kind, message, offset) at
    /// the first thing wrong; run only when `skim` found something wrong.
    mutating func scanValueDiagnosing(at start: Int) throws(Failure) -> Int {
        let p = self.p
        let count = self.count
        let depthLimit = self.maxDepth - outerDepth
        let stack = self.stack
        // Everything the loop mutates is a local struct or integer, and no closure captures
        // it, so the optimiser keeps it in registers and no dynamic exclusivity check runs.
        var w = TapeWriter(tokens: tokens, count: tokenCount, capacity: capacity, base: start)
        defer {
            self.tokens = w.tokens
            self.tokenCount = w.count
            self.capacity = w.capacity
        }
        var i = start
        var depth = 0

        // Written as two nested loops rather than a state machine, so that each step jumps
        // straight to the next (a state variable would cost an unpredictable branch a token).
        // Outer loop: a value starts at i. Inner loop: a value just ended at i.
        var inObject = false
        value: while true {
            let c = p[i]
            switch c {
            case UInt8(ascii: "\""):
                let (e, flags) = try JSONScanner.scanString(p, count, i)
                w.emit(.string, i, e, flags)
                i = e
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let e = try JSONScanner.scanNumber(p, count, i)
                w.emit(.number, i, e, 0)
                i = e
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth >= depthLimit {
                    throw fail(.tooDeep, "nesting deeper than \(maxDepth) levels", i)
                }
                inObject = c == UInt8(ascii: "{")
                stack[depth] = w.count << 1 | (inObject ? 1 : 0)
                depth &+= 1
                w.emit(inObject ? .object : .array, i, i, 0)
                i = JSONScanner.skipWhitespace(p, i &+ 1)
                if p[i] != c &+ 2 { // '}' is '{' + 2 and ']' is '[' + 2
                    if inObject { i = try JSONScanner.scanKey(p, count, i, &w) }
                    continue value
                }
                // an empty container
                depth &-= 1
                i &+= 1
                w.close(stack[depth] >> 1, i)
                if depth > 0 { inObject = stack[depth &- 1] & 1 == 1 }
            case UInt8(ascii: "t"):
                i = try literal(i, "true", 0x65_75_72_74, 4)
                w.emit(.true, i &- 4, i, 0)
            case UInt8(ascii: "f"):
                i = try literal(i, "false", 0x65_73_6C_61_66, 5)
                w.emit(.false, i &- 5, i, 0)
            case UInt8(ascii: "n"):
                i = try literal(i, "null", 0x6C_6C_75_6E, 4)
                w.emit(.null, i &- 4, i, 0)
            default:
                throw unexpected(i, expecting: "a value")
            }
            // A value ended at i.
            while true {
                if depth == 0 { return i }
                i = JSONScanner.skipWhitespace(p, i)
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    let comma = i
                    i = JSONScanner.skipWhitespace(p, i &+ 1)
                    let n = p[i]
                    if n == UInt8(ascii: "]") || n == UInt8(ascii: "}") {
                        throw fail(.trailingComma, "a comma before '\(Character(Unicode.Scalar(n)))' (trailing comma)", comma)
                    }
                    if inObject { i = try JSONScanner.scanKey(p, count, i, &w) }
                    continue value
                }
                if c != (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    throw unexpected(i, expecting: inObject ? "',' or '}'" : "',' or ']'")
                }
                depth &-= 1
                i &+= 1
                w.close(stack[depth] >> 1, i)
                if depth > 0 { inObject = stack[depth &- 1] & 1 == 1 }
            }
        }
    }

    @inline(__always) static func skipWhitespace(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        var i = at
        while p[i] <= 0x20 && isWhitespace(p[i]) { i &+= 1 }
        return i
    }

    /// Scans an object key at `at` and the ':' after it; returns where the member's value starts.
    @inline(__always)
    static func scanKey(_ p: UnsafePointer<UInt8>, _ count: Int, _ at: Int, _ w: inout TapeWriter) throws(Failure) -> Int {
        if p[at] != UInt8(ascii: "\"") {
            throw failure(.invalidKey, "an object key must be a string", at, count)
        }
        let (e, flags) = try scanString(p, count, at)
        w.emit(.string, at, e, flags | JSONToken.Flags.isKey)
        var i = e
        if p[i] != UInt8(ascii: ":") {
            i = skipWhitespace(p, i)
            if p[i] != UInt8(ascii: ":") {
                throw failure(.invalidKey, "expected ':' after an object key", i, count)
            }
        }
        return skipWhitespace(p, i &+ 1)
    }

    /// Appends tokens to the tape's buffer, growing it when full.
    struct TapeWriter {
        var tokens: UnsafeMutablePointer<JSONToken>
        var count: Int
        var capacity: Int
        /// Offset of the event's first byte: tokens hold offsets relative to it.
        let base: Int

        @inline(__always) mutating func emit(_ kind: JSONKind, _ s: Int, _ e: Int, _ flags: UInt8) {
            reserve(1)
            emitReserved(kind, s, e, flags)
        }

        /// Makes room for `n` more tokens (`emitReserved`): `skimContainer` asks for a
        /// member's two (its key and its value) at once, rather than testing before each.
        @inline(__always) mutating func reserve(_ n: Int) {
            if capacity &- count < n {
                tokens = JSONScanner.grow(tokens, count: count, capacity: &capacity)
            }
        }

        /// `emit` into room made by `reserve`.
        @inline(__always) mutating func emitReserved(_ kind: JSONKind, _ s: Int, _ e: Int, _ flags: UInt8) {
            tokens[count] = JSONToken(start: UInt32(truncatingIfNeeded: s &- base),
                                      end: UInt32(truncatingIfNeeded: e &- base),
                                      next: UInt32(truncatingIfNeeded: count &+ 1),
                                      kind: kind, flags: flags)
            count &+= 1
        }

        /// Closes the container whose token is `index`; `end` is just past its closing bracket.
        @inline(__always) func close(_ index: Int, _ end: Int) {
            tokens[index].end = UInt32(truncatingIfNeeded: end &- base)
            tokens[index].next = UInt32(truncatingIfNeeded: count)
        }
    }

    @inline(never)
    static func grow(_ tokens: UnsafeMutablePointer<JSONToken>, count: Int, capacity: inout Int) -> UnsafeMutablePointer<JSONToken> {
        let bigger = UnsafeMutablePointer<JSONToken>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: tokens, count: count)
        tokens.deallocate()
        capacity *= 2
        return bigger
    }

    @inline(__always)
    private func literal(_ i: Int, _ word: StaticString, _ expected: UInt64, _ length: Int) throws(Failure) -> Int {
        var v: UInt64 = 0
        // Little-endian load of `length` bytes (padding makes this safe at the end).
        for k in 0..<length { v |= UInt64(p[i &+ k]) << (8 * UInt64(k)) }
        if v != expected {
            // Point at the first byte that differs.
            var k = 0
            while k < length && p[i &+ k] == word.utf8Start[k] { k += 1 }
            throw unexpected(i &+ k, expecting: "'\(word)'")
        }
        return i &+ length
    }

    @inline(__always)
    static func scanNumber(_ p: UnsafePointer<UInt8>, _ count: Int, _ start: Int) throws(Failure) -> Int {
        var i = start
        func fail(_ kind: JSONError.Kind, _ detail: String, _ offset: Int) -> Failure {
            failure(kind, detail, offset, count)
        }
        if p[i] == UInt8(ascii: "-") { i &+= 1 }
        if p[i] == UInt8(ascii: "0") {
            i &+= 1
            if JSONScanner.isDigit(p[i]) { throw fail(.invalidNumber, "a number may not have a leading zero", start) }
        } else if JSONScanner.isDigit(p[i]) {
            i = digitRun(p, i &+ 1)
        } else {
            throw fail(.invalidNumber, "a minus sign must be followed by a digit", i)
        }
        if p[i] == UInt8(ascii: ".") {
            i &+= 1
            if !JSONScanner.isDigit(p[i]) { throw fail(.invalidNumber, "a decimal point must be followed by a digit", i) }
            i = digitRun(p, i &+ 1)
        }
        if p[i] | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i &+= 1 }
            if !JSONScanner.isDigit(p[i]) { throw fail(.invalidNumber, "an exponent must have digits", i) }
            while JSONScanner.isDigit(p[i]) { i &+= 1 }
        }
        return i
    }

    /// The offset of the first byte at or after `at` that is not an ASCII digit, eight bytes
    /// at a time: a number's length costs no branch per digit (and no mispredicted loop exit
    /// for numbers of up to seven digits). Stops at the zero padding at the latest.
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int {
        var i = at
        while true {
            let w = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            // Per byte b: b + 0x46 reaches the high bit when b >= 0x3A, b - 0x30 when b < 0x30
            // (and bytes above 0x7F have it already). Carries and borrows only move toward later
            // bytes, and only out of a byte already flagged, so the first flagged byte is exact.
            let nonDigits = ((w &+ ones &* 0x46) | (w &- ones &* 0x30) | w) & highs
            if nonDigits != 0 { return i &+ (nonDigits.trailingZeroBitCount >> 3) }
            i &+= 8
        }
    }

    // MARK: strings

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Skims the string whose opening quote is at `start`. Returns the offset past the
    /// closing quote and the `JSONToken.Flags` that describe its content. A static function
    /// over plain arguments, so positions stay in registers.
    @inline(__always)
    static func scanString(_ p: UnsafePointer<UInt8>, _ count: Int, _ start: Int) throws(Failure) -> (Int, UInt8) {
        var flags: UInt8 = 0
        var i = start + 1
        while true {
            // Eight bytes at a time: stop at the first '"', '\\', control byte or non-ASCII byte.
            // Per byte: quote or backslash (has-zero test after xor), below 0x20, or above 0x7F.
            // ((w - 0x20…) & ~w) | w simplifies to (w - 0x20…) | w.
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let q = w ^ (ones &* 0x22)
            let b = w ^ (ones &* 0x5C)
            let mask = (((q &- ones) & ~q) | ((b &- ones) & ~b) | (w &- ones &* 0x20) | w) & highs
            if mask == 0 { i &+= 8; continue }
            i &+= mask.littleEndian.trailingZeroBitCount >> 3
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                return (i + 1, flags)
            } else if c == UInt8(ascii: "\\") {
                flags |= JSONToken.Flags.hasEscapes
                // The common escapes inline (JSON inside strings is full of \"); \u and errors out of line.
                let e = p[i &+ 1]
                if e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") || e == UInt8(ascii: "n") || e == UInt8(ascii: "/") {
                    i &+= 2
                } else {
                    i = try scanEscape(p, count, i)
                }
            } else if c < 0x20 {
                throw failure(.controlCharacter, "an unescaped control character (0x\(String(c, radix: 16, uppercase: true))) in a string", i, count)
            } else if c >= 0x80 {
                flags |= JSONToken.Flags.hasNonASCII
                i = try scanUTF8(p, count, i)
            } else {
                i &+= 1 // cannot happen: the word test only stops at the bytes above
            }
        }
    }

    @inline(__always) private static func hexValue(_ c: UInt8) -> Int {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c) - 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c) - 0x57
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c) - 0x37
        default: return -1
        }
    }

    /// The escape at `at`, or the failure that says what is wrong with it (`escapeEnd` decides).
    @inline(never)
    static func scanEscape(_ p: UnsafePointer<UInt8>, _ count: Int, _ at: Int) throws(Failure) -> Int {
        let end = escapeEnd(p, at)
        if end >= 0 { return end }
        if p[at &+ 1] == UInt8(ascii: "u") {
            let k = (2..<6).first { hexValue(p[at + $0]) < 0 }!
            throw failure(.invalidEscape, "\\u must be followed by four hex digits", at + k, count)
        }
        throw failure(.invalidEscape, "invalid escape sequence", at &+ 1 >= count ? count : at, count)
    }

    /// One UTF-8 sequence, or the failure that says it is not valid (`utf8SequenceEnd`
    /// decides): at the sequence's first byte, or `truncated` when the input ends inside it.
    @inline(never)
    static func scanUTF8(_ p: UnsafePointer<UInt8>, _ count: Int, _ at: Int) throws(Failure) -> Int {
        let end = utf8SequenceEnd(p, at)
        if end >= 0 { return end }
        let length: Int
        switch p[at] {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: length = 1
        }
        throw failure(.invalidUTF8, "invalid UTF-8 in a string", at + length - 1 >= count ? count : at, count)
    }
}
