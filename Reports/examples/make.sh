#!/usr/bin/env bash
# Writes Reports/examples/with-pageviews.html, the sample report the README links to: the bundled
# PostHog recording Tests/Fixtures/posthog/with-pageviews.json redacted with the default packs,
# stored in eu-central-1 as packed, rescanned, and judged by Policies/gdpr-eea.yml and Policies/pci-dss.yml
# (unsigned, so pci-dss fails on its signature requirement).
# usage: bash Reports/examples/make.sh [SCRUBJAY_BINARY]   (default .build/debug/scrubjay)
set -euo pipefail
cd "$(dirname "$0")/../.."
scrubjay="${1:-.build/debug/scrubjay}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01T00:00:00Z: the same inputs give the same file
"$scrubjay" redact Tests/Fixtures/posthog/with-pageviews.json -o "$work/with-pageviews.zip" \
  --storage-region eu-central-1 --ingest-host eu.i.posthog.com >/dev/null
cp "$work/with-pageviews.zip" "$work/with-pageviews.redacted.zip"
"$scrubjay" report "$work/with-pageviews.redacted.zip" --format html -o Reports/examples/with-pageviews.html \
  --policy Policies/gdpr-eea.yml --policy Policies/pci-dss.yml --rescan
echo "wrote Reports/examples/with-pageviews.html"
