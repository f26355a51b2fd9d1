package node

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/value"
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
	n.reconciled.Add(1)
	go func() { // splits wait on raft: never in the reconciler's way
		defer n.reconciled.Done()
		for {
			select {
			case <-n.ctx.Done():
				return
			case <-n.splitKick:
				n.checkSplits(n.ctx)
			}
		}
	}()
	every := time.Second
	if n.o.SplitCheck > 0 && n.o.SplitCheck < every {
		every = n.o.SplitCheck
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		tick := false
		select {
		case <-n.ctx.Done():
			return
		case <-n.kick:
		case <-t.C:
			tick = true
		}
		n.reconcile(n.ctx)
		if tick && (n.o.SplitBytes > 0 || n.o.SplitLoad > 0) {
			select {
			case n.splitKick <- struct{}{}:
			default:
			}
		}
	}
}

// groupInfo locates a group: its table and hash range (kept for groups
// that split, so requests that reach them can be rerouted).
type groupInfo struct {
	table, tableID string
	part           int
	lo, hi         uint64
}

// wantGroup is a raft group this node should run.
type wantGroup struct {
	id      uint64
	info    groupInfo
	voters  []uint64
	schema  partition.KeySchema
	parent  uint64 // the group it split from (0: none)
	isChild bool
	// join: start an empty replica that the leader catches up (a move's
	// target); learner: this node is not one of the recorded voters yet.
	join, learner bool
}

// reconcile brings the local catalog to the replicated one and starts the
// raft groups of the partitions placed on this node, and of the frozen
// partitions they split from (kept so that a lagging replica can still
// catch up with the freeze and build its children from it).
func (n *Node) reconcile(ctx context.Context) {
	at := n.meta.appliedIndex()
	defer func() {
		if at > n.reconciledAt.Load() {
			n.reconciledAt.Store(at)
		}
	}()
	want := n.meta.list()
	wantNames := map[string]bool{}
	var groups []wantGroup
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
			if string(enc) != string(menc) || n.anyMoved(cur) {
				// Metadata change, or a new partition map after a split.
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
		groups = append(groups, n.groupsOf(cur)...)
	}
	for _, t := range n.cat.Tables() {
		if wantNames[t.Name] {
			continue
		}
		// Look again: a table created here after want was read is in the
		// catalog group by now (onChange waits for it).
		if _, ok := n.meta.encoded(t.Name); !ok {
			_, _ = n.cat.Delete(t.Name)
		}
	}
	n.syncGroups(ctx, groups)
}

// groupsOf lists the groups of table t placed here: its partitions and
// their split ancestors, ancestors first.
func (n *Node) groupsOf(t *catalog.Table) []wantGroup {
	ranges := map[int][2]uint64{}
	for _, p := range t.Partitions {
		ranges[p.ID] = [2]uint64{p.Lo, p.Hi}
		for c := p.ID; ; {
			par, ok := n.meta.parent(t.ID, c)
			if !ok {
				break
			}
			r, seen := ranges[par]
			if !seen {
				r = [2]uint64{p.Lo, p.Hi}
			}
			ranges[par] = [2]uint64{min(r[0], p.Lo), max(r[1], p.Hi)}
			c = par
		}
	}
	ids := make([]int, 0, len(ranges))
	for id := range ranges {
		ids = append(ids, id)
	}
	sort.Ints(ids) // a parent's id is smaller than its children's
	var out []wantGroup
	for _, id := range ids {
		gid := GroupID(t.ID, id)
		info := groupInfo{table: t.Name, tableID: t.ID, part: id, lo: ranges[id][0], hi: ranges[id][1]}
		n.mu.Lock()
		n.info[gid] = info
		n.mu.Unlock()
		v := n.votersOf(t.ID, id)
		mv, moving := n.meta.moveOf(gid)
		w := wantGroup{id: gid, info: info, voters: v, schema: t.Schema}
		switch {
		case slices.Contains(v, n.o.ID):
		case moving && mv.To == n.o.ID:
			// The target of a move: an empty replica that the group's
			// leader adds as a learner and catches up (mover.go).
			w.join, w.learner = true, true
		default:
			continue
		}
		if par, ok := n.meta.parent(t.ID, id); ok {
			w.parent, w.isChild = GroupID(t.ID, par), true
			if !slices.Contains(n.votersOf(t.ID, par), n.o.ID) {
				// The child moved here after the split: it has no frozen
				// parent here to be built from, its leader sends it.
				w.join = true
			}
		}
		out = append(out, w)
	}
	return out
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
		if op, ok := old[p.ID]; ok && op.Lo == p.Lo && op.Hi == p.Hi && !n.movedSince(mt.ID, op) {
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
// the ones no table needs any more. A split's child is born with its half of
// the frozen parent's data (identical on every replica); when the parent
// has not applied its freeze here yet, the child waits for the next round.
func (n *Node) syncGroups(ctx context.Context, want []wantGroup) {
	wanted := map[uint64]bool{}
	for _, w := range want {
		wanted[w.id] = true
		n.mu.Lock()
		started := n.started[w.id]
		if w.learner {
			n.learning[w.id] = true
		} else {
			delete(n.learning, w.id)
		}
		n.mu.Unlock()
		if started {
			continue
		}
		m := n.machine(w.id, w.schema)
		voters := slices.Sorted(slices.Values(w.voters))
		var err error
		switch {
		case w.join:
			_, err = n.rn.JoinGroup(ctx, w.id, m)
		case w.isChild:
			if _, inStore := n.store.Group(w.id); !inStore {
				if !n.fillChild(m, w) {
					continue
				}
			}
			_, err = n.rn.AddGroupWithState(ctx, w.id, voters, m)
		default:
			_, err = n.rn.AddGroup(ctx, w.id, voters, m)
		}
		if err != nil {
			n.log.Warn("reconcile: start group", "group", w.id, "err", err)
			continue
		}
		n.mu.Lock()
		n.started[w.id] = true
		n.mu.Unlock()
	}
	n.mu.Lock()
	var drop []uint64
	for id := range n.started {
		if !wanted[id] {
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
		delete(n.learning, id)
		n.mu.Unlock()
		n.log.Info("replica removed", "group", id)
	}
}

// fillChild loads into child m the items of its range from its frozen
// parent, and reports whether the parent was ready.
func (n *Node) fillChild(m *partMachine, w wantGroup) bool {
	n.mu.Lock()
	parent, ok := n.machines[w.parent]
	started := n.started[w.parent]
	n.mu.Unlock()
	if !ok || !started || !parent.frozen.Load() {
		return false
	}
	if items, _ := m.State.Stats(); items > 0 {
		return true // filled in an earlier round whose AddGroup failed
	}
	from := make([]byte, 8)
	binary.BigEndian.PutUint64(from, w.info.lo)
	var to []byte
	if w.info.hi != ^uint64(0) {
		to = make([]byte, 8)
		binary.BigEndian.PutUint64(to, w.info.hi+1)
	}
	schema := w.schema
	parent.State.Scan(from, to, false, func(_ []byte, item value.Item) bool {
		m.State.Apply(0, &partition.Command{Op: partition.OpPut, Key: schema.KeyOnly(item), Item: item})
		return true
	})
	// Prepared transaction writes in the child's range move with it: a
	// transaction decided COMMITTED whose commit is rerouted from the frozen
	// parent to this child must find its prepared write here.
	for _, cmd := range parent.State.PreparedCommands() {
		if h := value.Hash(cmd.Key[schema.HashKey]); h >= w.info.lo && h <= w.info.hi {
			m.State.Apply(0, cmd)
		}
	}
	return true
}

// movedSince reports whether local partition p of table tableID was made
// for other voters than the catalog group's current ones (a move started or
// finished since): its router replica and local state must be remade.
func (n *Node) movedSince(tableID string, p *catalog.Partition) bool {
	r, ok := p.Replica.(*router.Replica)
	if !ok {
		return false
	}
	held := slices.Contains(n.votersOf(tableID, p.ID), n.o.ID)
	return !slices.Equal(r.Voters(), n.routeVoters(tableID, p.ID)) || (p.State != nil) != held
}

// anyMoved reports whether some partition of t was made for other voters.
func (n *Node) anyMoved(t *catalog.Table) bool {
	for _, p := range t.Partitions {
		if n.movedSince(t.ID, p) {
			return true
		}
	}
	return false
}
