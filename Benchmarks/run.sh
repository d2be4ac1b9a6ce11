#!/usr/bin/env bash
# Benchmarks the JSON engine on a synthetic recording, against Python/orjson in the same run.
#   bash Benchmarks/run.sh [MB] [--pack PACK_MB] [--redact]
#     default 50 MB; --pack also times `scrubjay pack` on a PACK_MB blob_v2-cv input, with peak
#     memory; --redact times the rule packs over the recording (engine: default.yml alone against
#     Benchmarks/baseline_redact_python.py (regex or re, orjson), with privacy-markers.yml, and all
#     default packs; and the whole `scrubjay redact` command);
#     --verify VERIFY_MB redacts and signs a VERIFY_MB recording, then times `scrubjay verify`
#     with its trusted key against `sha256sum` of the package's files (extracted beforehand),
#     interleaved, best of 5 each.
# Needs python3 with orjson, PyYAML and regex (installed with pip if missing). The input is generated once
# into .build/bench/ by ../shared/bench/gen_synthetic.py; set SCRUBJAY_GEN to use another
# copy of the generator.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=50
pack_mb=""
redact=""
verify_mb=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pack) pack_mb="$2"; shift 2 ;;
    --redact) redact=1; shift ;;
    --verify) verify_mb="$2"; shift 2 ;;
    *) mb="$1"; shift ;;
  esac
done
gen="${SCRUBJAY_GEN:-../shared/bench/gen_synthetic.py}"
[ -f "$gen" ] || { echo "generator not found: $gen (set SCRUBJAY_GEN)" >&2; exit 2; }
python3 -c "import orjson, yaml, regex" 2>/dev/null || pip install -q orjson pyyaml regex
mkdir -p .build/bench
input=".build/bench/synthetic-${mb}mb.json"
[ -f "$input" ] || python3 "$gen" "$input" --mb "$mb"
swift build -c release --product scrubjay-bench >/dev/null
echo "machine: $(nproc) cores, $(uname -m); one core used"
.build/release/scrubjay-bench "$input" --runs 7 --baseline Benchmarks/baseline_orjson.py
.build/release/scrubjay-bench "$input" --memory
if [ -n "$pack_mb" ]; then
  packed_input=".build/bench/synthetic-${pack_mb}mb-blob_v2-cv.jsonl"
  [ -f "$packed_input" ] || python3 "$gen" "$packed_input" --mb "$pack_mb" --shape blob_v2-cv
  swift build -c release --product scrubjay >/dev/null
  out=$(mktemp -d)
  /usr/bin/time -f "%e %M" -o "$out/time" .build/release/scrubjay pack "$packed_input" -o "$out/p.zip" >/dev/null
  read -r seconds kb < "$out/time"
  size=$(stat -c %s "$packed_input")
  python3 -c "import sys; s,kb,size=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]); print(f'pack (blob_v2-cv, {size/1e6:.1f} MB): {size/1e6/s:.1f} MB/s ({s:.1f} s), peak memory {kb*1024/1e6:.0f} MB ({kb*1024/size:.2f}x the input), package {int(open(\"/dev/stdin\").read())/1e6:.1f} MB')" "$seconds" "$kb" "$size" <<< "$(stat -c %s "$out/p.zip")"
  rm -rf "$out"
fi
if [ -n "$redact" ]; then
  # Each rule set an issue names a figure for (README, "Performance"): default.yml alone,
  # against the Python script that runs its regexes; with the privacy markers; all default packs.
  packs=$(mktemp -d)
  mkdir "$packs/default" "$packs/privacy"
  cp Rules/default.yml "$packs/default/"
  cp Rules/default.yml Rules/privacy-markers.yml "$packs/privacy/"
  echo "-- default.yml"
  SCRUBJAY_BENCH_RULES="$packs/default" .build/release/scrubjay-bench "$input" --redact --runs 7 --baseline Benchmarks/baseline_redact_python.py
  echo "-- default.yml and privacy-markers.yml"
  SCRUBJAY_BENCH_RULES="$packs/privacy" .build/release/scrubjay-bench "$input" --redact --runs 7
  echo "-- all default packs"
  .build/release/scrubjay-bench "$input" --redact --runs 7
  rm -rf "$packs"
  swift build -c release --product scrubjay >/dev/null
  out=$(mktemp -d)
  /usr/bin/time -f "%e %M" -o "$out/time" .build/release/scrubjay redact "$input" -o "$out/r.zip" >/dev/null
  read -r seconds kb < "$out/time"
  size=$(stat -c %s "$input")
  python3 -c "import sys; s,kb,size=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]); print(f'scrubjay redact command (read, redact, write the ZIP package): {size/1e6/s:.1f} MB/s ({s:.2f} s), peak memory {kb*1024/1e6:.0f} MB')" "$seconds" "$kb" "$size"
  rm -rf "$out"
fi
if [ -n "$verify_mb" ]; then
  verify_input=".build/bench/synthetic-${verify_mb}mb.json"
  [ -f "$verify_input" ] || python3 "$gen" "$verify_input" --mb "$verify_mb"
  swift build -c release --product scrubjay >/dev/null
  out=$(mktemp -d)
  .build/release/scrubjay keygen -o "$out/k.pem" >/dev/null
  .build/release/scrubjay redact "$verify_input" -o "$out/signed.zip" --sign-key "$out/k.pem" >/dev/null
  mkdir "$out/files" && (cd "$out/files" && unzip -q ../signed.zip)
  files_mb=$(du -sb "$out/files" | cut -f1)
  best_verify=999; best_sha=999
  for _ in 1 2 3 4 5; do
    s=$( { /usr/bin/time -f "%e" .build/release/scrubjay verify "$out/signed.zip" --trusted-key "$out/k.pub.pem" >/dev/null; } 2>&1 | tail -1)
    best_verify=$(python3 -c "print(min($best_verify, $s))")
    s=$( { /usr/bin/time -f "%e" sh -c "find '$out/files' -type f -print0 | xargs -0 sha256sum >/dev/null"; } 2>&1 | tail -1)
    best_sha=$(python3 -c "print(min($best_sha, $s))")
  done
  python3 -c "import sys; v,s,b,z=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]); print(f'verify a signed package ({z/1e6:.1f} MB ZIP, {b/1e6:.1f} MB of files): {v:.2f} s; sha256sum of its files: {s:.2f} s; ratio {v/s:.2f}x (best of 5 each, interleaved)')" "$best_verify" "$best_sha" "$files_mb" "$(stat -c %s "$out/signed.zip")"
  rm -rf "$out"
fi
