package replica

import (
	"fmt"
	"sync"

	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/storage"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// appendJob is one group's MsgStorageAppend: entries, hard state and
// snapshot to persist, and the responses to release once they are durable.
type appendJob struct {
	g *Group
	m *pb.Message
}

// appender is the node's disk writer. Work queued while it syncs one batch
// forms the next batch: one storage.Save, one fsync, for every group's
// appends of that time (group commit).
type appender struct {
	n     *Node
	mu    sync.Mutex
	queue []appendJob
	wake  chan struct{}
	done  chan struct{}
	// lastHS is, per group, the term and vote last persisted, to tell a
	// commit-only hard state (no fsync needed) from one that must sync.
	lastHS map[uint64]*pb.HardState
}

func newAppender(n *Node) *appender {
	return &appender{n: n, wake: make(chan struct{}, 1), done: make(chan struct{}), lastHS: map[uint64]*pb.HardState{}}
}

func (a *appender) enqueue(jobs []appendJob) {
	a.mu.Lock()
	a.queue = append(a.queue, jobs...)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *appender) run() {
	defer close(a.done)
	for {
		select {
		case <-a.n.stop:
			return
		case <-a.wake:
		}
		a.mu.Lock()
		jobs := a.queue
		a.queue = nil
		a.mu.Unlock()
		if len(jobs) == 0 {
			continue
		}
		if err := a.persist(jobs); err != nil {
			a.n.log.Error("replica appender stopped", "err", err)
			a.n.fail(err)
			return
		}
	}
}

func (a *appender) persist(jobs []appendJob) error {
	ups := make([]storage.Update, 0, len(jobs))
	for _, j := range jobs {
		m := j.m
		u := storage.Update{Group: j.g.id, Entries: m.GetEntries(), Snapshot: m.GetSnapshot()}
		must := len(u.Entries) > 0 || (u.Snapshot != nil && !raft.IsEmptySnap(u.Snapshot))
		if m.Term != nil { // the Ready carried a hard state
			hs := &pb.HardState{Term: new(m.GetTerm()), Vote: new(m.GetVote()), Commit: new(m.GetCommit())}
			prev := a.lastHS[j.g.id]
			must = must || hs.GetTerm() != prev.GetTerm() || hs.GetVote() != prev.GetVote()
			a.lastHS[j.g.id] = hs
			u.HardState = hs
		}
		u.CommitOnly = !must
		ups = append(ups, u)
	}
	if err := a.n.store.Save(ups); err != nil {
		return fmt.Errorf("replica: persist: %w", err)
	}
	// Durable: acknowledgements to peers go out now; those for this node's
	// raft go back to the loop.
	out := map[uint64][]transport.Envelope{}
	for _, j := range jobs {
		for _, resp := range j.m.GetResponses() {
			if to := resp.GetTo(); to != a.n.opts.ID {
				out[to] = append(out[to], transport.Envelope{Group: j.g.id, Msg: resp})
			}
		}
	}
	for to, batch := range out {
		a.n.tr.Send(to, batch)
	}
	// The appender, not the loop, asks the store (whose lock a Save holds
	// through its fsync) which groups pin old WAL segments.
	stale := a.n.store.StaleGroups(a.n.opts.MaxWALSegments)
	a.n.mu.Lock()
	a.n.appendedJobs = append(a.n.appendedJobs, jobs...)
	a.n.stale = append(a.n.stale, stale...)
	a.n.mu.Unlock()
	a.n.signal()
	return nil
}
