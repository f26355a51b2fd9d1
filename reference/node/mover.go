package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// Moving replicas to a node that joined (ARCHITECTURE.md §4: adding a node
// to the ring moves ~1/N of the replicas to it, by raft membership change).
//
// Every step is driven by the replicated catalog (members.go), so a crash
// or a change of leader at any point resumes where it stopped:
//
//  1. A node is added with AddMember: the catalog group records it ("join"),
//     and the ring is rebuilt from the members on every node. The catalog's
//     leader adds the node to the catalog group as a learner, so that it
//     learns the tables and placement (the catalog's voters stay the
//     founders: a fourth voter in a zone would let one zone's loss stop the
//     catalog).
//  2. The planner, on the catalog's leader, compares each partition's
//     current voters with the ring's placement and records a move for a
//     group that differs: voter From is replaced by the ring's node To of
//     the same zone ("move"; at most one per group, at most MaxMoves at
//     once in the cluster).
//  3. Node To sees the move (reconcile) and starts an empty replica of the
//     group (replica.Node.JoinGroup). Reads are not served from it yet.
//  4. The group's leader, wherever it is, carries out the move
//     (replica.Group.MoveReplica): To joins as a learner and is caught up
//     by snapshot, then one joint configuration change promotes it and
//     removes From. Routers try To as well while the move is in progress.
//  5. The leader records the completion ("moved"): the group's voters now
//     name To. Every node remakes the partition's router replica with the
//     new voters; node From drops its replica and its data.
//
// A frozen partition (about to split) is not moved, and a partition being
// moved does not split: the children of a split are placed like their
// parent and moved after the split; a move recorded for a partition that
// split meanwhile is cancelled.

// moveTimeout bounds one attempt at a move (catch-up included); a move
// that did not finish is tried again at the next check.
const moveTimeout = 30 * time.Second

// AddMember adds a node to the cluster (the catalog group records it); the
// node must run with Options.Join (or already be a founder). Replicas move
// to it in the background (see above).
func (n *Node) AddMember(ctx context.Context, m Member) error {
	if err := n.proposeMeta(ctx, metaCmd{Kind: "join", Member: &m}); err != nil {
		return fmt.Errorf("node: add member %d: %w", m.ID, err)
	}
	return nil
}

// Members returns the cluster's members as the catalog group records them.
func (n *Node) Members() []Member { return n.meta.memberList() }

// Target returns the ring's placement of partition part of table tableID:
// the voters the movers steer it to.
func (n *Node) Target(tableID string, part int) []uint64 { return n.meta.target(tableID, part) }

// Moves returns the moves in progress by group.
func (n *Node) Moves() map[uint64]Move { return n.meta.allMoves() }

// kickMoves wakes the mover (non-blocking).
func (n *Node) kickMoves() {
	select {
	case n.moveKick <- struct{}{}:
	default:
	}
}

// metaChanged is the catalog machine's change hook: reconcile and move.
func (n *Node) metaChanged() {
	n.poke()
	n.kickMoves()
}

// moverLoop plans moves (on the catalog's leader) and carries out those of
// the groups this node leads, after every catalog change and every
// MoveCheck.
func (n *Node) moverLoop() {
	defer n.reconciled.Done()
	every := n.o.MoveCheck
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var told []Member
	for {
		if ms := n.meta.memberList(); n.o.OnMembers != nil && !slices.Equal(ms, told) {
			n.o.OnMembers(ms)
			told = ms
		}
		select {
		case <-n.ctx.Done():
			return
		case <-n.moveKick:
		case <-t.C:
		}
		n.planMoves(n.ctx)
		n.runMoves()
	}
}

// joinSelf proposes this node's membership (Options.Join) until the
// catalog group records it.
func (n *Node) joinSelf() {
	defer n.reconciled.Done()
	self := n.o.Self
	self.ID, self.Zone = n.o.ID, n.o.Zone
	for {
		ctx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
		err := n.AddMember(ctx, self)
		cancel()
		if err == nil {
			n.log.Info("joined the cluster", "zone", self.Zone)
			return
		}
		n.log.Warn("join the cluster", "err", err)
		select {
		case <-n.ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// serveAddMember is POST /admin/members: add the node described by the
// JSON Member in the body (an operator's alternative to Options.Join).
func (n *Node) serveAddMember(w http.ResponseWriter, r *http.Request) {
	var m Member
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&m); err != nil {
		http.Error(w, "decode member: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), metaTimeout)
	defer cancel()
	if err := n.AddMember(ctx, m); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// planMoves runs steps 1 (catalog learners) and 2 on the catalog's leader.
func (n *Node) planMoves(ctx context.Context) {
	g, ok := n.rn.Group(MetaGroup)
	if !ok || !g.Status().IsLeader {
		return
	}
	for _, m := range n.meta.memberList() {
		cctx, cancel := context.WithTimeout(ctx, metaTimeout)
		err := g.AddLearner(cctx, m.ID)
		cancel()
		if err != nil {
			n.log.Warn("mover: add the catalog learner", "member", m.ID, "err", err)
			return
		}
	}
	maxMoves := n.o.MaxMoves
	if maxMoves <= 0 {
		maxMoves = 2
	}
	moves := n.meta.allMoves()
	tables := n.meta.list()
	live := map[uint64]bool{}
	for _, t := range tables {
		for _, p := range t.Partitions {
			live[GroupID(t.ID, p.ID)] = true
		}
	}
	busy := 0
	for gid, mv := range moves {
		if live[gid] {
			busy++
			continue
		}
		// The group split while its move waited (a frozen partition is not
		// moved): its children are planned on their own.
		cctx, cancel := context.WithTimeout(ctx, metaTimeout)
		err := n.proposeMeta(cctx, metaCmd{Kind: "cancel", Group: gid, From: mv.From, To: mv.To})
		cancel()
		if err != nil {
			n.log.Warn("mover: cancel the move of a split partition", "group", gid, "err", err)
		}
	}
	for _, t := range tables {
		for _, p := range t.Partitions {
			if busy >= maxMoves {
				return
			}
			gid := GroupID(t.ID, p.ID)
			if _, ok := moves[gid]; ok {
				continue
			}
			mv, ok := planMove(n.meta.votersOf(t.ID, p.ID), n.meta.target(t.ID, p.ID), n.meta.zoneOf)
			if !ok {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, metaTimeout)
			err := n.proposeMeta(cctx, metaCmd{Kind: "move", Group: gid, From: mv.From, To: mv.To})
			cancel()
			if err != nil {
				n.log.Warn("mover: record a move", "table", t.Name, "partition", p.ID, "err", err)
				continue
			}
			busy++
			n.log.Info("mover: move planned", "table", t.Name, "partition", p.ID, "group", gid, "from", mv.From, "to", mv.To)
		}
	}
}

// runMoves starts steps 4 and 5 for the moves of the groups this node
// leads, one goroutine per group.
func (n *Node) runMoves() {
	for gid, mv := range n.meta.allMoves() {
		g, ok := n.rn.Group(gid)
		if !ok || !g.Status().IsLeader {
			continue
		}
		n.mu.Lock()
		m := n.machines[gid]
		if n.moving[gid] || (m != nil && m.frozen.Load()) {
			n.mu.Unlock()
			continue
		}
		n.moving[gid] = true
		n.mu.Unlock()
		n.reconciled.Add(1)
		go func() {
			defer n.reconciled.Done()
			defer func() {
				n.mu.Lock()
				delete(n.moving, gid)
				n.mu.Unlock()
			}()
			if err := n.runMove(n.ctx, gid, mv); err != nil {
				n.log.Warn("mover: move", "group", gid, "from", mv.From, "to", mv.To, "err", err)
			}
		}()
	}
}

// runMove carries out one move on the group's leader and records it.
func (n *Node) runMove(ctx context.Context, gid uint64, mv Move) error {
	ctx, cancel := context.WithTimeout(ctx, moveTimeout)
	defer cancel()
	g, ok := n.rn.Group(gid)
	if !ok {
		return fmt.Errorf("no replica here")
	}
	if err := g.MoveReplica(ctx, mv.From, mv.To); err != nil {
		return err
	}
	if err := n.proposeMeta(ctx, metaCmd{Kind: "moved", Group: gid, From: mv.From, To: mv.To}); err != nil {
		return fmt.Errorf("record the move: %w", err)
	}
	n.log.Info("mover: replica moved", "group", gid, "from", mv.From, "to", mv.To,
		"voters", slices.Sorted(slices.Values(g.Status().Voters)))
	return nil
}
