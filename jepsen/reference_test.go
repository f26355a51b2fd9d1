package jepsen

import (
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/jepsen/nemesis"
	"github.com/ddbkit/ddbkit/reference/server"
)

var (
	long    = flag.Duration("jepsen.long", 0, "run TestLong: every workload for this long against the reference cluster under every fault")
	longOut = flag.String("jepsen.out", "", "TestLong: artifact directory (default: a temporary one)")
)

func startReference(t *testing.T) string {
	t.Helper()
	srv, err := server.Start(t.Context(), server.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}

// TestReferenceServer is the positive control on the single-node engine:
// it must pass every workload (the replicated cluster under faults is in
// cluster_test.go).
func TestReferenceServer(t *testing.T) {
	for i, w := range Workloads {
		t.Run(w, func(t *testing.T) {
			res := shortRun(t, startReference(t), w, int64(100+i))
			if res.Verdict != Valid {
				t.Fatalf("verdict %s\n%s", res.Verdict, Summary(res))
			}
			if res.Stats.ByType["ok"] < 100 {
				t.Fatalf("too few ok operations to mean anything\n%s", Summary(res))
			}
			t.Log(Summary(res))
		})
	}
}

// TestLong runs every workload for -jepsen.long against the replicated
// reference cluster with every cluster fault on the default schedule
// (artifacts under -jepsen.out, default a temporary directory).
func TestLong(t *testing.T) {
	if *long <= 0 {
		t.Skip("long runs are off; enable with -jepsen.long=60s")
	}
	for i, w := range Workloads {
		t.Run(w, func(t *testing.T) {
			srv, err := server.Start(t.Context(), server.Options{Addr: "127.0.0.1:0", Nodes: 3, Seed: uint64(1000 + i)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			c := srv.Cluster()
			db, err := target.NewClient(t.Context(), target.Options{EndpointURL: srv.URL()})
			if err != nil {
				t.Fatal(err)
			}
			seed := int64(1000 + i)
			res, err := Run(t.Context(), Config{
				Workload: w, DB: db, Endpoint: srv.URL(), Seed: seed,
				Clients: 10, Keys: 10, Rate: 300, Duration: *long, OpTimeout: time.Second,
				Nemesis:  nemesis.NewClusterNemesis(c.Nemesis(), nemesis.ClusterOptions{Seed: seed}),
				Faults:   nemesis.ClusterFaults,
				Converge: c.WaitConverged,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := *longOut
			if dir == "" {
				dir = t.TempDir()
			}
			dir = filepath.Join(dir, w)
			if _, err := WriteArtifacts(dir, res, ArtifactOptions{}); err != nil {
				t.Fatal(err)
			}
			t.Log(Summary(res))
			if res.Verdict != Valid || res.Replicas != "equal" {
				t.Fatalf("verdict %s, replicas %s (artifacts in %s)", res.Verdict, res.Replicas, dir)
			}
		})
	}
}
