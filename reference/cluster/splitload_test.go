package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A partition under sustained load splits, though it is far below any
// size limit — writes alone or reads alone (both count, at the leader):
// every acknowledged write is there exactly once, Scans during the splits
// see each item once, and each half is replicated on three nodes with
// equal digests.
func TestSplitOnSustainedLoad(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write bool // the load writes new items; else it reads preloaded ones
	}{
		{"writes", true},
		{"consistent reads", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startCluster(t, 23, func(o *Options) {
				// 300 requests/s in every 100ms: the load is several times
				// that, the scans alone (pages of 200 items, 200ms apart)
				// never sustain it.
				o.Partitions, o.SplitLoad, o.SplitLoadWindow, o.SplitCheck = 1, 300, time.Second, 50*time.Millisecond
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
			if !tc.write {
				for i := 0; i < 50; i++ {
					k := fmt.Sprintf("pre-%d", i)
					tried[k] = true
					if err := put(ctx, cl, "hot", k, i); err != nil {
						t.Fatal(err)
					}
					acked[k] = true
				}
			}
			var reads atomic.Int64
			var wg sync.WaitGroup
			deadline := time.Now().Add(4 * time.Second)
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 3000 && time.Now().Before(deadline); i++ {
						wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
						if tc.write {
							k := fmt.Sprintf("w%d-%d", w, i)
							mu.Lock()
							tried[k] = true
							mu.Unlock()
							if err := put(wctx, cl, "hot", k, i); err == nil {
								mu.Lock()
								acked[k] = true
								mu.Unlock()
							}
						} else {
							k := (i*4 + w) % 50
							if v, found, err := get(wctx, cl, "hot", fmt.Sprintf("pre-%d", k), true); err == nil {
								if !found || v != fmt.Sprint(k) {
									t.Errorf("read pre-%d: found=%v v=%s", k, found, v)
								}
								reads.Add(1)
							}
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
					seen, err := scanPages(ctx, cl, "hot", 200)
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
					time.Sleep(200 * time.Millisecond) // scans count as load too: keep them a minority
				}
			}()
			wg.Wait()
			close(stopScans)
			if err := <-scanErrs; err != nil {
				t.Fatal(err)
			}
			tab := checkAfterSplits(ctx, t, c, cl, "hot", 2, acked, tried)
			t.Logf("%d acknowledged of %d writes, %d reads, %d partitions after load splits", len(acked), len(tried), reads.Load(), len(tab.Partitions))
		})
	}
}
