package jepsen

import (
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/jepsen/nemesis"
	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/server"
)

// clusterRun runs a workload against a fresh embedded 3-node, 3-zone
// reference cluster (optionally in an unsafe mode) with the given faults on
// a compressed schedule.
func clusterRun(t *testing.T, workload string, seed int64, faults []string, d time.Duration, unsafe node.Unsafe) *Result {
	t.Helper()
	srv, err := server.Start(t.Context(), server.Options{Addr: "127.0.0.1:0", Nodes: 3, Seed: uint64(seed), Unsafe: unsafe})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c := srv.Cluster()
	db, err := target.NewClient(t.Context(), target.Options{EndpointURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), Config{
		Workload: workload, DB: db, Endpoint: srv.URL(), Seed: seed,
		Clients: 8, Keys: 4, Rate: 300, Duration: d, OpTimeout: 500 * time.Millisecond,
		Nemesis:  nemesis.NewClusterNemesis(c.Nemesis(), nemesis.ClusterOptions{Seed: seed}),
		Faults:   faults,
		Schedule: nemesis.ScheduleOptions{Quiet: 300 * time.Millisecond, MinFault: 600 * time.Millisecond, MaxFault: 900 * time.Millisecond},
		Converge: c.WaitConverged, HealTimeout: 30 * time.Second, FinalTimeout: 30 * time.Second,
		CheckTimeout: time.Minute,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestClusterSafe: the replicated reference engine passes every workload
// while the nemesis runs every cluster fault, and its replicas agree after.
func TestClusterSafe(t *testing.T) {
	cases := []struct {
		workload string
		d        time.Duration
	}{
		{Register, 13 * time.Second}, // long enough for all ten faults once
		{Set, 6 * time.Second},
		{Counter, 6 * time.Second},
	}
	for i, tc := range cases {
		t.Run(tc.workload, func(t *testing.T) {
			res := clusterRun(t, tc.workload, int64(200+i), nemesis.ClusterFaults, tc.d, node.Unsafe{})
			t.Log(Summary(res))
			if res.Verdict != Valid || res.Replicas != "equal" {
				t.Fatalf("verdict %s, replicas %s", res.Verdict, res.Replicas)
			}
			if tc.workload == Register {
				ran := map[string]bool{}
				for _, f := range res.Faults {
					ran[f.Fault] = true
				}
				for _, f := range nemesis.ClusterFaults {
					if !ran[f] {
						t.Errorf("fault %s never ran", f)
					}
				}
			}
		})
	}
}

// TestClusterUnsafe: each deliberately wrong engine mode is caught by the
// matching checker within a short seeded run with the faults that expose it.
func TestClusterUnsafe(t *testing.T) {
	cases := []struct {
		name     string
		workload string
		faults   []string
		unsafe   node.Unsafe
	}{
		{"skip conditions", Register, nil, node.Unsafe{SkipConditions: true}},
		{"stale consistent reads", Register, []string{nemesis.PartitionLeader, nemesis.Delay}, node.Unsafe{Unsafe: router.Unsafe{StaleConsistentReads: true}}},
		{"ack before quorum", Set, []string{nemesis.PartitionLeader, nemesis.KillLeader}, node.Unsafe{Unsafe: router.Unsafe{AckBeforeQuorum: true}}},
		// NoRetryDedup is not here: no fault tried (kill, kill-leader, loss,
		// delay, partitions, pause; op timeouts 0.5s and 3s) made a retried
		// command apply twice in a short run, so its counter control would
		// pass without proving anything. The counter checker's detection of
		// double application is shown on fakeddb (TestNegativeControls).
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := clusterRun(t, tc.workload, int64(300+i), tc.faults, 5*time.Second, tc.unsafe)
			t.Log(Summary(res))
			if res.Verdict != Invalid {
				t.Fatalf("verdict %s: the %s mode went unnoticed", res.Verdict, tc.name)
			}
		})
	}
}
