#if canImport(Glibc)
import Glibc
#endif

/// What `RuleEngine.matches(in:channel:counters:)` found in the strings seen last, so that a
/// string seen again costs a hash and a comparison instead of the prefilters and the patterns.
///
/// Recordings repeat themselves: class names, attribute values, labels and list items come back
/// in every mutation that re-renders them (of the strings that reach the rules in the PostHog
/// recordings of the corpus, three to six in seven were read before). The engine is immutable
/// and its matches depend on the text and the channel alone, so a remembered result is the
/// result; the counters the first reading added are added again, so that the report's
/// prefilter figures do not depend on the memo.
///
/// A direct-mapped table of recent strings of up to `maxLength` bytes, one cache line a slot
/// (short texts kept in the slot itself, longer ones in an arena); when the arena is full,
/// everything is forgotten at once. A memo belongs to one redaction pass and one thread:
/// copies of a memo share its table.
public struct MatchMemo {
    /// Strings longer than this are read every time (they seldom repeat, and hashing and
    /// comparing them would cost more).
    public static let maxLength = 256
    /// Texts of up to this many bytes are kept in their slot.
    static let inlineBytes = 40

    private let table: Table
    /// Strings answered from the memo, and read by the engine, since the start.
    public private(set) var hits = 0
    public private(set) var misses = 0

    /// `slots`: a power of two; `arenaBytes`: the longer texts kept before everything is forgotten.
    public init(slots: Int = 4096, arenaBytes: Int = 1 << 18) {
        precondition(slots > 0 && slots & (slots - 1) == 0, "MatchMemo slots must be a power of two")
        precondition(arenaBytes >= MatchMemo.maxLength && arenaBytes < 1 << 32, "MatchMemo arena out of range")
        table = Table(slots: slots, arenaBytes: arenaBytes)
    }

    /// `engine.matches(in: text, channel: channel, counters: &counters)`, remembered.
    public mutating func matches(in text: UnsafeRawBufferPointer, channel: Channel, engine: RuleEngine,
                                 counters: inout RuleEngine.Counters) -> [RuleMatch] {
        let n = text.count
        // Nothing to remember: the engine answers at once (no text, no rule for the channel),
        // the text is long, or it is typed input (each keystroke's value is new: one in five
        // was seen before on the synthetic recording, too few to pay for the lookups).
        guard n > 0, n <= MatchMemo.maxLength, channel != .input, engine.hasRules(for: channel), let base = text.baseAddress else {
            return engine.matches(in: text, channel: channel, counters: &counters)
        }
        let t = table
        if t.slots == nil { t.allocate() }
        let hash = MatchMemo.hash(base, n, channel: channel)
        let i = Int(truncatingIfNeeded: hash) & t.mask
        let slot = t.slots.unsafelyUnwrapped + i &* 8
        let key = UInt64(n) << 32 | UInt64(channel.ordinal) << 48
        let meta = slot[1]
        if meta & 0x00FF_FFFF_0000_0000 == key, slot[0] == hash {
            let stored = n <= MatchMemo.inlineBytes ? UnsafeRawPointer(slot + 3)
                : UnsafeRawPointer(t.arena.unsafelyUnwrapped + Int(meta & 0xFFFF_FFFF))
            if memcmp(stored, base, n) == 0 {
                hits &+= 1
                let tally = slot[2]
                counters.strings &+= 1
                counters.stringsSkipped &+= Int(tally & 0xFF)
                counters.skippedByPrefilter &+= Int(tally >> 8 & 0xFF_FFFF)
                counters.patternRuns &+= Int(tally >> 32 & 0xFF_FFFF)
                return meta & 1 << 56 == 0 ? [] : t.results[i]
            }
        }
        misses &+= 1
        var own = RuleEngine.Counters()
        let result = engine.matches(in: text, channel: channel, counters: &own)
        counters += own
        // Remembered only when the counts fit (they always do for the built-in packs).
        guard own.strings == 1, own.stringsSkipped <= 1, own.skippedByPrefilter < 1 << 24, own.patternRuns < 1 << 24 else { return result }
        var offset = 0
        if n <= MatchMemo.inlineBytes {
            memcpy(slot + 3, base, n)
        } else {
            if t.arenaUsed + n > t.arenaCapacity { t.forget() }
            offset = t.arenaUsed
            memcpy(t.arena.unsafelyUnwrapped + offset, base, n)
            t.arenaUsed = offset + n
        }
        slot[0] = hash
        slot[1] = key | UInt64(offset) | (result.isEmpty ? 0 : 1 << 56)
        slot[2] = UInt64(own.stringsSkipped) | UInt64(own.skippedByPrefilter) << 8 | UInt64(own.patternRuns) << 32
        if !result.isEmpty || meta & 1 << 56 != 0 { t.results[i] = result }
        return result
    }

    /// The slots and the arena, allocated when the first string is remembered (a redactor made
    /// for a few strings, as the rule tester makes one per example, never fills a table).
    private final class Table {
        /// Per slot, eight words (one cache line): the text's hash; where the text lies in the
        /// arena (bits 0-31), its length (32-47; 0: an empty slot), its channel (48-55), and
        /// whether `results` holds its matches (bit 56: most strings have none); what the
        /// first reading added to the counters (`stringsSkipped` bits 0-7,
        /// `skippedByPrefilter` 8-31, `patternRuns` 32-55); then a short text itself.
        var slots: UnsafeMutablePointer<UInt64>?
        var arena: UnsafeMutableRawPointer?
        var results: [[RuleMatch]] = []
        var arenaUsed = 0
        let slotCount: Int
        let mask: Int
        let arenaCapacity: Int

        init(slots: Int, arenaBytes: Int) {
            slotCount = slots
            mask = slots - 1
            arenaCapacity = arenaBytes
        }

        func allocate() {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: slotCount * 64, alignment: 64)
            raw.initializeMemory(as: UInt64.self, repeating: 0, count: slotCount * 8)
            slots = raw.assumingMemoryBound(to: UInt64.self)
            arena = UnsafeMutableRawPointer.allocate(byteCount: arenaCapacity, alignment: 16)
            results = [[RuleMatch]](repeating: [], count: slotCount)
        }

        /// Forgets every string: the arena is full.
        func forget() {
            arenaUsed = 0
            if let slots { slots.update(repeating: 0, count: slotCount * 8) }
            for k in results.indices where !results[k].isEmpty { results[k] = [] }
        }

        deinit {
            slots.map { UnsafeMutableRawPointer($0).deallocate() }
            arena?.deallocate()
        }
    }

    /// A 64-bit hash of the text and the channel, eight bytes at a time.
    @inline(__always)
    static func hash(_ base: UnsafeRawPointer, _ n: Int, channel: Channel) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            return x ^ (x >> 32)
        }
        var h = (UInt64(n) << 8 | UInt64(channel.ordinal)) &* k
        var i = 0
        while i &+ 8 <= n {
            h = mix(h, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i &+= 8
        }
        if i < n {
            // The last bytes: the last eight of the text when it has eight (overlapping the word
            // before), else each byte.
            var w: UInt64 = 0
            if n >= 8 {
                w = base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            } else {
                for j in 0..<n { w |= UInt64(base.load(fromByteOffset: j, as: UInt8.self)) << (8 &* UInt64(j)) }
            }
            h = mix(h, w)
        }
        return mix(h, k)
    }
}
