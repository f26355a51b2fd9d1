package replica

import (
	"fmt"

	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// handleReady takes every group's raft Ready (raft runs with
// AsyncStorageWrites, so a Ready needs no Advance):
//
//   - messages to peers are sent at once, batched per node — including a
//     leader's appends before its own disk write, so its fsync overlaps its
//     followers' (Raft thesis §10.2.1);
//   - the local append work (entries, hard state, snapshot) goes to the
//     node's appender, which persists the work of all groups with one fsync
//     and only then releases the acknowledgements raft attached to it;
//   - committed entries (already durable here) are applied on the loop.
//
// The loop never waits for the disk: while one batch is being synced it
// keeps stepping messages and taking proposals, which form the next batch.
// It reports whether some group has more to do.
func (n *Node) handleReady(groups []*Group) (bool, error) {
	out := map[uint64][]transport.Envelope{}
	type snapSent struct {
		g  *Group
		to uint64
	}
	var snaps []snapSent
	var jobs []appendJob
	type applyWork struct {
		g  *Group
		m  *pb.Message
		rd raft.Ready
	}
	var work []applyWork
	for _, g := range groups {
		if g.removed || !g.rn.HasReady() {
			continue
		}
		rd := g.rn.Ready()
		var apply *pb.Message
		for _, m := range rd.Messages {
			switch m.GetTo() {
			case raft.LocalAppendThread:
				jobs = append(jobs, appendJob{g: g, m: m})
			case raft.LocalApplyThread:
				apply = m
			default:
				out[m.GetTo()] = append(out[m.GetTo()], transport.Envelope{Group: g.id, Msg: m})
				if m.GetType() == pb.MessageType_MsgSnap {
					snaps = append(snaps, snapSent{g, m.GetTo()})
				}
			}
		}
		work = append(work, applyWork{g, apply, rd})
	}
	if len(work) == 0 {
		return false, nil
	}
	n.iters.Add(1)
	for to, batch := range out {
		n.tr.Send(to, batch)
	}
	for _, s := range snaps {
		// Sent (not known received): let raft go back to probing the
		// follower, which asks for another snapshot if this one was lost.
		s.g.rn.ReportSnapshot(s.to, raft.SnapshotFinish)
	}
	if len(jobs) > 0 {
		n.app.enqueue(jobs)
	}
	more := false
	for _, w := range work {
		if w.m != nil {
			for _, e := range w.m.GetEntries() {
				if err := w.g.apply(e); err != nil {
					return false, err
				}
			}
			for _, resp := range w.m.GetResponses() {
				_ = w.g.rn.Step(resp)
			}
		}
		w.g.handleReadStates(w.rd.ReadStates)
		// Leadership changes last, so that entries committed in this
		// Ready still answer their proposers.
		w.g.handleSoftState(w.rd.SoftState)
		if err := w.g.maybeSnapshot(); err != nil {
			return false, err
		}
		w.g.completeReads()
		w.g.publish()
		more = more || w.g.rn.HasReady()
	}
	return more, nil
}

// appended handles append work the appender has made durable: install a
// received snapshot into the state machine, then tell raft (the responses
// raft attached to the work, addressed to this node).
func (n *Node) appended(jobs []appendJob) error {
	for _, j := range jobs {
		if j.g.removed {
			continue
		}
		if snap := j.m.GetSnapshot(); snap != nil && !raft.IsEmptySnap(snap) {
			if err := j.g.restore(snap); err != nil {
				return fmt.Errorf("replica: group %d: install snapshot: %w", j.g.id, err)
			}
		}
		for _, resp := range j.m.GetResponses() {
			if resp.GetTo() == n.opts.ID {
				_ = j.g.rn.Step(resp)
			}
		}
	}
	return nil
}
