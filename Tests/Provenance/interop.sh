#!/usr/bin/env bash
# Interop checks of signed packages that need tools outside Swift (run by .ci/run):
#  1. two `redact --sign-key` runs with SOURCE_DATE_EPOCH and a pseudonym key file give
#     byte-identical statements (Ed25519 signatures are deterministic);
#  2. a P-256 co-signature added with `scrubjay sign`;
#  3. the PyPI packages securesystemslib (DSSE) and in-toto-attestation (Statement v1) read
#     the envelope and statement and verify both signatures (Tests/Provenance/check_statement.py);
#  4. a key that did not sign is refused by that same check.
# Usage: interop.sh SCRUBJAY_BINARY
set -euo pipefail
bin="$1"
here="$(cd "$(dirname "$0")" && pwd)"
input="$here/../Fixtures/posthog/docs.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" keygen -o "$work/officer.pem" >/dev/null
"$bin" keygen -o "$work/reviewer.pem" --algorithm p256 >/dev/null
"$bin" keygen -o "$work/stranger.pem" >/dev/null
head -c 32 /dev/urandom > "$work/pseudonym.key"

for run in 1 2; do
  SOURCE_DATE_EPOCH=1767225600 "$bin" redact "$input" -o "$work/run$run.zip" \
    --sign-key "$work/officer.pem" --pseudonym-key-file "$work/pseudonym.key" >/dev/null
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("redaction/statement.dsse.json"))' \
    "$work/run$run.zip" > "$work/statement$run.json"
done
cmp "$work/statement1.json" "$work/statement2.json"
echo "determinism: two runs with SOURCE_DATE_EPOCH give byte-identical statements"

"$bin" sign "$work/run1.zip" --key "$work/reviewer.pem"
python3 "$here/check_statement.py" "$work/run1.zip" "$work/officer.pub.pem" "$work/reviewer.pub.pem"
if python3 "$here/check_statement.py" "$work/run1.zip" "$work/stranger.pub.pem" >/dev/null 2>&1; then
  echo "FAIL: a key that did not sign was accepted" >&2
  exit 1
fi
echo "a key that did not sign is refused"
