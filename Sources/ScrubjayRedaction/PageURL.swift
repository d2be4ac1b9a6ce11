/// Page URLs as reports show them: the scheme, host and path as the package holds them, with
/// user information dropped and every query and fragment parameter value masked, so a
/// search term, a name or a token in a URL never reaches a report even when no rule matched it.
public enum PageURL {
    /// What a masked parameter value reads as.
    public static let maskedValue = "***"

    /// `https://shop.test/account?email=a%40b.test&step=2#tab=orders` →
    /// `https://shop.test/account?email=***&step=***#tab=***`. A parameter without `=` is a
    /// value too (`?jane` → `?***`); a fragment without `=` (`#section`, `#/orders/12`) is kept;
    /// user information (`https://user:pass@host/`) is dropped.
    public static func masked(_ url: String) -> String {
        var rest = Substring(url)
        var fragment: Substring?
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring?
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var out = withoutUserInfo(rest)
        if let query { out += "?" + maskParameters(query) }
        if let fragment { out += "#" + (fragment.contains("=") ? maskParameters(fragment) : String(fragment)) }
        return out
    }

    /// `a=1&b=&c` → `a=***&b=&***`: names kept, values masked (`;` separates too).
    static func maskParameters(_ text: Substring) -> String {
        var out = ""
        var part = Substring()
        func flush() {
            if part.isEmpty { return }
            if let eq = part.firstIndex(of: "=") {
                out += part[...eq]
                if part.index(after: eq) < part.endIndex { out += maskedValue }
            } else {
                out += maskedValue
            }
            part = Substring()
        }
        var start = text.startIndex
        for i in text.indices where text[i] == "&" || text[i] == ";" {
            part = text[start..<i]
            flush()
            out.append(text[i])
            start = text.index(after: i)
        }
        part = text[start...]
        flush()
        return out
    }

    /// The URL before its query with `user:password@` removed from the authority.
    static func withoutUserInfo(_ text: Substring) -> String {
        guard let scheme = text.range(of: "://") else { return String(text) }
        let authorityStart = scheme.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        guard let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") else { return String(text) }
        return String(text[..<authorityStart]) + String(text[text.index(after: at)...])
    }
}
