package cluster

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPutItem measures PutItem through the front URL of a 3-node
// cluster on in-memory disks (fsync modelled, not paid), with 16 clients.
func BenchmarkPutItem(b *testing.B) {
	c, err := Start(context.Background(), Options{Nodes: 3, Seed: 1, RequestTimeout: 5 * time.Second, NoSync: benchNoSync})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	t := &testing.T{}
	cl := client(t, c.URL())
	ctx := context.Background()
	if _, err := cl.CreateTable(ctx, createInput("bench")); err != nil {
		b.Fatal(err)
	}
	if err := c.WaitHealthy(ctx); err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := seq.Add(1)
			if err := put(ctx, cl, "bench", fmt.Sprintf("k%d", k%10000), int(k)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

var benchNoSync = false
