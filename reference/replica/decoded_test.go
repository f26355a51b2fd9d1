package replica

import (
	"context"
	"sync"
	"testing"
	"time"
)

// decodedKV is the toy kv that also applies commands its proposer holds
// decoded (here: the command string), counting how often it did.
type decodedKV struct {
	*kv
	mu      sync.Mutex
	decoded int
}

func (d *decodedKV) ApplyDecoded(index uint64, cmd []byte, decoded any) any {
	d.mu.Lock()
	d.decoded++
	d.mu.Unlock()
	return d.kv.Apply(index, []byte(decoded.(string)))
}

// TestProposeDecoded: the leader applies its own proposal from the decoded
// form; followers decode the log entry; all reach the same state.
func TestProposeDecoded(t *testing.T) {
	var mu sync.Mutex
	sms := map[uint64]*decodedKV{}
	h := newHarnessWith(t, 11, nil, func(h *harness) {
		h.onStart = func(n *Node) {
			sm := &decodedKV{kv: newKV()}
			if _, err := n.AddGroup(context.Background(), testGroup, []uint64{1, 2, 3}, sm); err != nil {
				t.Errorf("node %d: %v", n.ID(), err)
			}
			mu.Lock()
			sms[n.ID()] = sm
			mu.Unlock()
		}
	})
	lead := h.waitLeader()
	g := h.group(lead)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const writes = 20
	for i := range writes {
		res, err := g.ProposeDecoded(ctx, g.NewRequestID(), []byte("k+="), "k+=")
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if _, ok := res.(kvResult); !ok {
			t.Fatalf("write %d: result %T", i, res)
		}
	}
	h.eventually("replicas converge", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		d := ""
		for _, sm := range sms {
			v, _ := sm.Get("k")
			if d == "" {
				d = v
			}
			if v != d || sm.Len() == 0 {
				return false
			}
		}
		return len(sms) == 3
	})
	mu.Lock()
	defer mu.Unlock()
	for id, sm := range sms {
		sm.mu.Lock()
		n := sm.decoded
		sm.mu.Unlock()
		want := 0
		if id == lead {
			want = writes
		}
		if n != want {
			t.Errorf("node %d applied %d commands from the decoded form, want %d", id, n, want)
		}
	}
}
