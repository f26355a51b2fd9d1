package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// With four nodes (two in az1), losing zone az1 must not stop the catalog:
// its voters are one node per zone, so tables can still be created, and
// written, on the other side. (With every node a catalog voter, az2 and az3
// would hold 2 of 4 votes: no quorum.)
func TestCatalogSurvivesZoneLossWithFourNodes(t *testing.T) {
	c := startCluster(t, 53, func(o *Options) { o.Nodes = 4 })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	c.PartitionZones([]string{"az1"})
	cl := client(t, c.NodeURL(2))
	cctx, ccancel := context.WithTimeout(ctx, 20*time.Second)
	_, err := cl.CreateTable(cctx, createInput("afterzoneloss"))
	ccancel()
	if err != nil {
		t.Fatalf("create a table with az1 cut off: %v", err)
	}
	for i := 0; i < 20; i++ {
		if err := put(ctx, client(t, c.NodeURL(3)), "afterzoneloss", fmt.Sprintf("k%d", i), i); err != nil {
			t.Fatalf("write with az1 cut off: %v", err)
		}
	}
	c.Heal()
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every node to know the table", 20*time.Second, func() error {
		for _, id := range c.NodeIDs() {
			if _, err := c.Node(id).Catalog().Get("afterzoneloss"); err != nil {
				return fmt.Errorf("node %d: %w", id, err)
			}
		}
		return nil
	})
}
