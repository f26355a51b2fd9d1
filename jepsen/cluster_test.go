package jepsen

import (
	"cmp"
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
	return clusterRunWith(t, workload, seed, faults, d, unsafe, clusterTweaks{})
}

// clusterTweaks change clusterRun's defaults.
type clusterTweaks struct {
	opTimeout time.Duration // default 500ms
	loss      float64       // loss fault's drop probability (default 0.2)
	fault     time.Duration // fault length (default 600–900ms)
	keys      int           // default 4
	quiet     time.Duration // quiet time before each fault (default 300ms)
}

func clusterRunWith(t *testing.T, workload string, seed int64, faults []string, d time.Duration, unsafe node.Unsafe, tw clusterTweaks) *Result {
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
		Clients: 8, Keys: cmp.Or(tw.keys, 4), Rate: 300, Duration: d, OpTimeout: cmp.Or(tw.opTimeout, 500*time.Millisecond),
		Nemesis:  nemesis.NewClusterNemesis(c.Nemesis(), nemesis.ClusterOptions{Seed: seed, Loss: tw.loss}),
		Faults:   faults,
		Schedule: nemesis.ScheduleOptions{Quiet: cmp.Or(tw.quiet, 300*time.Millisecond), MinFault: cmp.Or(tw.fault, 600*time.Millisecond), MaxFault: cmp.Or(tw.fault*3/2, 900*time.Millisecond)},
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
		{Register, 15 * time.Second}, // long enough for all eleven faults once
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

// retryTweaks make routers retry writes: most messages are lost (so a
// commit's answer often is), and clients wait longer than the engine's 1s
// attempt timeout, so a retried write is acknowledged rather than info.
var retryTweaks = clusterTweaks{opTimeout: 4 * time.Second, loss: 0.6, fault: 2500 * time.Millisecond}

// TestClusterSafeUnderRetries is the positive control for the no-retry-dedup
// negative control: the same run on the safe engine passes.
func TestClusterSafeUnderRetries(t *testing.T) {
	res := clusterRunWith(t, Counter, 310, []string{nemesis.Loss}, 5*time.Second, node.Unsafe{}, retryTweaks)
	t.Log(Summary(res))
	if res.Verdict != Valid || res.Replicas != "equal" {
		t.Fatalf("verdict %s, replicas %s", res.Verdict, res.Replicas)
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
		{"no retry dedup", Counter, []string{nemesis.Loss}, node.Unsafe{Unsafe: router.Unsafe{NoRetryDedup: true}}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var tw clusterTweaks
			d := 5 * time.Second
			if tc.unsafe.NoRetryDedup {
				tw, d = retryTweaks, 8*time.Second
			}
			if tc.unsafe.AckBeforeQuorum {
				// A write is lost only when a client reaches the cut-off
				// leader in the half second before it steps down: 5 s (two
				// partition-leader windows) missed it once in a loaded CI
				// run, so give it more windows.
				d = 9 * time.Second
			}
			res := clusterRunWith(t, tc.workload, int64(300+i), tc.faults, d, tc.unsafe, tw)
			t.Log(Summary(res))
			if res.Verdict != Invalid {
				t.Fatalf("verdict %s: the %s mode went unnoticed", res.Verdict, tc.name)
			}
		})
	}
}

// leaseTweaks give the clock-skew-leader fault time to matter: the others
// elect a successor 0.5–1s after the cut (the engine's default 500ms
// election timeout), then take writes while the old leader, its clock at
// 1/20 of real time, believes in its lease for 10s.
// Sixteen keys fall into every one of the table's 4 partitions, so some
// lie in the partitions that the isolated node leads (with 4 keys, all of
// them missed those partitions in 2 of 12 runs).
var leaseTweaks = clusterTweaks{fault: 2500 * time.Millisecond, keys: 16}

// TestClusterLeaseReads: lease reads (an unsafe mode: ConsistentRead
// answered from the leader's lease, raft ReadOnlyLeaseBased) are caught by
// the register checker when the clock-skew-leader fault slows and cuts off
// the busiest leader; the default ReadIndex engine passes the same run,
// since a slow clock cannot make a quorum confirm a deposed leader.
func TestClusterLeaseReads(t *testing.T) {
	for _, tc := range []struct {
		name   string
		unsafe node.Unsafe
		want   Verdict
	}{
		{"unsafe lease reads", node.Unsafe{LeaseReads: true}, Invalid},
		{"read index", node.Unsafe{}, Valid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := clusterRunWith(t, Register, 330, []string{nemesis.ClockSkewLeader}, 4*time.Second, tc.unsafe, leaseTweaks)
			t.Log(Summary(res))
			if len(res.Faults) != 1 {
				t.Fatalf("%d faults ran, want the one clock-skew-leader", len(res.Faults))
			}
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s", res.Verdict, tc.want)
			}
			if tc.want == Valid && res.Replicas != "equal" {
				t.Fatalf("replicas %s", res.Replicas)
			}
		})
	}
}
