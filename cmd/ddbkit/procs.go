package main

import (
	"os"
	"runtime"

	"github.com/ddbkit/ddbkit/reference/server"
)

// syncingNodes is how many nodes of o, in this process, fsync a WAL: the
// nodes of an in-process cluster or the one node of a multi-process
// cluster, when durable with fsync on; 0 otherwise (the single-node
// engine's log is another path).
func syncingNodes(o server.Options) int {
	switch {
	case o.DataDir == "" || o.NoFsync:
		return 0
	case len(o.Peers) > 0:
		return 1
	case o.Nodes >= 3:
		return o.Nodes
	}
	return 0
}

// holdPsForFsync gives each syncing node of o one more P than the machine
// has CPUs and has its WAL fsync keep that P
// (server.Options.FsyncHoldsP): an fsync then never leaves its appender
// waiting for a P behind request goroutines. Left alone when GOMAXPROCS
// is set in the environment, unless that already leaves the extra Ps.
func holdPsForFsync(o *server.Options) {
	n := syncingNodes(*o)
	if n == 0 {
		return
	}
	want := runtime.NumCPU() + n
	if _, set := os.LookupEnv("GOMAXPROCS"); !set && runtime.GOMAXPROCS(0) < want {
		runtime.GOMAXPROCS(want)
	}
	o.FsyncHoldsP = runtime.GOMAXPROCS(0) >= want
}
