import ScrubjayRedaction
import ScrubjayRules

/// Which HIPAA Safe Harbor identifiers and PCI DSS requirements the rules applied to a
/// package cover (docs/REPORTS.md, "Compliance coverage"). The mapping follows
/// Policies/hipaa-safe-harbor.yml and Policies/pci-dss.yml (a test keeps them in step): it says
/// which rules were applied, not that a package is compliant, which takes the policy's other
/// requirements (a clean rescan, a trusted signature) and a person's judgement.
public enum ComplianceCoverage {
    /// One identifier or requirement and the rules that address it.
    public struct Item: Sendable {
        public var id: String
        public var name: String
        /// Rules that address it; empty when no rule can (the note says why).
        public var rules: [String]
        /// Actions a rule may have for the item to count as covered (nil: any).
        public var actions: [String: [String]]?
        public var note: String?
    }

    /// 45 CFR 164.514(b)(2)(i)(A)-(R), as Policies/hipaa-safe-harbor.yml maps them.
    public static let hipaaSafeHarbor: [Item] = [
        Item(id: "A", name: "Names", rules: ["self_identified_name", "typed_input"],
             note: "names a person states or types; a name shown in page text without a cue is not detected"),
        Item(id: "B", name: "Geographic subdivisions smaller than a state", rules: ["street_address_us", "us_zip_code", "geo_coordinates"]),
        Item(id: "C", name: "All elements of dates (except year) related to an individual", rules: ["date_of_birth"]),
        Item(id: "D", name: "Telephone numbers", rules: ["phone_nanp", "phone_e164"]),
        Item(id: "E", name: "Fax numbers", rules: ["phone_nanp", "phone_e164"], note: "fax numbers have the form of telephone numbers"),
        Item(id: "F", name: "Email addresses", rules: ["email"]),
        Item(id: "G", name: "Social security numbers", rules: ["us_ssn"]),
        Item(id: "H", name: "Medical record numbers", rules: [],
             note: "no format-specific rule: typed input is masked; review the page text"),
        Item(id: "I", name: "Health plan beneficiary numbers", rules: [],
             note: "no format-specific rule: typed input is masked; review the page text"),
        Item(id: "J", name: "Account numbers", rules: ["payment_card", "iban"]),
        Item(id: "K", name: "Certificate/license numbers", rules: [],
             note: "no format-specific rule: typed input is masked; review the page text"),
        Item(id: "L", name: "Vehicle identifiers and serial numbers, including license plates", rules: [],
             note: "no format-specific rule"),
        Item(id: "M", name: "Device identifiers and serial numbers", rules: ["imei", "mac_address"]),
        Item(id: "N", name: "Web Universal Resource Locators (URLs)", rules: ["url_sensitive_param", "url_credentials"],
             note: "sensitive parameters and credentials in URLs; the rest of a URL is kept"),
        Item(id: "O", name: "Internet Protocol (IP) addresses", rules: ["ipv4", "ipv6"]),
        Item(id: "P", name: "Biometric identifiers", rules: [],
             note: "images are not scanned (see what was not scanned): block them at record time"),
        Item(id: "Q", name: "Full-face photographs and comparable images", rules: [],
             note: "images are not scanned (see what was not scanned): block them at record time"),
        Item(id: "R", name: "Any other unique identifying number, characteristic, or code", rules: ["passport_number", "uk_nino", "uk_nhs"],
             note: "identifiers with a known format; others are not detected"),
    ]

    /// PCI DSS v4.0 requirements a session replay touches, as Policies/pci-dss.yml judges them.
    public static let pciDSS: [Item] = [
        Item(id: "3.3.1.1", name: "Full track data is not retained after authorization", rules: [],
             note: "magnetic-stripe track data does not reach a web page; no rule"),
        Item(id: "3.3.1.2", name: "The card verification code is not retained after authorization", rules: ["card_cvv"],
             actions: ["card_cvv": ["mask", "replace", "remove", "hash"]]),
        Item(id: "3.4.1", name: "PAN is masked when displayed (at most the BIN and last four digits)", rules: ["payment_card"],
             actions: ["payment_card": ["keep_last", "mask", "replace", "remove", "hash"]]),
        Item(id: "3.5.1", name: "PAN is rendered unreadable anywhere it is stored", rules: ["payment_card"],
             actions: ["payment_card": ["keep_last", "mask", "replace", "remove", "hash"]],
             note: "keep_last keeps only the last four digits (truncation)"),
        Item(id: "8.3.2", name: "Authentication factors are unreadable in storage", rules: ["password_pair", "bearer_token", "basic_auth", "url_credentials"],
             note: "passwords typed into fields are masked by typed_input too"),
    ]

    /// How far the applied rules cover one item.
    public enum Status: String, Codable, Sendable {
        /// Every rule of the item was applied, with an allowed action.
        case covered
        /// Some of its rules were applied.
        case partial
        /// None of its rules was applied (or none with an allowed action).
        case notCovered
        /// No rule can cover it: a person must review (the note says what).
        case review
    }

    /// `items` judged against the rules applied.
    public static func evaluate(_ items: [Item], applied: [RedactionPredicate.RuleSummary]) -> [ReportDocument.CoverageItem] {
        let byId = Dictionary(applied.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            var covered: [String] = [], problems: [String] = []
            for id in item.rules {
                guard let rule = byId[id] else { continue }
                if let allowed = item.actions?[id], !allowed.contains(rule.action.rawValue) {
                    problems.append("\(id) rewrites with \(rule.action.rawValue), not \(allowed.joined(separator: ", "))")
                } else {
                    covered.append(id)
                }
            }
            let status: Status = item.rules.isEmpty ? .review
                : covered.count == item.rules.count ? .covered : covered.isEmpty ? .notCovered : .partial
            let missing = item.rules.filter { byId[$0] == nil }
            var notes = item.note.map { [$0] } ?? []
            if !missing.isEmpty && !item.rules.isEmpty { notes.append("not applied: " + missing.joined(separator: ", ")) }
            notes += problems
            return ReportDocument.CoverageItem(id: item.id, name: item.name, rules: item.rules, applied: covered, status: status,
                                               note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
    }
}
