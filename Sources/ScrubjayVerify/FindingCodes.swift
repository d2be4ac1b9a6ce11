/// Every finding code `verify` can report, with a one-line description: SARIF rules' short
/// descriptions and the table in docs/VERIFY.md. Codes are stable: a code is never reused
/// for a different meaning.
public enum FindingCodes {
    public static let descriptions: [String: String] = [
        "archive.unsafePath": "An entry name is absolute, contains '..' or a backslash, or is otherwise unsafe to extract.",
        "archive.duplicateName": "Two entries have the same name (also after case folding).",
        "archive.link": "An entry is a symbolic or hard link.",
        "archive.encrypted": "An entry is encrypted.",
        "archive.bomb": "The archive expands far beyond its size (a zip bomb).",
        "archive.unreadable": "The archive is damaged, or reads differently by its ZIP central directory than by its local headers, and cannot be read.",
        "archive.extraFile": "A file is in the package but neither listed in the manifest nor a statement subject.",
        "archive.missingFile": "A file listed in the manifest is not in the package.",
        "manifest.missing": "The package has no manifest.json.",
        "manifest.invalid": "manifest.json does not parse as a package manifest.",
        "manifest.unsupportedVersion": "The manifest's format version is newer than this verifier reads.",
        "digest.mismatch": "A file's SHA-256 differs from the one recorded for it.",
        "size.mismatch": "A file's size differs from the one recorded for it.",
        "signature.missing": "The package has no signed redaction statement.",
        "signature.invalid": "A signature does not verify over the statement.",
        "statement.unreadable": "The DSSE envelope does not parse.",
        "envelope.payloadType": "The envelope's payload type is not an in-toto statement.",
        "envelope.payload": "The envelope's payload is not valid base64.",
        "key.noneTrusted": "No trusted key was given, so signatures were not checked.",
        "key.untrusted": "No signature verifies with a trusted key.",
        "key.revoked": "The signing key is revoked.",
        "key.expired": "The signing key's validity window had ended.",
        "key.notYetValid": "The signing key's validity window had not begun.",
        "statement.type": "The payload is not an in-toto v1 statement.",
        "statement.predicateType": "The statement's predicate type is not one this verifier reads.",
        "statement.invalid": "The statement or its redaction predicate does not parse.",
        "subject.missing": "A package file is not a subject of the statement, or a subject is not in the package.",
        "subject.noDigest": "A statement subject has no SHA-256 digest.",
        "chain.inputMismatch": "An original input is not the one the statement records.",
        "chain.unknown": "The inputs the package was made from are unknown.",
        "time.future": "The statement claims a creation time in the future.",
        "time.invalid": "The statement's creation time is not an RFC 3339 time.",
        "time.untrusted": "The creation time is the signer's claim; there is no trusted timestamp.",
        "rescan.residual": "A rule still matches in the package's events on rescan.",
        "rescan.truncated": "More residual findings than are listed.",
        "rescan.unreadable": "The package's events could not be scanned again.",
        "residency.hostNotAllowed": "A host (ingest, site, asset or network) is not one the policy allows.",
        "residency.regionNotAllowed": "The storage region is not one the policy allows.",
        "residency.unknown": "A residency fact the policy needs is unknown.",
        "policy.ruleFileMissing": "A rule pack the policy requires was not applied.",
        "policy.categoryMissing": "No applied rule covers a category the policy requires.",
        "policy.ruleMissing": "A rule the policy requires was not applied.",
        "policy.actionNotAllowed": "A rule rewrites with an action the policy does not allow.",
        "policy.rulesUnknown": "The package does not record which rules were applied.",
        "policy.residualFindings": "More residual findings on rescan than the policy allows.",
        "policy.rescanNotRun": "The policy limits residual findings but no rescan was run.",
        "policy.signatureMissing": "The policy requires a signature from a trusted key and there is none.",
        "policy.signerNotAllowed": "The package is not signed by a key the policy names.",
        "policy.signatureUnknown": "The policy requires a signature but no trusted key was given to check it.",
        "policy.tooOld": "The package is older than the policy allows.",
        "policy.ageUnknown": "The package's creation time is unknown.",
        "policy.exceptionExpired": "A policy exception has expired.",
    ]

    /// The description of `code`, or a generic one.
    public static func describe(_ code: String) -> String {
        descriptions[code] ?? "Verification finding \(code)."
    }
}
