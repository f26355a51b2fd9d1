package jepsen

import (
	"context"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/jepsen/fakeddb"
)

// indeterminate is legal behaviour that makes operations indeterminate: a
// correct checker must still say valid.
var indeterminate = fakeddb.Indeterminacy{
	SlowWrites: 0.03, LateWrites: 0.03, InternalErrors: 0.02, StaleEventualReads: 0.3,
	SlowDelay: 150 * time.Millisecond,
}

// shortRun is a bounded, seeded run against url.
func shortRun(t *testing.T, url, workload string, seed int64) *Result {
	t.Helper()
	db, err := target.NewClient(t.Context(), target.Options{EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), Config{
		Workload: workload, DB: db, Endpoint: url, Seed: seed,
		Clients: 6, Keys: 3, Rate: 500, Duration: 1200 * time.Millisecond, MaxOps: 2000,
		OpTimeout: 80 * time.Millisecond, FinalTimeout: 10 * time.Second,
		CheckTimeout: 30 * time.Second,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func startFake(t *testing.T, o fakeddb.Options) string {
	t.Helper()
	s, err := fakeddb.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s.URL()
}

// TestNegativeControls runs each workload against a deliberately broken
// endpoint (its checker must catch the fault) and against a correct one
// that times out and fails requests in legal ways (it must pass).
func TestNegativeControls(t *testing.T) {
	cases := []struct {
		name     string
		workload string
		faults   fakeddb.Faults
		want     Verdict
	}{
		{"register correct", Register, fakeddb.Faults{}, Valid},
		{"register stale consistent reads", Register, fakeddb.Faults{StaleConsistentReads: 0.1}, Invalid},
		{"register ignored conditions", Register, fakeddb.Faults{IgnoreConditions: 0.3}, Invalid},
		{"set correct", Set, fakeddb.Faults{}, Valid},
		{"set lost adds", Set, fakeddb.Faults{LoseSetAdds: 0.02}, Invalid},
		{"set stale consistent reads", Set, fakeddb.Faults{StaleConsistentReads: 0.2}, Invalid},
		{"counter correct", Counter, fakeddb.Faults{}, Valid},
		{"counter double add", Counter, fakeddb.Faults{DoubleAdd: 0.02}, Invalid},
		{"counter stale consistent reads", Counter, fakeddb.Faults{StaleConsistentReads: 0.2}, Invalid},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := startFake(t, fakeddb.Options{Faults: tc.faults, Indeterminacy: indeterminate, Seed: uint64(i)})
			res := shortRun(t, url, tc.workload, int64(i))
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s\n%s", res.Verdict, tc.want, Summary(res))
			}
			if res.Stats.ByType["info"] == 0 {
				t.Fatalf("no indeterminate operations: the run did not exercise them\n%s", Summary(res))
			}
			if tc.workload == Register && tc.want == Valid {
				if res.Register.Simplify.Indeterminate == 0 {
					t.Fatalf("no indeterminate writes reached the checker")
				}
				if res.Staleness.Stale == 0 {
					t.Fatalf("stale eventually consistent reads went unmeasured: %+v", res.Staleness)
				}
			}
			t.Log(Summary(res))
		})
	}
}
