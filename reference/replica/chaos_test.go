package replica

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestRandomFaultsKeepAcknowledgedWrites runs writers under a seeded
// schedule of faults — zone partitions, isolation, message loss and delay,
// pauses and crashes with torn disk tails — then heals and checks that
// every acknowledged write is present and all replicas agree.
func TestRandomFaultsKeepAcknowledgedWrites(t *testing.T) {
	for _, seed := range chaosSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t, seed, func(o *Options) { o.SnapshotEvery, o.SnapshotKeep = 200, 50 })
			h.waitLeader()
			r := rand.New(rand.NewPCG(seed, 3))
			ctx, cancel := context.WithCancel(context.Background())
			var mu sync.Mutex
			acked := map[string]string{}
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 2000 && ctx.Err() == nil; i++ {
						k := fmt.Sprintf("w%d-%d", w, i)
						wctx, wcancel := context.WithTimeout(ctx, time.Second)
						_, err := h.write(wctx, RequestID{Client: uint64(1000 + w), Seq: uint64(i + 1)}, k+"=v")
						wcancel()
						if err == nil {
							mu.Lock()
							acked[k] = "v"
							mu.Unlock()
						}
					}
				}()
			}
			var log []string
			for step := 0; step < 8; step++ {
				victim := uint64(1 + r.IntN(3))
				switch r.IntN(6) {
				case 0:
					h.net.PartitionZones(otherZones(victim), []string{zoneOf(victim)})
					log = append(log, fmt.Sprintf("partition %s", zoneOf(victim)))
				case 1:
					h.net.Isolate(victim)
					log = append(log, fmt.Sprintf("isolate %d", victim))
				case 2:
					h.net.SetLoss(0.3)
					h.net.SetDelay(0.3, 20*time.Millisecond)
					log = append(log, "loss+delay")
				case 3:
					h.net.Pause(victim)
					log = append(log, fmt.Sprintf("pause %d", victim))
				case 4:
					h.crash(victim)
					time.Sleep(time.Duration(20+r.IntN(80)) * time.Millisecond)
					h.start(victim)
					log = append(log, fmt.Sprintf("crash+restart %d", victim))
				case 5:
					log = append(log, "quiet")
				}
				time.Sleep(time.Duration(50+r.IntN(150)) * time.Millisecond)
				h.net.Heal()
				time.Sleep(30 * time.Millisecond)
			}
			cancel()
			wg.Wait()
			h.net.Heal()
			d := h.waitConverged(1, 2, 3)
			if d[1] != d[2] || d[2] != d[3] {
				for id := uint64(1); id <= 3; id++ {
					t.Logf("node %d: %+v keys=%d", id, h.group(id).Status(), h.sm(id).Len())
				}
				a, b := h.sm(1), h.sm(2)
				a.mu.Lock()
				b.mu.Lock()
				n := 0
				for k, v := range a.m {
					if b.m[k] != v && n < 5 {
						t.Logf("key %s: node1=%q node2=%q", k, v, b.m[k])
						n++
					}
				}
				for k, v := range b.m {
					if _, ok := a.m[k]; !ok && n < 10 {
						t.Logf("key %s only on node2 (%q)", k, v)
						n++
					}
				}
				b.mu.Unlock()
				a.mu.Unlock()
				t.Fatalf("digests differ after %v: %v", log, d)
			}
			mu.Lock()
			defer mu.Unlock()
			for k := range acked {
				if _, ok := h.sm(1).Get(k); !ok {
					t.Fatalf("acknowledged write %s lost after %v", k, log)
				}
			}
			if len(acked) < 50 {
				t.Fatalf("only %d writes acknowledged under %v: too little traffic to mean anything", len(acked), log)
			}
			t.Logf("%d acknowledged writes kept through %v", len(acked), log)
		})
	}
}

var chaosSeeds = []uint64{201, 202}
