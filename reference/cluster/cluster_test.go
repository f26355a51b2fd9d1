package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Every node serves every request: a table created through one node is
// known to all, and items written through any node are read through any
// other, strongly and (eventually) weakly.
func TestAnyNodeServesAnyRequest(t *testing.T) {
	c := startCluster(t, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cls := map[uint64]*dynamoClient{}
	for _, id := range c.NodeIDs() {
		cls[id] = &dynamoClient{client(t, c.NodeURL(id))}
	}
	createTable(t, cls[2].c, "tab")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		w := c.NodeIDs()[i%3]
		if err := put(ctx, cls[w].c, "tab", fmt.Sprintf("k%d", i), i); err != nil {
			t.Fatalf("put k%d via node %d: %v", i, w, err)
		}
	}
	for i := 0; i < 30; i++ {
		r := c.NodeIDs()[(i+1)%3]
		v, ok, err := get(ctx, cls[r].c, "tab", fmt.Sprintf("k%d", i), true)
		if err != nil || !ok || v != fmt.Sprint(i) {
			t.Fatalf("consistent get k%d via node %d = %q %v %v, want %d", i, r, v, ok, err, i)
		}
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range c.NodeIDs() {
		v, ok, err := get(ctx, cls[id].c, "tab", "k7", false)
		if err != nil || !ok || v != "7" {
			t.Fatalf("eventual get via node %d after convergence = %q %v %v", id, v, ok, err)
		}
	}
}
