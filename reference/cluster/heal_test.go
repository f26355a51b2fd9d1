package cluster

import (
	"context"
	"testing"
	"time"
)

// Under a seeded mix of faults — message loss and delay, a paused node, a
// partition, a crashed and restarted node — writes go on; after heal every
// replica of every partition has the same digest and no acknowledged write
// is missing.
func TestFaultMixThenHealDigestsEqual(t *testing.T) {
	c := startCluster(t, 6, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	createTable(t, client(t, c.URL()), "heal")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	wait := load(t, c.URL(), "heal", 6, 300, stop)
	steps := []struct {
		name string
		do   func()
	}{
		{"loss 20%", func() { c.SetLoss(0.2) }},
		{"delay", func() { c.SetDelay(0.5, 20*time.Millisecond) }},
		{"pause node 2", func() { c.Pause(2) }},
		{"heal", c.Heal},
		{"partition n1 | n2 n3", func() { c.PartitionNodes([]uint64{2, 3}, []uint64{1}) }},
		{"heal", c.Heal},
		{"crash node 3", func() {
			if err := c.Crash(3); err != nil {
				t.Error(err)
			}
		}},
		{"restart node 3", func() {
			if err := c.Restart(ctx, 3); err != nil {
				t.Error(err)
			}
		}},
	}
	for _, s := range steps {
		s.do()
		time.Sleep(250 * time.Millisecond)
	}
	c.Heal()
	close(stop)
	acked := wait()
	if len(acked) < 50 {
		t.Fatalf("only %d writes acknowledged under faults", len(acked))
	}
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	digests := c.Digests()
	if len(digests) == 0 {
		t.Fatal("no digests")
	}
	for g, ds := range digests {
		if len(ds) != 3 {
			t.Fatalf("group %d: %d replicas", g, len(ds))
		}
	}
	checkAll(t, c.URL(), "heal", acked)
	t.Logf("%d acknowledged writes; %d partitions with 3 equal replicas", len(acked), len(digests))
}
