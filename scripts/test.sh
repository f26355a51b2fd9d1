#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what the tests
# need that Go does not fetch by itself (the peer endpoints), then runs every
# Go test. Long jepsen and bench runs are not part of it (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/peers.sh ]; then
  scripts/peers.sh install
fi
go vet ./...
go test -count=1 -timeout 20m ./...
