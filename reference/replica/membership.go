package replica

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
)

// Membership changes move a replica to another node, as when a node joins
// the ring and takes over ~1/N of the replicas (ARCHITECTURE.md §4):
//
//  1. the new node starts an empty replica with Node.JoinGroup;
//  2. the leader adds it as a learner (non-voting), which raft catches up
//     with a snapshot — every replica compacts its log when a node is
//     added, so the newcomer always starts from a snapshot that carries the
//     configuration including itself, never from a log whose earliest
//     configuration it cannot know;
//  3. once it has caught up, one joint-consensus change (raft §4.3,
//     ConfChangeV2 with automatic leave) promotes it and removes the old
//     voter, so no moment has a quorum that could disagree with both the old
//     and the new configuration;
//  4. the old node drops its replica with Node.RemoveGroup.
//
// MoveReplica is resumable: called again after a crash or a change of
// leader, it skips the steps already in force, so whoever leads the group
// next can finish a move. Who decides on moves, and when each step runs, is
// the storage node's business (reference/node, mover.go): the catalog
// group records the move, the group's leader runs MoveReplica, the catalog
// group records its completion, and only then does the old node drop its
// replica.

// confWaiter is a conf change waiting to be applied.
type confWaiter struct {
	key  uint64
	done chan error // buffered 1
}

// ChangeConf proposes a configuration change on the leader and returns
// once it is applied here.
func (g *Group) ChangeConf(ctx context.Context, cc *pb.ConfChangeV2) error {
	w := &confWaiter{done: make(chan error, 1)}
	err := g.node.submit(func() {
		if g.removed {
			w.done <- ErrStopped
			return
		}
		if !g.serving() {
			w.done <- &NotLeaderError{Group: g.id, Leader: g.hint()}
			return
		}
		g.readSeq++
		w.key = g.readSeq
		c := &pb.ConfChangeV2{Transition: cc.Transition, Changes: cc.Changes, Context: binary.BigEndian.AppendUint64(nil, w.key)}
		if err := g.rn.ProposeConfChange(c); err != nil {
			w.done <- fmt.Errorf("replica: group %d: conf change: %w", g.id, err)
			return
		}
		g.confWaiters = append(g.confWaiters, w)
	})
	if err != nil {
		return err
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("replica: group %d: conf change: %w (outcome unknown)", g.id, ctx.Err())
	}
}

// confApplied answers the waiter of an applied conf change.
func (g *Group) confApplied(cc *pb.ConfChangeV2) {
	if len(cc.GetContext()) != 8 {
		return
	}
	key := binary.BigEndian.Uint64(cc.GetContext())
	for i, w := range g.confWaiters {
		if w.key == key {
			w.done <- nil
			g.confWaiters = slices.Delete(g.confWaiters, i, i+1)
			return
		}
	}
}

// addsNode reports whether cc adds a voter or learner.
func addsNode(cc *pb.ConfChangeV2) bool {
	for _, c := range cc.GetChanges() {
		if t := c.GetType(); t == pb.ConfChangeType_ConfChangeAddNode || t == pb.ConfChangeType_ConfChangeAddLearnerNode {
			return true
		}
	}
	return false
}

func single(t pb.ConfChangeType, id uint64) *pb.ConfChangeSingle {
	return &pb.ConfChangeSingle{Type: t.Enum(), NodeId: new(id)}
}

// MoveReplica replaces voter from with node to, which must already run an
// empty replica of the group (Node.JoinGroup). Call it on the leader. It
// returns once the new configuration is in force (joint state left).
func (g *Group) MoveReplica(ctx context.Context, from, to uint64) error {
	st := g.Status()
	if slices.Contains(st.Voters, to) && !slices.Contains(st.Voters, from) {
		return g.waitJointLeft(ctx, from, to) // done before, maybe still joint
	}
	if !slices.Contains(st.Voters, from) {
		return fmt.Errorf("replica: group %d: %d is not a voter (%v)", g.id, from, st.Voters)
	}
	if slices.Contains(st.Voters, to) {
		return fmt.Errorf("replica: group %d: %d is already a voter", g.id, to)
	}
	if !slices.Contains(st.Learners, to) {
		cc := &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{single(pb.ConfChangeType_ConfChangeAddLearnerNode, to)}}
		if err := g.ChangeConf(ctx, cc); err != nil {
			return fmt.Errorf("replica: group %d: add learner %d: %w", g.id, to, err)
		}
	}
	if err := g.waitCaughtUp(ctx, to); err != nil {
		return err
	}
	cc := &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{
		single(pb.ConfChangeType_ConfChangeAddNode, to),
		single(pb.ConfChangeType_ConfChangeRemoveNode, from),
	}}
	if err := g.ChangeConf(ctx, cc); err != nil {
		return fmt.Errorf("replica: group %d: swap %d for %d: %w", g.id, from, to, err)
	}
	return g.waitJointLeft(ctx, from, to)
}

// waitJointLeft waits until the configuration has to and not from as a
// voter and is no longer joint (raft leaves the joint configuration by
// itself).
func (g *Group) waitJointLeft(ctx context.Context, from, to uint64) error {
	for {
		s := g.Status()
		if len(s.VotersOutgoing) == 0 && slices.Contains(s.Voters, to) && !slices.Contains(s.Voters, from) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replica: group %d: leaving joint configuration: %w", g.id, ctx.Err())
		case <-time.After(g.node.opts.TickInterval):
		}
	}
}

// waitCaughtUp waits until the leader's progress for node id has matched
// the commit index the leader had when the wait began.
func (g *Group) waitCaughtUp(ctx context.Context, id uint64) error {
	target := g.Status().Commit
	for {
		match := make(chan uint64, 1)
		err := g.node.submit(func() {
			var m uint64
			g.rn.WithProgress(func(pid uint64, _ raft.ProgressType, pr tracker.Progress) {
				if pid == id {
					m = pr.Match
				}
			})
			match <- m
		})
		if err != nil {
			return err
		}
		select {
		case m := <-match:
			if m >= target {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("replica: group %d: waiting for %d to catch up: %w", g.id, id, ctx.Err())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replica: group %d: waiting for %d to catch up: %w", g.id, id, ctx.Err())
		case <-time.After(g.node.opts.TickInterval):
		}
	}
}

// AddLearner adds node id to the group as a learner (a non-voting replica
// that raft catches up, by snapshot), unless it is already a member. Call
// it on the leader; it returns once the change is applied here.
func (g *Group) AddLearner(ctx context.Context, id uint64) error {
	st := g.Status()
	if slices.Contains(st.Voters, id) || slices.Contains(st.Learners, id) || slices.Contains(st.VotersOutgoing, id) {
		return nil
	}
	cc := &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{single(pb.ConfChangeType_ConfChangeAddLearnerNode, id)}}
	if err := g.ChangeConf(ctx, cc); err != nil {
		return fmt.Errorf("replica: group %d: add learner %d: %w", g.id, id, err)
	}
	return nil
}
