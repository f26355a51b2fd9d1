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
	SlowDelay: 600 * time.Millisecond,
}

// shortRun is a bounded, seeded run against url: 600 operations (about
// 1.2s at the rate), or 5s on a very busy machine.
func shortRun(t *testing.T, url, workload string, seed int64) *Result {
	t.Helper()
	db, err := target.NewClient(t.Context(), target.Options{EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), Config{
		Workload: workload, DB: db, Endpoint: url, Seed: seed,
		Clients: 6, Keys: 3, Rate: 500, Duration: 5 * time.Second, MaxOps: 600,
		OpTimeout: 250 * time.Millisecond, FinalTimeout: 10 * time.Second,
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
//
// Indeterminate increments widen the counter's bounds for the rest of the
// run, so the counter's negative controls run without indeterminacy; the
// register and set ones keep it, to show it hides nothing from them.
func TestNegativeControls(t *testing.T) {
	none := fakeddb.Indeterminacy{}
	cases := []struct {
		name     string
		workload string
		faults   fakeddb.Faults
		indet    fakeddb.Indeterminacy
		want     Verdict
	}{
		{"register correct", Register, fakeddb.Faults{}, indeterminate, Valid},
		{"register stale consistent reads", Register, fakeddb.Faults{StaleConsistentReads: 0.3}, indeterminate, Invalid},
		{"register ignored conditions", Register, fakeddb.Faults{IgnoreConditions: 1}, indeterminate, Invalid},
		{"set correct", Set, fakeddb.Faults{}, indeterminate, Valid},
		{"set lost adds", Set, fakeddb.Faults{LoseSetAdds: 0.1}, indeterminate, Invalid},
		{"set stale consistent reads", Set, fakeddb.Faults{StaleConsistentReads: 0.5}, indeterminate, Invalid},
		{"counter correct", Counter, fakeddb.Faults{}, indeterminate, Valid},
		{"counter double add", Counter, fakeddb.Faults{DoubleAdd: 0.2}, none, Invalid},
		{"counter stale consistent reads", Counter, fakeddb.Faults{StaleConsistentReads: 0.5}, none, Invalid},
		{"bank correct", Bank, fakeddb.Faults{}, indeterminate, Valid},
		{"bank non-atomic transactions", Bank, fakeddb.Faults{NonAtomicTransactions: 0.1}, indeterminate, Invalid},
		{"bank torn transactional reads", Bank, fakeddb.Faults{TornTransactGets: 0.5}, indeterminate, Invalid},
		{"list-append correct", ListAppend, fakeddb.Faults{}, indeterminate, Valid},
		{"list-append non-atomic transactions", ListAppend, fakeddb.Faults{NonAtomicTransactions: 0.1}, indeterminate, Invalid},
		{"list-append torn transactional reads", ListAppend, fakeddb.Faults{TornTransactGets: 0.5}, indeterminate, Invalid},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := startFake(t, fakeddb.Options{Faults: tc.faults, Indeterminacy: tc.indet, Seed: uint64(i)})
			res := shortRun(t, url, tc.workload, int64(i))
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s\n%s", res.Verdict, tc.want, Summary(res))
			}
			if tc.indet != none && res.Stats.ByType["info"] == 0 {
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
