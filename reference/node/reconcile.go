package node

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func sameID(enc []byte, id string) bool {
	var t struct {
		ID string `json:"id"`
	}
	return json.Unmarshal(enc, &t) == nil && t.ID == id
}

// reconcileLoop makes the node's catalog and its partition groups follow
// the replicated catalog, after every change of it (and periodically, to
// retry what failed).
func (n *Node) reconcileLoop() {
	defer n.reconciled.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-n.kick:
		case <-t.C:
		}
		n.reconcile(n.ctx)
	}
}

// reconcile brings the local catalog to the replicated one and starts (or
// removes) the raft groups of the partitions placed on this node.
func (n *Node) reconcile(ctx context.Context) {
	want := n.meta.list()
	wantNames := map[string]bool{}
	groups := map[uint64][]uint64{}
	for _, mt := range want {
		wantNames[mt.Name] = true
		cur, err := n.cat.Get(mt.Name)
		if err == nil && cur.ID != mt.ID {
			_, _ = n.cat.Delete(mt.Name)
			err = errNotThere
		}
		switch {
		case err != nil:
			if cur, err = n.cat.Create(mt); err != nil {
				n.log.Warn("reconcile: create table", "table", mt.Name, "err", err)
				continue
			}
		default:
			enc, _ := encodeTable(cur)
			menc, _ := encodeTable(mt)
			if string(enc) != string(menc) {
				// Metadata change (or a new partition map after a split).
				cur, err = n.cat.Update(mt.Name, func(t *catalog.Table) error {
					parts := n.partitionsFor(t, mt)
					*t = *mt
					t.Partitions = parts
					return nil
				})
				if err != nil {
					n.log.Warn("reconcile: update table", "table", mt.Name, "err", err)
					continue
				}
			}
		}
		for _, p := range cur.Partitions {
			gid := GroupID(cur.ID, p.ID)
			if v := n.placementOf(gid); slices.Contains(v, n.o.ID) {
				groups[gid] = v
				n.machine(gid, cur.Schema)
			}
		}
	}
	for _, name := range n.cat.Names() {
		if !wantNames[name] {
			_, _ = n.cat.Delete(name)
		}
	}
	n.syncGroups(ctx, groups)
}

type notThere struct{}

func (notThere) Error() string { return "not there" }

var errNotThere error = notThere{}

// partitionsFor returns the partitions of the replicated table mt, reusing
// the local ones that did not change and making replicas for new ones.
func (n *Node) partitionsFor(local, mt *catalog.Table) []*catalog.Partition {
	old := map[int]*catalog.Partition{}
	for _, p := range local.Partitions {
		old[p.ID] = p
	}
	var out []*catalog.Partition
	for _, p := range mt.Partitions {
		if op, ok := old[p.ID]; ok && op.Lo == p.Lo && op.Hi == p.Hi {
			out = append(out, op)
			continue
		}
		np := &catalog.Partition{ID: p.ID, Lo: p.Lo, Hi: p.Hi}
		np.Replica, _ = n.replicaFor(mt, np)
		out = append(out, np)
	}
	return out
}

// syncGroups starts the wanted groups not yet running here and removes
// the ones no table needs any more.
func (n *Node) syncGroups(ctx context.Context, want map[uint64][]uint64) {
	ids := make([]uint64, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		n.mu.Lock()
		started, m := n.started[id], n.machines[id]
		n.mu.Unlock()
		if started {
			continue
		}
		voters := slices.Sorted(slices.Values(want[id]))
		if _, err := n.rn.AddGroup(ctx, id, voters, m); err != nil {
			n.log.Warn("reconcile: start group", "group", id, "err", err)
			continue
		}
		n.mu.Lock()
		n.started[id] = true
		n.mu.Unlock()
	}
	n.mu.Lock()
	var drop []uint64
	for id := range n.started {
		if _, ok := want[id]; !ok {
			drop = append(drop, id)
		}
	}
	n.mu.Unlock()
	for _, id := range drop {
		if err := n.rn.RemoveGroup(ctx, id); err != nil {
			n.log.Warn("reconcile: remove group", "group", id, "err", err)
			continue
		}
		n.mu.Lock()
		delete(n.started, id)
		delete(n.machines, id)
		n.mu.Unlock()
	}
}
