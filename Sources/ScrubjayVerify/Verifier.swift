import Foundation
import ScrubjayIO
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayPolicy
import ScrubjayProvenance
import ScrubjayRedaction
import ScrubjayRules

/// The input is not a package at all (not a ZIP or gzip stream): a usage problem (exit 2),
/// unlike a package that is damaged (a verification failure, exit 1).
public struct NotAPackageError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public var description: String {
        "\(path): not a package (neither a ZIP nor a tar.gz archive); `scrubjay redact` or `pack` makes one"
    }
}

/// The offline verifier of `../shared/PROVENANCE.md`'s checklist (docs/VERIFY.md): archive
/// safety, the manifest's checksums, the envelope's signatures from trusted keys, the
/// statement, its coverage of the package, the chain of custody and the time.
public struct Verifier {
    /// Keys whose signatures count. Empty: signatures are listed but not trusted (a warning).
    public var trustedKeys: [TrustedKey] = []
    /// Original inputs at hand (`--original`): each must be one the statement records.
    public var originals: [String] = []
    /// The time to judge against (now, unless a test says otherwise).
    public var now = Date()
    /// How far in the future a creation time may be before it is an error.
    public var allowedClockSkew: TimeInterval = 300
    /// A package may expand to at most this many times its own size (and never past 4 GiB;
    /// at least 256 MiB is always allowed): a zip-bomb guard, enforced while reading.
    public var maxExpansionRatio = 100
    /// Policies to judge the package by (`--policy`): one check each.
    public var policies: [Policy] = []
    /// Scan the events again with these rules (`--rescan`): residual findings are warnings,
    /// and facts for policies' `rescan` limits.
    public var rescanRules: RuleSet?
    /// Gather the package's facts (hosts included) even without a policy (`scrubjay facts`).
    public var collectFacts = false

    public init() {}

    /// Verifies the package at `path`. Throws only when the input is missing, unreadable or
    /// not a package at all; anything wrong with a package is a finding.
    public func verify(_ path: String) throws -> VerificationResult {
        let head = try InputFile.readPrefix(path, count: 4)
        guard ReplayPackage.looksLikeArchive(head) else { throw NotAPackageError(path: path) }
        var checks: [CheckResult] = []
        var signatures: [VerificationResult.SignatureResult] = []
        // What the facts are gathered from, as far as the checks get.
        var packageFiles: [String: [UInt8]]?
        var manifest: PackageManifest?
        var claims: FactsCollector.StatementClaims?
        var trustedSigners: [String]? { trustedKeys.isEmpty ? nil : signatures.filter(\.accepted).map(\.keyid) }
        func finish() -> VerificationResult {
            var result = VerificationResult(package: path, checks: checks, signatures: signatures)
            judge(&result, files: packageFiles, manifest: manifest, claims: claims, trustedSigners: trustedSigners)
            return result
        }
        func skip(_ ids: [(String, String)], because why: String) {
            for (id, title) in ids { checks.append(CheckResult(id: id, title: title, status: .skip, detail: why, findings: [])) }
        }

        // 1. Archive safety: nothing is extracted to disk; unsafe names, links, encrypted
        //    entries and absurd expansion are refused while reading.
        var attributes = stat()
        let size = stat(path, &attributes) == 0 ? Int(attributes.st_size) : 0
        let limit = ReplayPackage.expansionLimit(forArchiveOfSize: size, ratio: maxExpansionRatio)
        let files: [String: [UInt8]]
        do {
            files = try ReplayPackage.readFiles(path, maxTotalSize: limit)
        } catch let error as PackageError {
            checks.append(Self.check("archive", "Archive safety and readability", [
                VerificationFinding(code: error.code, severity: .error, check: "archive", path: error.entry,
                                    message: error.detail)]))
            skip(Self.laterChecks, because: "the package could not be read safely")
            return finish()
        }
        packageFiles = files
        checks.append(CheckResult(id: "archive", title: "Archive safety and readability", status: .pass,
                                  detail: "\(files.count) files; no unsafe names, links, encrypted entries or excessive expansion", findings: []))

        // 2. The manifest and its own checksums. A damaged manifest fails this check; the
        //    statement's checks below still run (they do not rely on the manifest).
        // Every file's SHA-256, once, shared by the manifest and coverage checks. The statement
        // is neither listed in the manifest nor its own subject: it is not hashed.
        // Hashing runs on one core beside the statement's decoding and signature checks on
        // another: the two share nothing (docs/PERFORMANCE.md, "`pack` and `verify`", has the figures).
        let work = ConcurrentWork()
        let keys = trustedKeys
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                var digests: [String: String] = [:]
                for (name, data) in files where name != PackageStatement.path { digests[name] = Hex.encode(Digest.sha256(data)) }
                work.digests = digests
            } else if let bytes = files[PackageStatement.path] {
                work.statement = PreparedStatement(bytes, trustedKeys: keys)
            }
        }
        let digests = work.digests
        do {
            let package = ReplayPackage(path: path, manifest: try ReplayPackage.manifest(in: files, path: path), files: files)
            manifest = package.manifest
            let checksumFindings = package.verifyChecksums(digests: digests).map {
                VerificationFinding(code: $0.code, severity: .error, check: "manifest", path: $0.path, message: $0.detail)
            }
            checks.append(Self.check("manifest", "Manifest checksums", checksumFindings,
                                     passed: "all \(package.manifest.files.count) listed files hold"))
        } catch let error as PackageError {
            checks.append(Self.check("manifest", "Manifest checksums", [
                VerificationFinding(code: error.code, severity: .error, check: "manifest", path: error.entry, message: error.detail)]))
        }

        // 3. The statement and its signatures.
        guard let prepared = work.statement else {
            let severity: FindingSeverity = trustedKeys.isEmpty ? .warning : .error
            checks.append(Self.check("signature", "Signature from a trusted key", [
                VerificationFinding(code: "signature.missing", severity: severity, check: "signature", path: PackageStatement.path,
                                    message: "the package has no signed redaction statement; `scrubjay redact --sign-key` writes one")]))
            skip([("statement", "Statement type"), ("coverage", "Statement covers the package"), ("chain", "Chain of custody"),
                  ("time", "Creation time")], because: "there is no statement")
            if !originals.isEmpty {
                checks[checks.count - 2] = Self.check("chain", "Chain of custody", [
                    VerificationFinding(code: "chain.unknown", severity: .error, check: "chain",
                                        message: "--original was given but the package records no input to compare with")])
            }
            return finish()
        }
        guard let envelope = prepared.envelope else {
            checks.append(Self.check("signature", "Signature from a trusted key", [
                VerificationFinding(code: "statement.unreadable", severity: .error, check: "signature", path: PackageStatement.path,
                                    message: prepared.error ?? "unreadable")]))
            skip([("statement", "Statement type"), ("coverage", "Statement covers the package"), ("chain", "Chain of custody"),
                  ("time", "Creation time")], because: "the envelope could not be read")
            return finish()
        }
        let payload = prepared.payload
        let view = prepared.view
        let statement = view?.predicate
        let createdAt = statement.flatMap { TrustFile.parse($0.createdAt) }
        claims = statement.map { .init(createdAt: $0.createdAt, ruleFiles: $0.ruleFiles, counts: $0.counts) }

        var signatureFindings: [VerificationFinding] = []
        let expectedType = InTotoStatement<RedactionPredicate>.payloadType
        if envelope.payloadType != expectedType {
            signatureFindings.append(VerificationFinding(
                code: "envelope.payloadType", severity: .error, check: "signature", path: PackageStatement.path,
                message: "the envelope's payloadType is not an in-toto statement", expected: expectedType, actual: envelope.payloadType))
        }
        if payload == nil {
            signatureFindings.append(VerificationFinding(code: "envelope.payload", severity: .error, check: "signature",
                                                         path: PackageStatement.path, message: "the payload is not valid base64"))
        }
        var trustedValid = 0
        var keyProblems: [VerificationFinding] = []
        for (sig, match) in zip(envelope.signatures, prepared.matches) {
            // A valid signature is reported by the key it verified with: the envelope's keyid is a
            // hint anyone can write, and policies' key_ids judge the signer.
            signatures.append(.init(keyid: match?.key.keyID ?? sig.keyid, trustedAs: match?.name, valid: match != nil, accepted: false))
            guard let match else {
                if let claimed = trustedKeys.first(where: { $0.key.keyID == sig.keyid }) {
                    signatureFindings.append(VerificationFinding(
                        code: "signature.invalid", severity: .warning, check: "signature", path: PackageStatement.path,
                        message: "a signature claiming trusted key \(claimed.name) does not verify over the statement (changed after signing?)",
                        expected: "a valid signature by \(sig.keyid)", actual: "invalid"))
                }
                continue
            }
            // Every entry for this key counts, whichever source gave it (--trusted-key, the trust
            // file): a revocation anywhere wins, and each validity window must hold.
            let entries = trustedKeys.filter { $0.key.keyID == match.key.keyID }
            let problems = entries.compactMap { entry in
                (entry.problem(at: now) ?? createdAt.flatMap(entry.problem(at:))).map { (entry: entry.name, code: $0.code, message: $0.message) }
            }
            if let problem = problems.first(where: { $0.code == "key.revoked" }) ?? problems.first {
                signatures[signatures.count - 1].trustedAs = problem.entry
                keyProblems.append(VerificationFinding(code: problem.code, severity: .error, check: "signature", path: PackageStatement.path,
                                                       message: problem.message))
            } else {
                trustedValid += 1
                signatures[signatures.count - 1].accepted = true
            }
        }
        if trustedKeys.isEmpty {
            signatureFindings.append(VerificationFinding(
                code: "key.noneTrusted", severity: .warning, check: "signature", path: PackageStatement.path,
                message: "no --trusted-key or --trust-file given: \(envelope.signatures.count) signature(s) not checked; the statement below is unverified"))
        } else if trustedValid == 0 {
            if !keyProblems.isEmpty {
                signatureFindings += keyProblems
            } else {
                // Upgrade an invalid signature by a trusted key id to an error: nothing vouches for the payload.
                let invalid = signatureFindings.indices.filter { signatureFindings[$0].code == "signature.invalid" }
                for i in invalid { signatureFindings[i].severity = .error }
                if invalid.isEmpty {
                    signatureFindings.append(VerificationFinding(
                        code: "key.untrusted", severity: .error, check: "signature", path: PackageStatement.path,
                        message: "no signature verifies with a trusted key",
                        expected: trustedKeys.map(\.key.keyID).joined(separator: ", "),
                        actual: envelope.signatures.isEmpty ? "no signatures" : envelope.signatures.map(\.keyid).joined(separator: ", ")))
                }
            }
        }
        checks.append(Self.check("signature", "Signature from a trusted key", signatureFindings,
                                 passed: "\(trustedValid) valid signature(s) from trusted keys"))

        // 4. The statement: in-toto v1 with a predicate type this verifier reads.
        var statementFindings: [VerificationFinding] = []
        if let header = view {
            if header.type != InTotoStatement<RedactionPredicate>.statementType {
                statementFindings.append(VerificationFinding(code: "statement.type", severity: .error, check: "statement", path: PackageStatement.path,
                                                             message: "not an in-toto v1 statement",
                                                             expected: InTotoStatement<RedactionPredicate>.statementType, actual: header.type))
            }
            if header.predicateType != RedactionPredicate.type {
                statementFindings.append(VerificationFinding(code: "statement.predicateType", severity: .error, check: "statement", path: PackageStatement.path,
                                                             message: "a predicate type this verifier does not support",
                                                             expected: RedactionPredicate.type, actual: header.predicateType))
            } else if statement == nil {
                statementFindings.append(VerificationFinding(code: "statement.invalid", severity: .error, check: "statement", path: PackageStatement.path,
                                                             message: "the redaction predicate does not parse"))
            }
        } else {
            statementFindings.append(VerificationFinding(code: "statement.invalid", severity: .error, check: "statement", path: PackageStatement.path,
                                                         message: "the payload is not an in-toto statement"))
        }
        checks.append(Self.check("statement", "Statement type", statementFindings,
                                 passed: "in-toto Statement v1, predicate \(RedactionPredicate.type)"))

        // 5. Coverage: the package's files are exactly the subjects.
        if let header = view {
            let problems = PackageStatement.coverageProblems(subjects: header.subject, digests: digests)
            checks.append(Self.check("coverage", "Statement covers the package", problems.map {
                VerificationFinding(code: $0.code, severity: .error, check: "coverage", path: $0.path, message: $0.detail,
                                    expected: $0.expected, actual: $0.actual)
            }, passed: "\(header.subject.count) subjects, each file's SHA-256 matches"))
        } else {
            skip([("coverage", "Statement covers the package")], because: "the statement could not be read")
        }

        // 6. Chain of custody, with the originals at hand.
        if originals.isEmpty {
            skip([("chain", "Chain of custody")], because: "no --original given")
        } else if let statement {
            var findings: [VerificationFinding] = []
            let recorded = statement.inputs.compactMap { $0.digest["sha256"] }
            for original in originals {
                let digest = Hex.encode(Digest.sha256(try InputFile.read(original)))
                if !recorded.contains(digest) {
                    findings.append(VerificationFinding(
                        code: "chain.inputMismatch", severity: .error, check: "chain", path: nil,
                        message: "\(original) is not the input this package was redacted from",
                        expected: recorded.joined(separator: ", "), actual: digest))
                }
            }
            checks.append(Self.check("chain", "Chain of custody", findings,
                                     passed: "every original's SHA-256 is an input the statement records"))
        } else {
            checks.append(Self.check("chain", "Chain of custody", [
                VerificationFinding(code: "chain.unknown", severity: .error, check: "chain", path: PackageStatement.path,
                                    message: "the statement could not be read, so the inputs it records are unknown")]))
        }

        // 7. Time: not in the future; and only what the signer claims.
        if let statement {
            var findings: [VerificationFinding] = []
            if let createdAt {
                if createdAt.timeIntervalSince(now) > allowedClockSkew {
                    findings.append(VerificationFinding(
                        code: "time.future", severity: .error, check: "time", path: PackageStatement.path,
                        message: "the statement claims a creation time in the future",
                        expected: "at most \(PackageWriter.timestampString(now.addingTimeInterval(allowedClockSkew)))", actual: statement.createdAt))
                }
                findings.append(VerificationFinding(
                    code: "time.untrusted", severity: .note, check: "time", path: PackageStatement.path,
                    message: "created \(statement.createdAt) by the signer's claim; there is no trusted timestamp"))
            } else {
                findings.append(VerificationFinding(code: "time.invalid", severity: .error, check: "time", path: PackageStatement.path,
                                                    message: "createdAt is not an RFC 3339 time", actual: statement.createdAt))
            }
            checks.append(Self.check("time", "Creation time", findings, passed: "not in the future"))
        } else {
            skip([("time", "Creation time")], because: "the statement could not be read")
        }
        return finish()
    }

    /// What runs beside hashing: results handed from one thread to the other once
    /// `concurrentPerform` has returned (which orders the writes before the reads).
    final class ConcurrentWork: @unchecked Sendable {
        var digests: [String: String] = [:]
        var statement: PreparedStatement?
    }

    /// The envelope decoded, its payload, what the checks read of the statement, and for each
    /// signature the trusted key it verifies with. The statement is parsed before it is trusted
    /// only to learn its claimed time (for key validity windows); nothing else is believed
    /// unless a trusted signature verifies.
    /// The most signatures an envelope may hold: each is tried against every trusted key, so
    /// without a bound a megabyte of forged signatures keeps a verifier busy for minutes.
    static let maxSignatures = 100

    struct PreparedStatement {
        var envelope: DSSEEnvelope?
        /// Why the envelope could not be read.
        var error: String?
        var payload: [UInt8]?
        var view: StatementView?
        /// Per signature, in order: the first trusted key it verifies with, or nil.
        var matches: [TrustedKey?] = []

        init(_ bytes: [UInt8], trustedKeys: [TrustedKey]) {
            let envelope: DSSEEnvelope
            do {
                envelope = try DSSEEnvelope.decode(bytes, source: PackageStatement.path)
            } catch {
                self.error = "\(error)"
                return
            }
            guard envelope.signatures.count <= Verifier.maxSignatures else {
                self.error = "\(PackageStatement.path): /signatures holds \(envelope.signatures.count) signatures, more than the \(Verifier.maxSignatures) a verifier reads"
                return
            }
            self.envelope = envelope
            payload = envelope.payloadBytes
            let pae = payload.map { DSSE.pae(payloadType: envelope.payloadType, payload: $0) }
            // One decode of what the checks use: the header, subjects, and the predicate's time
            // and inputs (the findings list, which can be tens of megabytes, is skipped over).
            view = payload.flatMap(StatementView.decode)
            // The keyid is only a hint: every trusted key is tried.
            matches = envelope.signatures.map { sig in
                pae == nil ? nil : trustedKeys.first { envelope.isValid(sig, by: $0.key, pae: pae) }
            }
        }
    }

    /// The parts of a statement the checks read.
    struct StatementView: Decodable {
        var type: String
        var subject: [ResourceDescriptor]
        var predicateType: String
        /// Nil when the predicate lacks what a redaction predicate must have.
        var predicate: PredicateView?
        enum CodingKeys: String, CodingKey { case type = "_type", subject, predicateType, predicate }

        /// Decodes a statement's payload. The findings list (tens of megabytes for a large
        /// recording, and unused here) is validated and cut out by the byte-level engine
        /// first, so that Foundation's decoder reads only the rest.
        static func decode(_ payload: [UInt8]) -> StatementView? {
            guard var reader = try? EventReader(bytes: JSONBytes(payload), maxDepth: 64), let e = try? reader.next(),
                  e.kind(e.root) == .object else { return nil }
            var document = payload
            if let predicate = e.member("predicate", of: e.root), e.kind(predicate) == .object,
               let findings = e.member("findings", of: predicate), e.kind(findings) == .array {
                let r = e.byteRange(findings)
                document = Array(payload[..<r.lowerBound]) + Array("[]".utf8) + Array(payload[r.upperBound...])
            }
            // Anything after the document (a second value, stray bytes) is refused here.
            return try? JSONDecoder().decode(StatementView.self, from: Data(document))
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            subject = try c.decode([ResourceDescriptor].self, forKey: .subject)
            predicateType = try c.decode(String.self, forKey: .predicateType)
            predicate = try? c.decode(PredicateView.self, forKey: .predicate)
        }
    }

    struct PredicateView: Decodable {
        var createdAt: String
        var inputs: [RedactionPredicate.Input]
        var tool: [String: String]
        var ruleFiles: [RedactionPredicate.RuleFile]
        var counts: FindingCounts?
    }

    static let laterChecks = [("manifest", "Manifest checksums"), ("signature", "Signature from a trusted key"),
                              ("statement", "Statement type"), ("coverage", "Statement covers the package"),
                              ("chain", "Chain of custody"), ("time", "Creation time")]

    static func check(_ id: String, _ title: String, _ findings: [VerificationFinding], passed: String = "") -> CheckResult {
        let worst = findings.map(\.severity).max()
        let status: CheckResult.Status = worst == .error ? .fail : worst == .warning ? .warn : .pass
        return CheckResult(id: id, title: title, status: status, detail: status == .pass ? passed : "", findings: findings)
    }
}
