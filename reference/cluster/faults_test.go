package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/value"
)

// groupOf returns the raft group of the partition holding pk, as node id
// sees it.
func groupOf(t *testing.T, c *Cluster, id uint64, table, pk string) uint64 {
	t.Helper()
	tab, err := c.Node(id).Catalog().Get(table)
	if err != nil {
		t.Fatal(err)
	}
	return tab.PartitionForKey(value.Str(pk)).Replica.(*router.Replica).Group()
}

// leaderOf returns the node whose replica of group leads (0 if none).
func leaderOf(c *Cluster, group uint64) uint64 {
	for _, id := range c.NodeIDs() {
		if n := c.Node(id); n != nil {
			if g, ok := n.Group(group); ok && g.Status().IsLeader {
				return id
			}
		}
	}
	return 0
}

// Losing a zone stops nothing: with az3 cut off, writes and consistent
// reads through the nodes of az1 and az2 go on; after heal every replica
// has the same data.
func TestZoneLossReadsAndWritesGoOn(t *testing.T) {
	c := startCluster(t, 2, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c1, c2 := client(t, c.NodeURL(1)), client(t, c.NodeURL(2))
	createTable(t, c1, "zoneloss")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := put(ctx, c1, "zoneloss", fmt.Sprintf("k%d", i), i); err != nil {
			t.Fatal(err)
		}
	}
	c.PartitionZones([]string{"az3"})
	for i := 0; i < 20; i++ {
		w := c1
		if i%2 == 1 {
			w = c2
		}
		if err := put(ctx, w, "zoneloss", fmt.Sprintf("k%d", i), 100+i); err != nil {
			t.Fatalf("write k%d with az3 cut off: %v", i, err)
		}
		v, ok, err := get(ctx, c2, "zoneloss", fmt.Sprintf("k%d", i), true)
		if err != nil || !ok || v != fmt.Sprint(100+i) {
			t.Fatalf("consistent read k%d with az3 cut off = %q %v %v", i, v, ok, err)
		}
	}
	c.Heal()
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
}

// A leader cut off with no quorum acknowledges no write and steps down
// within an election timeout; the majority elects a leader and goes on;
// after heal the replicas converge to the majority's history.
func TestMinorityLeaderAcknowledgesNothing(t *testing.T) {
	c := startCluster(t, 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	createTable(t, client(t, c.URL()), "minority")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	g := groupOf(t, c, 1, "minority", "key")
	old := leaderOf(c, g)
	if old == 0 {
		t.Fatal("no leader")
	}
	oldClient := client(t, c.NodeURL(old))
	if err := put(ctx, oldClient, "minority", "key", 1); err != nil {
		t.Fatal(err)
	}
	c.Isolate(old)
	// Writes through the isolated old leader: none may be acknowledged.
	var acked atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2; i++ {
				if put(ctx, oldClient, "minority", "key", 1000+w*10+i) == nil {
					acked.Add(1)
				}
			}
		}()
	}
	eventually(t, "the isolated leader to step down", 5*time.Second, func() error {
		if gr, _ := c.Node(old).Group(g); gr.Status().IsLeader {
			return fmt.Errorf("node %d still leads group %d", old, g)
		}
		return nil
	})
	var other uint64 = 1
	if old == 1 {
		other = 2
	}
	oc := client(t, c.NodeURL(other))
	if err := put(ctx, oc, "minority", "key", 2); err != nil {
		t.Fatalf("majority write: %v", err)
	}
	wg.Wait()
	if n := acked.Load(); n != 0 {
		t.Fatalf("%d writes through the isolated leader were acknowledged", n)
	}
	c.Heal()
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range c.NodeIDs() {
		v, ok, err := get(ctx, client(t, c.NodeURL(id)), "minority", "key", true)
		if err != nil || !ok || v != "2" {
			t.Fatalf("node %d reads %q %v %v after heal, want 2", id, v, ok, err)
		}
	}
}
