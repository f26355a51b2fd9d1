package replica

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWritesCommitWithOneZonePartitioned(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(lead uint64) uint64 // returns the node whose zone is cut away
	}{
		{"follower zone", func(lead uint64) uint64 { return lead%3 + 1 }},
		{"leader zone", func(lead uint64) uint64 { return lead }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 11, nil)
			lead := h.waitLeader()
			cut := tc.cut(lead)
			majority := othersThan(cut)
			h.net.PartitionZones([]string{zoneOf(majority[0]), zoneOf(majority[1])}, []string{zoneOf(cut)})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for i := 0; i < 20; i++ {
				g := h.group(majority[0])
				if _, err := h.write(ctx, g.NewRequestID(), fmt.Sprintf("k%d=v%d", i, i), majority...); err != nil {
					t.Fatalf("write %d with zone %s cut: %v", i, zoneOf(cut), err)
				}
			}
			h.net.Heal()
			d := h.waitConverged(1, 2, 3)
			if d[1] != d[2] || d[2] != d[3] {
				t.Fatalf("digests differ after heal: %v", d)
			}
			if n := h.sm(cut).Len(); n != 20 {
				t.Fatalf("cut replica has %d keys after heal, want 20", n)
			}
		})
	}
}

func TestMinorityAcknowledgesNothingAndOldLeaderStepsDown(t *testing.T) {
	h := newHarness(t, 12, nil)
	old := h.waitLeader()
	ctx := context.Background()
	if _, err := h.write(ctx, h.group(old).NewRequestID(), "before=1"); err != nil {
		t.Fatal(err)
	}
	h.net.PartitionZones(otherZones(old), []string{zoneOf(old)})
	cutAt := time.Now()

	// Proposals on the old leader, during the partition, must never be
	// acknowledged.
	var acked atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			defer cancel()
			g := h.group(old)
			if _, err := g.ProposeRequest(pctx, g.NewRequestID(), []byte(fmt.Sprintf("minority%d=x", i))); err == nil {
				acked.Add(1)
			}
		}()
	}
	// A linearizable read on the old leader must not succeed either.
	rctx, rcancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	readErr := h.group(old).ReadIndex(rctx)
	rcancel()

	// The old leader steps down within an election timeout (CheckQuorum),
	// allowing for scheduling noise.
	electionTimeout := time.Duration(h.opts.ElectionTicks) * h.opts.TickInterval
	h.eventually("old leader to step down", 20*electionTimeout, func() bool { return !h.group(old).Status().IsLeader })
	stepDown := time.Since(cutAt)

	newLead := h.waitLeader(othersThan(old)...)
	if _, err := h.write(ctx, h.group(newLead).NewRequestID(), "after=1", othersThan(old)...); err != nil {
		t.Fatalf("majority write: %v", err)
	}
	wg.Wait()
	if n := acked.Load(); n != 0 {
		t.Fatalf("minority side acknowledged %d writes", n)
	}
	if readErr == nil {
		t.Fatalf("minority side served a linearizable read")
	}
	t.Logf("old leader stepped down %v after the cut (election timeout %v)", stepDown, electionTimeout)

	h.net.Heal()
	d := h.waitConverged(1, 2, 3)
	if d[1] != d[2] || d[2] != d[3] {
		t.Fatalf("digests differ after heal: %v", d)
	}
	for i := 0; i < 10; i++ {
		if _, ok := h.sm(old).Get(fmt.Sprintf("minority%d", i)); ok {
			t.Fatalf("an unacknowledged minority write was applied")
		}
	}
	if _, ok := h.sm(old).Get("after"); !ok {
		t.Fatalf("old leader did not catch up with the majority's write")
	}
}

func TestCrashAllNodesMidLoadKeepsAcknowledgedWrites(t *testing.T) {
	for _, tc := range []struct {
		seed  uint64
		async bool
	}{{21, false}, {22, false}, {23, true}, {24, true}} {
		seed := tc.seed
		t.Run(fmt.Sprintf("%d/async=%v", seed, tc.async), func(t *testing.T) {
			h := newHarnessWith(t, seed, func(o *Options) {
				if tc.async {
					o.SnapshotEvery, o.SnapshotKeep = 100, 20 // many snapshots in flight at the crash
				}
			}, func(h *harness) { h.asyncSnap = tc.async })
			h.waitLeader()
			ctx, cancel := context.WithCancel(context.Background())
			var mu sync.Mutex
			acked := map[string]string{}
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 1000 && ctx.Err() == nil; i++ {
						k, v := fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("%d", i)
						g := h.group(1)
						if g == nil {
							return
						}
						wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
						_, err := h.write(wctx, g.NewRequestID(), k+"="+v)
						wcancel()
						if err == nil {
							mu.Lock()
							acked[k] = v
							mu.Unlock()
						}
					}
				}()
			}
			h.eventually("some acknowledged writes", 10*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(acked) >= 100
			})
			// Power loss on every node at once, mid-load.
			for id := uint64(1); id <= 3; id++ {
				h.crash(id)
			}
			cancel()
			wg.Wait()
			for id := uint64(1); id <= 3; id++ {
				h.start(id)
			}
			lead := h.waitLeader()
			if err := readIndex(h, lead); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for k, v := range acked {
				if got, ok := h.sm(lead).Get(k); !ok || got != v {
					t.Fatalf("acknowledged write %s=%s lost after crash (got %q, %v)", k, v, got, ok)
				}
			}
			d := h.waitConverged(1, 2, 3)
			if d[1] != d[2] || d[2] != d[3] {
				t.Fatalf("digests differ after restart: %v", d)
			}
			t.Logf("%d acknowledged writes survived a crash of all nodes", len(acked))
		})
	}
}

func readIndex(h *harness, id uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		actx, acancel := context.WithTimeout(ctx, 500*time.Millisecond)
		err := h.group(id).ReadIndex(actx)
		acancel()
		if err == nil {
			return nil
		}
		last = err
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("read index on %d: %w (last attempt: %v, status %+v)", id, ctx.Err(), last, h.group(id).Status())
}

// TestLinearizableReadsUnderLeaderChange runs one writer that sets a
// register to 1, 2, 3, ... (each acknowledged before the next) and readers
// that ReadIndex on the current leader and read the register, while
// leadership moves around. A read that starts after write v was
// acknowledged must see at least v, and never a value not yet proposed.
func TestLinearizableReadsUnderLeaderChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lease bool
	}{{"read index", false}, {"lease reads", true}} {
		t.Run(tc.name, func(t *testing.T) { linearizableReads(t, tc.lease) })
	}
}

func linearizableReads(t *testing.T, lease bool) {
	h := newHarness(t, 31, func(o *Options) { o.LeaseReads = lease })
	h.waitLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var ackedV, proposedV atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // writer
		defer wg.Done()
		for v := int64(1); ; v++ {
			select {
			case <-stop:
				return
			default:
			}
			proposedV.Store(v)
			if _, err := h.write(ctx, h.group(1).NewRequestID(), fmt.Sprintf("reg=%d", v)); err != nil {
				t.Errorf("write %d: %v", v, err)
				return
			}
			ackedV.Store(v)
		}
	}()
	var reads atomic.Int64
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() { // reader
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := ackedV.Load()
				var got int64
				served := false
				for id := uint64(1); id <= 3 && !served; id++ {
					g := h.group(id)
					rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
					err := g.ReadIndex(rctx)
					rcancel()
					if err != nil {
						continue
					}
					s, _ := h.sm(id).Get("reg")
					fmt.Sscan(s, &got)
					served = true
				}
				if !served {
					continue
				}
				ceiling := proposedV.Load()
				if got < floor || got > ceiling {
					t.Errorf("stale or future read: got %d, acknowledged before the read %d, proposed by its end %d", got, floor, ceiling)
					return
				}
				reads.Add(1)
			}
		}()
	}
	// Move leadership around: transfers and an isolation of the leader.
	for round := 0; round < 6; round++ {
		time.Sleep(150 * time.Millisecond)
		lead := h.waitLeader()
		if round%2 == 0 {
			_ = h.group(lead).TransferLeadership(ctx, lead%3+1)
		} else {
			h.net.Isolate(lead)
			h.waitLeader(othersThan(lead)...)
			time.Sleep(50 * time.Millisecond)
			h.net.Heal()
		}
	}
	close(stop)
	wg.Wait()
	if reads.Load() < 20 || ackedV.Load() < 20 {
		t.Fatalf("too little traffic to mean anything: %d reads, %d writes", reads.Load(), ackedV.Load())
	}
	t.Logf("%d linearizable reads, %d writes across 6 leader changes", reads.Load(), ackedV.Load())
}

func TestReProposalAppliesOnce(t *testing.T) {
	h := newHarness(t, 41, nil)
	lead := h.waitLeader()
	ctx := context.Background()
	id := h.group(lead).NewRequestID()
	first, err := h.write(ctx, id, "counter+=")
	if err != nil {
		t.Fatal(err)
	}
	// The router retries the same request (say, after a timeout), even at a
	// new leader: the command must not apply again, and the retry gets the
	// original result.
	_ = h.group(lead).TransferLeadership(ctx, lead%3+1)
	h.eventually("leadership to move", 5*time.Second, func() bool { return h.waitLeader() != lead })
	again, err := h.write(ctx, id, "counter+=")
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatalf("retry result %v, want the original %v", again, first)
	}
	if _, err := h.write(ctx, h.group(1).NewRequestID(), "counter+="); err != nil {
		t.Fatal(err)
	}
	h.waitConverged(1, 2, 3)
	v, _ := h.sm(1).Get("counter")
	if n := len(splitNonEmpty(v)); n != 2 {
		t.Fatalf("counter applied %d times (%q), want 2", n, v)
	}
}

func splitNonEmpty(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func TestFollowerAnswersNotLeaderWithHint(t *testing.T) {
	h := newHarness(t, 51, nil)
	lead := h.waitLeader()
	f := lead%3 + 1
	_, err := h.group(f).Propose(context.Background(), []byte("a=b"))
	var nl *NotLeaderError
	if !errors.As(err, &nl) || !errors.Is(err, ErrNotLeader) {
		t.Fatalf("follower Propose error = %v, want NotLeaderError", err)
	}
	if nl.Leader != lead {
		t.Fatalf("leader hint %d, want %d", nl.Leader, lead)
	}
	if err := h.group(f).ReadIndex(context.Background()); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("follower ReadIndex error = %v, want NotLeader", err)
	}
}

func TestLaggingFollowerCatchesUpBySnapshot(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(fmt.Sprintf("async=%v", async), func(t *testing.T) {
			laggingFollowerCatchesUpBySnapshot(t, async)
		})
	}
}

func laggingFollowerCatchesUpBySnapshot(t *testing.T, async bool) {
	h := newHarnessWith(t, 61, func(o *Options) { o.SnapshotEvery, o.SnapshotKeep = 50, 10 },
		func(h *harness) { h.asyncSnap = async })
	lead := h.waitLeader()
	lag := lead%3 + 1
	h.net.Isolate(lag)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	live := othersThan(lag)
	for i := 0; i < 300; i++ {
		if _, err := h.write(ctx, h.group(live[0]).NewRequestID(), fmt.Sprintf("k%d=%d", i, i), live...); err != nil {
			t.Fatal(err)
		}
	}
	h.eventually("leader compaction past 200", 5*time.Second, func() bool {
		return h.group(lead).Status().SnapshotIndex >= 200
	})
	h.net.Heal()
	d := h.waitConverged(1, 2, 3)
	if d[1] != d[2] || d[2] != d[3] {
		t.Fatalf("digests differ: %v", d)
	}
	if s := h.group(lag).Status(); s.SnapshotIndex == 0 {
		t.Fatalf("lagging follower caught up without a snapshot")
	}
	// And the installed snapshot survives a restart of that node.
	h.stop(lag)
	h.start(lag)
	h.waitConverged(1, 2, 3)
	if n := h.sm(lag).Len(); n != 300 {
		t.Fatalf("restarted follower has %d keys, want 300", n)
	}
}

func TestPausedLeaderIsReplacedAndStepsDownOnResume(t *testing.T) {
	h := newHarness(t, 71, nil)
	old := h.waitLeader()
	h.net.Pause(old)
	newLead := h.waitLeader(othersThan(old)...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.write(ctx, h.group(newLead).NewRequestID(), "during=pause", othersThan(old)...); err != nil {
		t.Fatal(err)
	}
	h.net.Resume(old)
	h.eventually("old leader to follow", 5*time.Second, func() bool {
		s := h.group(old).Status()
		return !s.IsLeader && s.Leader != 0 && s.Leader != old
	})
	d := h.waitConverged(1, 2, 3)
	if d[1] != d[2] || d[2] != d[3] {
		t.Fatalf("digests differ: %v", d)
	}
}

func TestGroupCommitSharesFsyncs(t *testing.T) {
	h := newHarness(t, 81, nil)
	lead := h.waitLeader()
	// Make fsync take 1ms on every node, as a disk does: while one batch
	// syncs, the next proposals queue up and share the next fsync.
	for id := uint64(1); id <= 3; id++ {
		h.fs[id].InjectFault(func(op, _ string) error {
			if op == "sync" {
				time.Sleep(time.Millisecond)
			}
			return nil
		})
	}
	before := h.stores[lead].Fsyncs()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	const writers, each = 32, 20
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := h.write(ctx, h.group(lead).NewRequestID(), fmt.Sprintf("g%d-%d=x", w, i), lead); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fsyncs := h.stores[lead].Fsyncs() - before
	if fsyncs >= writers*each/4 {
		t.Fatalf("%d fsyncs for %d concurrent writes: no group commit", fsyncs, writers*each)
	}
	t.Logf("%d writes from %d writers took %d leader fsyncs", writers*each, writers, fsyncs)
}
