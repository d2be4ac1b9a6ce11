#!/usr/bin/env python3
"""Independent interop check of a signed Scrubjay package (issue: signed redaction manifest).

Reads redaction/statement.dsse.json from PACKAGE with the PyPI packages the in-toto project
publishes, not with Scrubjay's code:
  * securesystemslib's DSSE Envelope parses the envelope and verifies every signature with
    the given public keys (Ed25519 or ECDSA P-256, PEM), over its own PAE;
  * in-toto-attestation's v1 Statement (protobuf) parses the payload strictly and validates it;
  * every subject's SHA-256 matches the package file of that name, and every other file of
    the package is a subject.

Usage: check_statement.py PACKAGE PUBLIC_KEY.pem [PUBLIC_KEY.pem ...]
Exit 0 when everything holds; 1 with a message otherwise.
"""
import hashlib
import json
import sys
import zipfile

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

STATEMENT = "redaction/statement.dsse.json"


def key_from_pem(path):
    public = load_pem_public_key(open(path, "rb").read())
    der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    keyid = "sha256:" + hashlib.sha256(der).hexdigest()
    if isinstance(public, ed25519.Ed25519PublicKey):
        scheme = "ed25519"
    elif isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1":
        scheme = "ecdsa-sha2-nistp256"
    else:
        sys.exit(f"{path}: not an Ed25519 or P-256 key")
    return SSlibKey.from_crypto(public, keyid=keyid, scheme=scheme)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    package, key_paths = sys.argv[1], sys.argv[2:]
    with zipfile.ZipFile(package) as z:
        files = {i.filename: z.read(i.filename) for i in z.infolist() if not i.is_dir()}
    envelope = Envelope.from_dict(json.loads(files[STATEMENT]))
    if envelope.payload_type != "application/vnd.in-toto+json":
        sys.exit(f"payloadType is {envelope.payload_type}")
    keys = [key_from_pem(p) for p in key_paths]
    verified = envelope.verify(keys, len(keys))  # raises unless every key signed
    print(f"securesystemslib: {len(verified)} of {len(envelope.signatures)} signatures verified")

    pb = json_format.Parse(envelope.payload, statement_pb2.Statement())
    Statement.copy_from_pb(pb).validate()
    statement = json.loads(envelope.payload)
    print(f"in-toto-attestation: Statement v1 valid, predicateType {pb.predicate_type}, {len(pb.subject)} subjects")

    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    expected = {n: hashlib.sha256(d).hexdigest() for n, d in files.items() if n != STATEMENT}
    if subjects != expected:
        missing = sorted(set(expected) - set(subjects))
        extra = sorted(set(subjects) - set(expected))
        wrong = sorted(n for n in set(subjects) & set(expected) if subjects[n] != expected[n])
        sys.exit(f"subjects differ from the package: not covered {missing}, not in package {extra}, wrong digest {wrong}")
    print("subjects: every other file of the package, digests match")


if __name__ == "__main__":
    main()
