package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/node"
)

// A leader whose clock runs 100 times slower than real time, cut off from
// the others: they elect a successor and take a write. With lease reads
// (an unsafe mode) the old leader, still inside its lease by its own slow
// clock, serves a ConsistentRead of the old value; with ReadIndex (the
// default) it cannot confirm its leadership and serves nothing. Heal sets
// the clock back to real time.
func TestSlowLeaderClock(t *testing.T) {
	for _, tc := range []struct {
		name   string
		unsafe node.Unsafe
	}{
		{"read index", node.Unsafe{}},
		{"unsafe lease reads", node.Unsafe{LeaseReads: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startCluster(t, 21, func(o *Options) { o.Unsafe = tc.unsafe })
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			createTable(t, client(t, c.URL()), "skew")
			if err := c.WaitHealthy(ctx); err != nil {
				t.Fatal(err)
			}
			g := groupOf(t, c, 1, "skew", "key")
			old := leaderOf(c, g)
			if old == 0 {
				t.Fatal("no leader")
			}
			oldClient := client(t, c.NodeURL(old))
			if err := put(ctx, oldClient, "skew", "key", 1); err != nil {
				t.Fatal(err)
			}
			// 10 election ticks of 5ms: the others elect after 50–100ms of
			// real time, the old leader's quorum check (and lease) lasts 5s.
			if err := c.SetClockRate(old, 0.01); err != nil {
				t.Fatal(err)
			}
			c.Isolate(old)
			other := old%3 + 1
			oc := client(t, c.NodeURL(other))
			eventually(t, "a write through the majority", 10*time.Second, func() error { return put(ctx, oc, "skew", "key", 2) })
			rctx, rcancel := context.WithTimeout(ctx, 3*time.Second)
			v, ok, err := get(rctx, oldClient, "skew", "key", true)
			rcancel()
			t.Logf("consistent read through the old leader: %q %v %v", v, ok, err)
			if tc.unsafe.LeaseReads {
				if err != nil || v != "1" {
					t.Fatalf("lease reads: read %q %v %v through the slow, cut-off old leader, want the stale 1", v, ok, err)
				}
			} else if err == nil {
				t.Fatalf("read index: the cut-off old leader served a consistent read (%q)", v)
			}
			c.Heal()
			if r := c.ClockRate(old); r != 1 {
				t.Fatalf("clock rate %v after heal, want 1", r)
			}
			if err := c.WaitConverged(ctx); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the old leader's node to read 2", 10*time.Second, func() error {
				v, _, err := get(ctx, oldClient, "skew", "key", true)
				if err != nil || v != "2" {
					return fmt.Errorf("read %q %v", v, err)
				}
				return nil
			})
		})
	}
}

func TestSetClockRateRejects(t *testing.T) {
	c := startCluster(t, 22, nil)
	if err := c.SetClockRate(99, 0.5); err == nil {
		t.Error("rate of an unknown node set")
	}
	if err := c.SetClockRate(1, 0); err == nil {
		t.Error("rate 0 accepted")
	}
	if err := c.SetClockRate(1, 0.5); err != nil || c.ClockRate(1) != 0.5 {
		t.Fatalf("SetClockRate(1, 0.5): %v, rate %v", err, c.ClockRate(1))
	}
	c.ResetClocks()
	if c.ClockRate(1) != 1 {
		t.Fatalf("rate %v after ResetClocks", c.ClockRate(1))
	}
}
