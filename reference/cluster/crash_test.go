package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// load writes unique keys through url with workers until stop is closed or
// each worker wrote max keys, and returns the acknowledged keys.
func load(t *testing.T, url, table string, workers, max int, stop <-chan struct{}) func() []string {
	t.Helper()
	cl := client(t, url)
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < max; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d-%d", w, i)
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				err := put(ctx, cl, table, k, i)
				cancel()
				if err == nil {
					mu.Lock()
					acked = append(acked, k)
					mu.Unlock()
				} else {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}()
	}
	return func() []string {
		wg.Wait()
		return acked
	}
}

// checkAll reads every key consistently and fails on any missing one.
func checkAll(t *testing.T, url, table string, keys []string) {
	t.Helper()
	cl := client(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	missing := 0
	for _, k := range keys {
		var ok bool
		var err error
		for try := 0; try < 5; try++ {
			if _, ok, err = get(ctx, cl, table, k, true); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("read %s: %v", k, err)
		}
		if !ok {
			missing++
			if missing < 10 {
				t.Errorf("acknowledged write %s lost", k)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged writes lost", missing, len(keys))
	}
}

// kill -9 of every node in the middle of a load, on disks that lose every
// unsynced byte, loses no acknowledged write.
func TestCrashAllNodesMidLoadLosesNoAcknowledgedWrite(t *testing.T) {
	c := startCluster(t, 4, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	createTable(t, client(t, c.URL()), "crashall")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	wait := load(t, c.URL(), "crashall", 8, 400, stop)
	time.Sleep(300 * time.Millisecond)
	for _, id := range c.NodeIDs() { // all at once, mid-load
		if err := c.Crash(id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range c.NodeIDs() {
		if err := c.Restart(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	acked := wait()
	if len(acked) < 20 {
		t.Fatalf("only %d writes acknowledged: the load did not run", len(acked))
	}
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	checkAll(t, c.URL(), "crashall", acked)
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged writes survived a crash of every node", len(acked))
}
