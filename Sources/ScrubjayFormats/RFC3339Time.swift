import Foundation

/// Event timestamps (milliseconds since the epoch) as RFC 3339 UTC with milliseconds,
/// `2023-11-14T22:13:21.374Z`: what `ISO8601DateFormatter` with fractional seconds writes.
///
/// Whole milliseconds from 1900 to 9999 (every rrweb timestamp) are written directly: making a
/// formatter costs about a quarter of a millisecond, and `audit` writes one line per finding.
/// Anything else (fractions, earlier years, where the formatter's calendar turns Julian) goes
/// to the formatter. `RFC3339TimeTests` checks the two agree.
public enum RFC3339Time {
    /// 1900-01-01 and 10000-01-01, in milliseconds since the epoch.
    static let directRange: Range<Double> = -2_208_988_800_000 ..< 253_402_300_800_000

    public static func milliseconds(_ ms: Double) -> String {
        guard ms.rounded(.down) == ms, directRange.contains(ms) else { return formatted(ms) }
        let total = Int64(ms)
        var days = total / 86_400_000
        var inDay = total % 86_400_000
        if inDay < 0 { inDay += 86_400_000; days -= 1 }
        // Civil date from days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's method).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ v: Int64, _ width: Int) {
            var unit: Int64 = 1
            for _ in 1..<width { unit *= 10 }
            while unit > 0 { out.append(0x30 + UInt8(v / unit % 10)); unit /= 10 }
        }
        digits(year, 4); out.append(0x2D); digits(month, 2); out.append(0x2D); digits(day, 2)
        out.append(0x54)
        digits(inDay / 3_600_000, 2); out.append(0x3A); digits(inDay / 60_000 % 60, 2); out.append(0x3A)
        digits(inDay / 1000 % 60, 2); out.append(0x2E); digits(inDay % 1000, 3)
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    /// What `ISO8601DateFormatter` writes for `ms`.
    static func formatted(_ ms: Double) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: ms / 1000))
    }
}
