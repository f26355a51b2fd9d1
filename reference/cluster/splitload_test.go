package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// A partition under sustained load splits (reads and writes count, at the
// leader), though it is far below any size limit: every acknowledged write
// is there exactly once, Scans during the splits see each item once, and
// each half is replicated on three nodes with equal digests.
func TestSplitOnSustainedLoad(t *testing.T) {
	c := startCluster(t, 23, func(o *Options) {
		o.Partitions, o.SplitLoad, o.SplitLoadWindow, o.SplitCheck = 1, 40, time.Second, 50*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl := client(t, c.URL())
	createTable(t, cl, "hot")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked, tried := map[string]bool{}, map[string]bool{}
	var wg sync.WaitGroup
	deadline := time.Now().Add(4 * time.Second)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3000 && time.Now().Before(deadline); i++ {
				k := fmt.Sprintf("w%d-%d", w, i)
				mu.Lock()
				tried[k] = true
				mu.Unlock()
				wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
				err := put(wctx, cl, "hot", k, i)
				if err == nil {
					mu.Lock()
					acked[k] = true
					mu.Unlock()
					_, _, _ = get(wctx, cl, "hot", k, true)
				}
				wcancel()
			}
		}()
	}
	scanErrs := make(chan error, 1)
	stopScans := make(chan struct{})
	go func() {
		defer close(scanErrs)
		for {
			select {
			case <-stopScans:
				return
			default:
			}
			seen, err := scanAll(ctx, cl, "hot")
			if err != nil {
				scanErrs <- fmt.Errorf("scan during splits: %w", err)
				return
			}
			for k, n := range seen {
				if n > 1 {
					scanErrs <- fmt.Errorf("scan during splits returned %s %d times", k, n)
					return
				}
			}
		}
	}()
	wg.Wait()
	close(stopScans)
	if err := <-scanErrs; err != nil {
		t.Fatal(err)
	}
	tab, err := c.Node(1).Catalog().Get("hot")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Partitions) < 2 {
		t.Fatalf("%d partitions after %d writes in 4s: no split for load", len(tab.Partitions), len(acked))
	}
	var bytes int64
	for _, p := range tab.Partitions {
		if p.State != nil {
			_, b := p.State.Stats()
			bytes += b
		}
	}
	seen, err := scanAll(ctx, cl, "hot")
	if err != nil {
		t.Fatal(err)
	}
	for k := range acked {
		if seen[k] != 1 {
			t.Errorf("acknowledged %s seen %d times", k, seen[k])
		}
	}
	for k, n := range seen {
		if !tried[k] || n != 1 {
			t.Errorf("unexpected %s seen %d times", k, n)
		}
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged of %d writes, %d partitions after load splits (%d bytes held by node 1)",
		len(acked), len(tried), len(tab.Partitions), bytes)
}
