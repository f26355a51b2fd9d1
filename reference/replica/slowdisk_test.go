package replica

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestSlowLeaderDiskKeepsLeadership: the leader's fsync takes several
// election timeouts. Its loop must not stall on the disk — heartbeats keep
// flowing, so the followers do not depose it, and writes commit on the
// followers' quorum (2 of 3 durable) while the leader's own write lags.
func TestSlowLeaderDiskKeepsLeadership(t *testing.T) {
	h := newHarness(t, 121, nil)
	lead := h.waitLeader()
	term := h.group(lead).Status().Term
	electionTimeout := time.Duration(h.opts.ElectionTicks) * h.opts.TickInterval
	h.fs[lead].InjectFault(func(op, _ string) error {
		if op == "sync" {
			time.Sleep(3 * electionTimeout)
		}
		return nil
	})
	defer h.fs[lead].InjectFault(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < 5; i++ {
		g := h.group(lead)
		if _, err := g.Propose(ctx, []byte(fmt.Sprintf("slow%d=x", i))); err != nil {
			t.Fatalf("write %d with a slow leader disk: %v", i, err)
		}
	}
	if s := h.group(lead).Status(); !s.IsLeader || s.Term != term {
		t.Fatalf("leader deposed by its slow disk: %+v (was term %d)", s, term)
	}
}
