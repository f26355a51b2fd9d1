package jepsen

import (
	"flag"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/reference/server"
)

var long = flag.Duration("jepsen.long", 0, "run TestLong: every workload for this long against the reference engine")

func startReference(t *testing.T) string {
	t.Helper()
	srv, err := server.Start(t.Context(), server.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}

// TestReferenceServer is the positive control on the real engine: the
// single-node reference server must pass every workload. (Fault injection
// into the replicated cluster joins when reference/cluster lands.)
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

// TestLong runs every workload for -jepsen.long against the reference
// engine, with artifacts in the test's temporary directory.
func TestLong(t *testing.T) {
	if *long <= 0 {
		t.Skip("long runs are off; enable with -jepsen.long=60s")
	}
	for i, w := range Workloads {
		t.Run(w, func(t *testing.T) {
			url := startReference(t)
			db, err := target.NewClient(t.Context(), target.Options{EndpointURL: url})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(t.Context(), Config{
				Workload: w, DB: db, Endpoint: url, Seed: int64(1000 + i),
				Clients: 10, Keys: 10, Rate: 500, Duration: *long, OpTimeout: time.Second,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if _, err := WriteArtifacts(dir, res, ArtifactOptions{}); err != nil {
				t.Fatal(err)
			}
			t.Log(Summary(res))
			if res.Verdict != Valid {
				t.Fatalf("verdict %s (artifacts in %s)", res.Verdict, dir)
			}
		})
	}
}
