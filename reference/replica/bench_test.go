package replica

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/storage"
)

// benchCluster is 3 nodes on real disk (the benchmark's temp dir) over the
// in-process network, with groups raft groups.
type benchCluster struct {
	nodes  []*Node
	stores []*storage.Store
}

func newBenchCluster(b *testing.B, noSync bool, groups int) *benchCluster {
	b.Helper()
	ctx := context.Background()
	net := transport.NewNetwork(transport.NetworkOptions{Seed: 1, QueueLen: 1 << 16})
	c := &benchCluster{}
	dir := b.TempDir()
	for id := uint64(1); id <= 3; id++ {
		st, err := storage.Open(ctx, storage.Options{Dir: filepath.Join(dir, fmt.Sprint(id)), NoSync: noSync})
		if err != nil {
			b.Fatal(err)
		}
		n, err := NewNode(Options{ID: id, Store: st, TickInterval: 10 * time.Millisecond,
			Rand: rand.New(rand.NewPCG(id, 1)), SnapshotEvery: 50000, SnapshotKeep: 5000})
		if err != nil {
			b.Fatal(err)
		}
		for g := 1; g <= groups; g++ {
			if _, err := n.AddGroup(ctx, uint64(g), []uint64{1, 2, 3}, newKV()); err != nil {
				b.Fatal(err)
			}
		}
		tr, err := net.Join(id, transport.JoinOptions{Zone: fmt.Sprintf("az%d", id), Handler: n.Deliver})
		if err != nil {
			b.Fatal(err)
		}
		if err := n.Start(tr); err != nil {
			b.Fatal(err)
		}
		c.nodes, c.stores = append(c.nodes, n), append(c.stores, st)
	}
	b.Cleanup(func() {
		for i, n := range c.nodes {
			_ = n.Close()
			_ = c.stores[i].Close()
		}
	})
	// Put every group's leader on node 1, so that fsyncs counted there are
	// the leader's.
	for g := 1; g <= groups; g++ {
		deadline := time.Now().Add(20 * time.Second)
		for {
			lead := uint64(0)
			for _, n := range c.nodes {
				if grp, _ := n.Group(uint64(g)); grp.Status().IsLeader {
					lead = n.ID()
				}
			}
			if lead == 1 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("group %d: leadership did not move to node 1", g)
			}
			if lead != 0 {
				grp, _ := c.nodes[lead-1].Group(uint64(g))
				_ = grp.TransferLeadership(ctx, 1)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return c
}

// propose is a client: it proposes at node 1 (where the benchmark put the
// leaders) and, after a leader change, retries the same request id at
// whichever node leads, for at most 10s.
func (c *benchCluster) propose(gid uint64, cmd []byte, retries *atomic.Int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g, _ := c.nodes[0].Group(gid)
	id := g.NewRequestID()
	for {
		_, err := g.ProposeRequest(ctx, id, cmd)
		if err == nil || ctx.Err() != nil || errors.Is(err, ErrStopped) {
			return err
		}
		retries.Add(1)
		var nl *NotLeaderError
		if errors.As(err, &nl) && nl.Leader != 0 {
			g, _ = c.nodes[nl.Leader-1].Group(gid)
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// BenchmarkPropose measures acknowledged proposals per second through
// 3-node groups: each proposal is persisted by 2 of 3 nodes and applied on
// the leader before it returns. fsync=off is only here for comparison.
func BenchmarkPropose(b *testing.B) {
	for _, fsync := range []bool{true, false} {
		for _, tc := range []struct{ groups, proposers int }{{1, 1}, {1, 64}, {1, 256}, {16, 64}} {
			name := fmt.Sprintf("fsync=%v/groups=%d/proposers=%d", fsync, tc.groups, tc.proposers)
			b.Run(name, func(b *testing.B) {
				c := newBenchCluster(b, !fsync, tc.groups)
				b.ReportAllocs() // of the whole 3-node cluster, per proposal
				leader := c.nodes[0]
				cmd := []byte("key=" + string(make([]byte, 100)))
				var next, failed, retries atomic.Int64
				fsyncs0, iters0 := c.stores[0].Fsyncs(), leader.Iterations()
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for p := 0; p < tc.proposers; p++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						gid := uint64(p%tc.groups + 1)
						for next.Add(1) <= int64(b.N) {
							if err := c.propose(gid, cmd, &retries); err != nil {
								if failed.Add(1) == 1 {
									b.Logf("first failure: %v", err)
								}
							}
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				if f := failed.Load(); f > 0 {
					b.Fatalf("%d of %d proposals failed", f, b.N)
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "proposals/s")
				b.ReportMetric(float64(c.stores[0].Fsyncs()-fsyncs0)/float64(b.N), "leader-fsyncs/op")
				b.ReportMetric(float64(leader.Iterations()-iters0)/float64(b.N), "loops/op")
				b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
			})
		}
	}
}
