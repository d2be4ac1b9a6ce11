#!/usr/bin/env bash
# Benchmarks the JSON engine on a synthetic recording, against Python/orjson in the same run.
#   bash Benchmarks/run.sh [MB]      (default 50)
# Needs python3 with orjson (installed with pip if missing). The input is generated once
# into .build/bench/ by ../shared/bench/gen_synthetic.py; set SCRUBJAY_GEN to use another
# copy of the generator.
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-50}"
gen="${SCRUBJAY_GEN:-../shared/bench/gen_synthetic.py}"
[ -f "$gen" ] || { echo "generator not found: $gen (set SCRUBJAY_GEN)" >&2; exit 2; }
python3 -c "import orjson" 2>/dev/null || pip install -q orjson
mkdir -p .build/bench
input=".build/bench/synthetic-${mb}mb.json"
[ -f "$input" ] || python3 "$gen" "$input" --mb "$mb"
swift build -c release --product scrubjay-bench >/dev/null
echo "machine: $(nproc) cores, $(uname -m); one core used"
.build/release/scrubjay-bench "$input" --runs 7 --baseline Benchmarks/baseline_orjson.py
.build/release/scrubjay-bench "$input" --memory
