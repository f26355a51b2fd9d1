#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what the tests
# need that Go does not fetch by itself (the peer endpoints), then runs every
# Go test. Long jepsen and bench runs are not part of it (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/peers.sh ]; then
  scripts/peers.sh install
fi
# Java HdrHistogram tools, so the bench test that reads our interval logs back
# with HistogramLogProcessor runs instead of skipping (Debian package).
if [ ! -f /usr/share/java/hdrhistogram.jar ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  ($sudo apt-get install -y -qq libhdrhistogram-java >/dev/null 2>&1 ||
    ($sudo apt-get update -qq && $sudo apt-get install -y -qq libhdrhistogram-java >/dev/null)) ||
    echo "test.sh: could not install libhdrhistogram-java; the Java interop test will skip" >&2
fi
go vet ./...
go test -count=1 -timeout 20m ./...
