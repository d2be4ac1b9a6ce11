/// What a pattern needs of a string's characters before it can match there: the prefilters
/// `min_letters`, `min_digit_run` and `min_alnum_run` of a rule (docs/RULES.md "Prefilters").
/// Each is a necessary condition the rule's author states: a Bitcoin address is a run of at
/// least 14 letters and digits, a Spanish DNI holds seven digits in a row and a letter. A rule
/// whose needs a string does not meet is not run on it; its match examples, which `rules test`
/// runs through the same prefilters, show that the needs hold for what it must find.
public struct ShapeNeeds: Sendable, Equatable {
    /// ASCII letters the string must hold (every byte of a non-ASCII character counts as one).
    public var minLetters: Int
    /// The longest run of consecutive ASCII digits must be at least this long.
    public var minDigitRun: Int
    /// The longest run of consecutive ASCII letters and digits must be at least this long
    /// (bytes of non-ASCII characters count as letters).
    public var minAlnumRun: Int

    public init(minLetters: Int = 0, minDigitRun: Int = 0, minAlnumRun: Int = 0) {
        self.minLetters = minLetters
        self.minDigitRun = minDigitRun
        self.minAlnumRun = minAlnumRun
    }

    /// No need at all: the shape is never measured for the rule.
    public static let none = ShapeNeeds()

    public var isEmpty: Bool { minLetters == 0 && minDigitRun == 0 && minAlnumRun == 0 }

    /// Whether a string of shape `shape` meets these needs.
    @inline(__always)
    func admits(_ shape: TextShape) -> Bool {
        shape.letters >= minLetters && shape.longestDigitRun >= minDigitRun && shape.longestAlnumRun >= minAlnumRun
    }
}

/// A string's letters and its longest runs of digits and of letters and digits, counted in
/// one pass (what `ShapeNeeds` is compared with). Bytes of non-ASCII characters count as
/// letters: in UTF mode a caseless `[a-z]` also matches `ſ` and the Kelvin sign, so counting
/// them keeps every need a necessary condition.
struct TextShape {
    var letters = 0
    var longestDigitRun = 0
    var longestAlnumRun = 0

    init(_ text: UnsafeRawBufferPointer) {
        var letters = 0, digitRun = 0, alnumRun = 0, longestDigits = 0, longestAlnum = 0
        for b in text {
            let digit = b &- 0x30 < 10
            let letter = (b | 0x20) &- 0x61 < 26 || b >= 0x80
            letters &+= letter ? 1 : 0
            digitRun = digit ? digitRun &+ 1 : 0
            alnumRun = digit || letter ? alnumRun &+ 1 : 0
            longestDigits = max(longestDigits, digitRun)
            longestAlnum = max(longestAlnum, alnumRun)
        }
        self.letters = letters
        longestDigitRun = longestDigits
        longestAlnumRun = longestAlnum
    }
}
