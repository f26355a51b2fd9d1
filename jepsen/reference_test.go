package jepsen

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/server"
)

// TestReferenceServer is the positive control on the real engine: the
// single-node reference server must pass every workload. (Fault injection
// into the replicated cluster joins when reference/cluster lands.)
func TestReferenceServer(t *testing.T) {
	for i, w := range Workloads {
		t.Run(w, func(t *testing.T) {
			srv, err := server.Start(t.Context(), server.Options{Addr: "127.0.0.1:0"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			res := shortRun(t, srv.URL(), w, int64(100+i))
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
