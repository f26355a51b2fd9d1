package main

import (
	"os"
	"runtime"
	"testing"

	"github.com/ddbkit/ddbkit/reference/server"
)

func TestSyncingNodes(t *testing.T) {
	peers := []server.Peer{{ID: 1}, {ID: 2}, {ID: 3}}
	for _, c := range []struct {
		name string
		o    server.Options
		want int
	}{
		{"in memory", server.Options{Nodes: 3}, 0},
		{"durable cluster", server.Options{Nodes: 3, DataDir: "d"}, 3},
		{"durable cluster without fsync", server.Options{Nodes: 5, DataDir: "d", NoFsync: true}, 0},
		{"one node of a multi-process cluster", server.Options{Peers: peers, DataDir: "d"}, 1},
		{"single-node engine", server.Options{Nodes: 1, DataDir: "d"}, 0},
	} {
		if got := syncingNodes(c.o); got != c.want {
			t.Errorf("%s: %d syncing nodes, want %d", c.name, got, c.want)
		}
	}
}

func TestHoldPsForFsync(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	t.Setenv("GOMAXPROCS", "1") // restored after the test
	os.Unsetenv("GOMAXPROCS")

	o := server.Options{Nodes: 3, DataDir: "d"}
	holdPsForFsync(&o)
	if !o.FsyncHoldsP || runtime.GOMAXPROCS(0) != runtime.NumCPU()+3 {
		t.Fatalf("durable 3-node cluster: FsyncHoldsP %v, GOMAXPROCS %d, want true and %d", o.FsyncHoldsP, runtime.GOMAXPROCS(0), runtime.NumCPU()+3)
	}
	// GOMAXPROCS chosen in the environment and too small: left alone, and
	// the fsync gives its P away as usual.
	runtime.GOMAXPROCS(1)
	t.Setenv("GOMAXPROCS", "1")
	o = server.Options{Nodes: 3, DataDir: "d"}
	holdPsForFsync(&o)
	if o.FsyncHoldsP || runtime.GOMAXPROCS(0) != 1 {
		t.Fatalf("GOMAXPROCS=1 in the environment: FsyncHoldsP %v, GOMAXPROCS %d", o.FsyncHoldsP, runtime.GOMAXPROCS(0))
	}
	o = server.Options{Nodes: 3}
	holdPsForFsync(&o)
	if o.FsyncHoldsP {
		t.Fatal("in-memory cluster: FsyncHoldsP set")
	}
}
