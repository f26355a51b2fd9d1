#!/usr/bin/env bash
# cluster.sh — a multi-process replicated reference cluster on loopback:
# one `ddbkit serve --node-id I` process per node, zones az1..az3 round-robin,
# raft over TCP between the processes, every node serving the DynamoDB API
# (and routing any request to the partition's leader) on its own port.
#
#   scripts/cluster.sh start   [--nodes N] [--dir DIR] [--port P] [-- serve flags...]
#   scripts/cluster.sh stop    [--dir DIR]
#   scripts/cluster.sh status  [--dir DIR]     one line per node: NAME ZONE URL PID (PID - when down)
#   scripts/cluster.sh kill    NODE [--dir DIR]   kill -9
#   scripts/cluster.sh restart NODE [--dir DIR]   start NODE again from its data (kill -9 first if up)
#   scripts/cluster.sh pause   NODE / resume NODE   SIGSTOP / SIGCONT
#   scripts/cluster.sh join    [--zone azK] [--dir DIR]  add node N+1 (zone round-robin unless given):
#                              it joins the running cluster (`serve --join`), the ring places replicas
#                              on it and they move there by raft membership change; prints its status line
#
# NODE is n1..nN (or 1..N), N counting joined nodes. Defaults: N=3, DIR=var/cluster under the project
# (git-ignored), API ports P+1..P+N and raft ports P+101..P+100+N with P=27000.
# The layout of DIR: cluster.env (the settings), ddbkit (the binary, rebuilt by
# start unless DDBKIT_BIN is set), and nI/{data,log,pid} per node.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
[ $# -gt 0 ] && shift
NODE=""
case "$cmd" in kill | restart | pause | resume) NODE=${1:-}; [ $# -gt 0 ] && shift ;; esac
NODES=3
DIR="$ROOT/var/cluster"
PORT=27000
EXTRA=()
JOIN_ZONE=""
while [ $# -gt 0 ]; do
  case "$1" in
  --nodes) NODES=$2; shift 2 ;;
  --zone) JOIN_ZONE=$2; shift 2 ;;
  --dir) DIR=$2; shift 2 ;;
  --port) PORT=$2; shift 2 ;;
  --) shift; EXTRA=("$@"); break ;;
  *) echo "cluster.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
ENV="$DIR/cluster.env"

log() { echo "cluster.sh: $*" >&2; }

# The env file: NODES (the founders), PORT, BIN, SERVE_FLAGS, and for each
# joined node I a line ZONE_I=azK; TOTAL counts founders and joined nodes.
load_env() {
  [ -f "$ENV" ] || { log "no cluster in $DIR (run start first)"; exit 1; }
  # shellcheck disable=SC1090
  . "$ENV"
  TOTAL=$NODES
  while v="ZONE_$((TOTAL + 1))"; [ -n "${!v:-}" ]; do TOTAL=$((TOTAL + 1)); done
}

zone_of() {
  local v="ZONE_$1"
  if [ -n "${!v:-}" ]; then echo "${!v}"; else echo "az$(( ($1 - 1) % 3 + 1 ))"; fi
}
api_port() { echo $((PORT + $1)); }
raft_port() { echo $((PORT + 100 + $1)); }
node_num() { local n=${1#n}; [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$TOTAL" ] || { log "no node $1"; exit 2; }; echo "$n"; }

pid_of() { # prints the pid of node $1 if it runs
  local f="$DIR/n$1/pid"
  [ -f "$f" ] || return 1
  local p; p=$(cat "$f")
  kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}

peer() { echo "$1/$(zone_of "$1")/127.0.0.1:$(api_port "$1")/127.0.0.1:$(raft_port "$1")"; }

# peers prints the --peers of node $1: the founders, and a joined node
# itself (it learns the other joined nodes from the catalog).
peers() {
  local i out=""
  for ((i = 1; i <= NODES; i++)); do out+="${out:+,}$(peer "$i")"; done
  if [ "$1" -gt "$NODES" ]; then out+=",$(peer "$1")"; fi
  echo "$out"
}

answers() { curl -s -o /dev/null -m 1 "http://127.0.0.1:$(api_port "$1")/"; }

start_node() {
  local i=$1
  if pid_of "$i" >/dev/null; then log "n$i already running"; return; fi
  mkdir -p "$DIR/n$i/data"
  local join=()
  if [ "$i" -gt "$NODES" ]; then join=(--join); fi
  nohup "$BIN" serve --node-id "$i" --zone "$(zone_of "$i")" --peers "$(peers "$i")" "${join[@]}" \
    --data "$DIR/n$i/data" --addr "127.0.0.1:$(api_port "$i")" "${SERVE_FLAGS[@]}" \
    >>"$DIR/n$i/log" 2>&1 &
  echo $! >"$DIR/n$i/pid"
}

wait_up() {
  local i=$1 t
  for ((t = 0; t < 200; t++)); do
    answers "$i" && return 0
    pid_of "$i" >/dev/null || { log "n$i exited; see $DIR/n$i/log"; tail -5 "$DIR/n$i/log" >&2; return 1; }
    sleep 0.05
  done
  log "n$i does not answer on port $(api_port "$i")"
  return 1
}

case "$cmd" in
start)
  if [ -f "$ENV" ]; then
    . "$ENV"
  else
    SERVE_FLAGS=("${EXTRA[@]}")
    BIN=${DDBKIT_BIN:-$DIR/ddbkit}
    { echo "NODES=$NODES"; echo "PORT=$PORT"; echo "BIN=$BIN"; declare -p SERVE_FLAGS; } >"$ENV"
  fi
  if [ -z "${DDBKIT_BIN:-}" ] && [ "$BIN" = "$DIR/ddbkit" ]; then
    (cd "$ROOT" && go build -o "$BIN" ./cmd/ddbkit)
  fi
  load_env
  for ((i = 1; i <= TOTAL; i++)); do start_node "$i"; done
  for ((i = 1; i <= TOTAL; i++)); do wait_up "$i"; done
  log "started $TOTAL nodes in $DIR"
  ;;
join)
  load_env
  i=$((TOTAL + 1))
  z=${JOIN_ZONE:-$(zone_of "$i")}
  [[ "$z" =~ ^az[1-3]$ ]] || { log "zone $z: want az1, az2 or az3"; exit 2; }
  echo "ZONE_$i=$z" >>"$ENV"
  load_env
  start_node "$i"
  wait_up "$i"
  echo "n$i $(zone_of "$i") http://127.0.0.1:$(api_port "$i") $(pid_of "$i" || echo -)"
  ;;
stop)
  load_env
  for ((i = 1; i <= TOTAL; i++)); do
    if p=$(pid_of "$i"); then kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; fi
  done
  for ((i = 1; i <= TOTAL; i++)); do
    for ((t = 0; t < 100; t++)); do pid_of "$i" >/dev/null || break; sleep 0.05; done
    if p=$(pid_of "$i"); then kill -9 "$p" 2>/dev/null || true; fi
    rm -f "$DIR/n$i/pid"
  done
  ;;
status)
  load_env
  for ((i = 1; i <= TOTAL; i++)); do
    p=$(pid_of "$i" || echo -)
    echo "n$i $(zone_of "$i") http://127.0.0.1:$(api_port "$i") $p"
  done
  ;;
kill)
  load_env
  i=$(node_num "$NODE")
  if p=$(pid_of "$i"); then
    kill -9 "$p"
    for ((t = 0; t < 100; t++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.02; done
  fi
  rm -f "$DIR/n$i/pid"
  ;;
restart)
  load_env
  i=$(node_num "$NODE")
  if p=$(pid_of "$i"); then
    kill -9 "$p"
    for ((t = 0; t < 100; t++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.02; done
  fi
  start_node "$i"
  wait_up "$i"
  ;;
pause | resume)
  load_env
  i=$(node_num "$NODE")
  p=$(pid_of "$i") || { log "n$i is down"; exit 1; }
  if [ "$cmd" = pause ]; then kill -STOP "$p"; else kill -CONT "$p"; fi
  ;;
*)
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
