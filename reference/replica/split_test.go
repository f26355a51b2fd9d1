package replica

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// splitKV returns the halves of a kv at key m, as a partition's Split
// command would compute them on every replica.
func splitKV(s *kv, m string) (lo, hi *kv) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lo, hi = newKV(), newKV()
	for k, v := range s.m {
		if k < m {
			lo.m[k] = v
		} else {
			hi.m[k] = v
		}
	}
	return lo, hi
}

// TestSplitCreatesTwoReplicatedGroups: after the parent group's replicas
// have all applied up to the split point, each node creates the two child
// groups with its half of the state and drops the parent. The children
// elect leaders, take writes, agree on their digests and survive a crash of
// every node.
func TestSplitCreatesTwoReplicatedGroups(t *testing.T) {
	h := newHarness(t, 101, nil)
	lead := h.waitLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < 40; i++ {
		if _, err := h.write(ctx, h.group(lead).NewRequestID(), fmt.Sprintf("%c%d=v", 'a'+i%26, i)); err != nil {
			t.Fatal(err)
		}
	}
	h.waitConverged(1, 2, 3)
	const left, right = 10, 11
	var mu sync.Mutex
	children := map[[2]uint64]*kv{} // (node, group) -> state machine
	voters := []uint64{1, 2, 3}
	for id := uint64(1); id <= 3; id++ {
		lo, hi := splitKV(h.sm(id), "m")
		for gid, sm := range map[uint64]*kv{left: lo, right: hi} {
			if _, err := h.nodes[id].AddGroupWithState(ctx, gid, voters, sm); err != nil {
				t.Fatal(err)
			}
			children[[2]uint64{id, gid}] = sm
		}
		if err := h.nodes[id].RemoveGroup(ctx, testGroup); err != nil {
			t.Fatal(err)
		}
	}
	// Restarts bring back exactly the children, from disk.
	h.onStart = func(n *Node) {
		for _, gid := range []uint64{left, right} {
			sm := newKV()
			if _, err := n.AddGroup(context.Background(), gid, voters, sm); err != nil {
				t.Errorf("restart node %d group %d: %v", n.ID(), gid, err)
			}
			mu.Lock()
			children[[2]uint64{n.ID(), gid}] = sm
			mu.Unlock()
		}
	}
	write := func(gid uint64, cmd string) {
		t.Helper()
		id := RequestID{Client: 7, Seq: uint64(time.Now().UnixNano())}
		for ctx.Err() == nil {
			for n := uint64(1); n <= 3; n++ {
				g, _ := h.nodes[n].Group(gid)
				pctx, pcancel := context.WithTimeout(ctx, 300*time.Millisecond)
				_, err := g.ProposeRequest(pctx, id, []byte(cmd))
				pcancel()
				if err == nil {
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("write %q to group %d: %v", cmd, gid, ctx.Err())
	}
	write(left, "b-new=1")
	write(right, "x-new=1")
	check := func(stage string) {
		t.Helper()
		for _, gid := range []uint64{left, right} {
			// A read index on the leader makes it commit in its term, so
			// its applied index covers every acknowledged write (a commit
			// index is not fsynced on its own and may be behind after a
			// crash).
			var floor uint64
			h.eventually(fmt.Sprintf("a read index in group %d %s", gid, stage), 10*time.Second, func() bool {
				for n := uint64(1); n <= 3; n++ {
					g, ok := h.nodes[n].Group(gid)
					if !ok || !g.Status().IsLeader {
						continue
					}
					rctx, rcancel := context.WithTimeout(ctx, 300*time.Millisecond)
					err := g.ReadIndex(rctx)
					rcancel()
					if err == nil {
						floor = g.Status().Applied
						return true
					}
				}
				return false
			})
			h.eventually(fmt.Sprintf("group %d to converge %s", gid, stage), 10*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				var d string
				for n := uint64(1); n <= 3; n++ {
					g, ok := h.nodes[n].Group(gid)
					if !ok {
						return false
					}
					s := g.Status()
					if s.Applied < floor || s.Applied != s.Commit {
						return false
					}
					dn := children[[2]uint64{n, gid}].Digest()
					if n > 1 && dn != d {
						return false
					}
					d = dn
				}
				return true
			})
		}
		mu.Lock()
		defer mu.Unlock()
		lo, hi := children[[2]uint64{1, left}], children[[2]uint64{1, right}]
		if lo.Len()+hi.Len() != 42 {
			t.Fatalf("%s: children hold %d + %d keys, want 42", stage, lo.Len(), hi.Len())
		}
		for _, k := range keysOf(lo) {
			if k >= "m" {
				t.Fatalf("%s: left child holds %q", stage, k)
			}
		}
		for _, k := range keysOf(hi) {
			if k < "m" {
				t.Fatalf("%s: right child holds %q", stage, k)
			}
		}
	}
	check("after split")
	for id := uint64(1); id <= 3; id++ {
		h.crash(id)
	}
	for id := uint64(1); id <= 3; id++ {
		h.start(id)
	}
	check("after crash and restart")
	if _, ok := h.nodes[1].Group(testGroup); ok {
		t.Fatal("the split parent came back after restart")
	}
}

func keysOf(s *kv) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		out = append(out, strings.Clone(k))
	}
	return out
}
