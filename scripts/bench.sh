#!/usr/bin/env bash
# bench.sh — the README's main benchmark: YCSB workload A (50% reads, 50%
# one-field updates, scrambled zipfian θ=0.99, 10 × 100-byte fields) with
# 1,000,000 operations against the embedded reference engine, a live
# progress line, and a report under var/reports/<UTC timestamp>/
# (results.json, report.md, report.html with plots, HdrHistogram interval logs).
#
# Usage: scripts/bench.sh [extra ddbkit bench flags...]
#   e.g. scripts/bench.sh --concurrency 32
#        scripts/bench.sh --target ref=embedded --target dynalite=http://127.0.0.1:8001
# Environment: OPERATIONS (1000000), RECORDS (100000), WORKLOAD (a).
set -euo pipefail
cd "$(dirname "$0")/.."
OPERATIONS=${OPERATIONS:-1000000}
RECORDS=${RECORDS:-100000}
WORKLOAD=${WORKLOAD:-a}
OUT="var/reports/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p var/bin "$OUT"
go build -o var/bin/ddbkit ./cmd/ddbkit
exec var/bin/ddbkit bench \
  --workload "$WORKLOAD" \
  -p recordcount="$RECORDS" \
  --operations "$OPERATIONS" \
  --out "$OUT" \
  "$@"
