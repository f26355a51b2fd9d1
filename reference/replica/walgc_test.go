package replica

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestIdleGroupDoesNotPinTheWAL: a group written once never reaches its
// snapshot interval; without help its entries would keep the oldest WAL
// segment — and so every later one — alive forever. The node snapshots such
// groups when the WAL grows past MaxWALSegments.
func TestIdleGroupDoesNotPinTheWAL(t *testing.T) {
	const idle = 2
	h := newHarnessWith(t, 131, func(o *Options) {
		o.SnapshotEvery, o.SnapshotKeep, o.MaxWALSegments = 50, 10, 3
	}, func(h *harness) {
		h.storeOpts.SegmentSize = 4096
		h.onStart = func(n *Node) {
			for _, gid := range []uint64{testGroup, idle} {
				sm := newKV()
				if _, err := n.AddGroup(context.Background(), gid, []uint64{1, 2, 3}, sm); err != nil {
					t.Errorf("node %d group %d: %v", n.ID(), gid, err)
				}
				if gid == testGroup {
					h.mu.Lock()
					h.sms[n.ID()] = sm
					h.mu.Unlock()
				}
			}
		}
	})
	lead := h.waitLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// One write to the idle group, at whichever node leads it.
	wrote := false
	for !wrote && ctx.Err() == nil {
		for id := uint64(1); id <= 3 && !wrote; id++ {
			g, _ := h.nodes[id].Group(idle)
			pctx, pcancel := context.WithTimeout(ctx, 300*time.Millisecond)
			_, err := g.Propose(pctx, []byte("once=1"))
			pcancel()
			wrote = err == nil
		}
	}
	for i := 0; i < 600; i++ {
		if _, err := h.write(ctx, h.group(lead).NewRequestID(), fmt.Sprintf("k%d=%0100d", i, i)); err != nil {
			t.Fatal(err)
		}
	}
	h.eventually("WAL segments to be collected", 10*time.Second, func() bool {
		for id := uint64(1); id <= 3; id++ {
			if h.stores[id].Segments() > 5 {
				return false
			}
		}
		return true
	})
	// The idle group's state survives the collection.
	for id := uint64(1); id <= 3; id++ {
		h.crash(id)
	}
	idleSM := map[uint64]*kv{}
	h.onStart = func(n *Node) {
		for _, gid := range []uint64{testGroup, idle} {
			sm := newKV()
			if _, err := n.AddGroup(context.Background(), gid, []uint64{1, 2, 3}, sm); err != nil {
				t.Errorf("restart node %d group %d: %v", n.ID(), gid, err)
			}
			if gid == idle {
				h.mu.Lock()
				idleSM[n.ID()] = sm
				h.mu.Unlock()
			}
		}
	}
	for id := uint64(1); id <= 3; id++ {
		h.start(id)
	}
	h.eventually("the idle group's write after restart", 10*time.Second, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		for id := uint64(1); id <= 3; id++ {
			if _, ok := idleSM[id].Get("once"); !ok {
				return false
			}
		}
		return true
	})
}
