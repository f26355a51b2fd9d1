package replica

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/ddbkit/ddbkit/reference/storage"
)

// Group is this node's replica of one raft group. Its methods are safe for
// concurrent use; the raft state is only touched by the node's loop.
type Group struct {
	id   uint64
	node *Node

	// Owned by the loop goroutine.
	rn          *raft.RawNode
	st          *storage.Group
	sm          StateMachine
	dd          *dedup
	confState   *pb.ConfState
	applied     uint64
	snapIndex   uint64
	lead        uint64
	isLeader    bool              // raft's state
	quorumLost  bool              // leader that has not heard from a quorum for an election timeout
	lastHeard   map[uint64]uint64 // peer -> node tick of its last message
	pending     map[RequestID]*proposal
	reads       map[uint64]*readReq // by read context, waiting for the read index
	indexed     []*readReq          // read index known, waiting to be applied
	readSeq     uint64
	confWaiters []*confWaiter
	forceSnap   bool // a node was added: snapshot and compact now
	snapping    bool // an asynchronous snapshot is being written
	removed     bool // RemoveGroup ran; the loop skips it
	snapSoon    bool // its entries pin an old WAL segment: snapshot when possible

	status  atomic.Pointer[Status]
	pubConf *pb.ConfState // the configuration the published Status copied
}

type proposal struct {
	id      RequestID
	decoded any          // the command as the proposer holds it decoded (see ProposeDecoded)
	done    chan outcome // buffered 1
}

type outcome struct {
	v   any
	err error
}

type readReq struct {
	key   uint64
	index uint64
	done  chan error // buffered 1
}

// Status is a snapshot of a replica's raft state. Its slices are shared
// between snapshots: read them, do not modify them.
type Status struct {
	Group         uint64
	Node          uint64
	Leader        uint64 // 0 when unknown
	IsLeader      bool
	Term          uint64
	Commit        uint64
	Applied       uint64
	SnapshotIndex uint64
	State         string // StateLeader, StateFollower, ...
	// The configuration as of the applied index.
	Voters, Learners, VotersOutgoing []uint64
}

// ID returns the group id.
func (g *Group) ID() uint64 { return g.id }

// Status returns the replica's latest published state.
func (g *Group) Status() Status { return *g.status.Load() }

func (g *Group) publish() {
	bs := g.rn.BasicStatus()
	cur := Status{
		Group: g.id, Node: g.node.opts.ID, Leader: g.hintFrom(bs.Lead), IsLeader: bs.RaftState == raft.StateLeader && !g.quorumLost,
		Term: bs.HardState.GetTerm(), Commit: bs.HardState.GetCommit(), Applied: g.applied,
		SnapshotIndex: g.snapIndex, State: bs.RaftState.String(),
	}
	prev := g.status.Load()
	if prev != nil && g.pubConf == g.confState && prev.Leader == cur.Leader && prev.IsLeader == cur.IsLeader &&
		prev.Term == cur.Term && prev.Commit == cur.Commit && prev.Applied == cur.Applied &&
		prev.SnapshotIndex == cur.SnapshotIndex && prev.State == cur.State {
		return // unchanged (most ticks): no new Status
	}
	st := new(Status)
	*st = cur
	// The configuration changes rarely: share the copies made for it.
	if prev != nil && g.pubConf == g.confState {
		st.Voters, st.Learners, st.VotersOutgoing = prev.Voters, prev.Learners, prev.VotersOutgoing
	} else {
		st.Voters, st.Learners = slices.Clone(g.confState.GetVoters()), slices.Clone(g.confState.GetLearners())
		st.VotersOutgoing = slices.Clone(g.confState.GetVotersOutgoing())
		g.pubConf = g.confState
	}
	g.status.Store(st)
}

// serving reports whether this replica accepts proposals and reads: it
// leads and has heard from a quorum within the last election timeout.
func (g *Group) serving() bool { return g.isLeader && !g.quorumLost }

// hint is the leader to report in a NotLeaderError.
func (g *Group) hint() uint64 { return g.hintFrom(g.lead) }

func (g *Group) hintFrom(lead uint64) uint64 {
	if lead == g.node.opts.ID && g.quorumLost {
		return 0 // we lead in name only: the real leader is unknown
	}
	return lead
}

// heard records a message from peer (any message of this group).
func (g *Group) heard(peer uint64) { g.lastHeard[peer] = g.node.ticks }

// checkQuorum runs every tick on a leader. Raft's own CheckQuorum looks
// at whole election-timeout periods, so a leader cut off just after a check
// keeps its role for up to two election timeouts; this sliding window stops
// it serving one election timeout after it last heard from a quorum (raft
// steps it down at its next check). In a joint configuration raft's check
// alone applies.
func (g *Group) checkQuorum() {
	if !g.isLeader || len(g.confState.GetVotersOutgoing()) > 0 {
		g.quorumLost = false
		return
	}
	voters := g.confState.GetVoters()
	active := 0
	for _, id := range voters {
		if id == g.node.opts.ID || g.node.ticks-g.lastHeard[id] < uint64(g.node.opts.ElectionTicks) {
			active++
		}
	}
	lost := active < len(voters)/2+1
	if lost && !g.quorumLost {
		g.failAll(ErrOutcomeUnknown, &NotLeaderError{Group: g.id})
	}
	// Serving resumes if the quorum is heard again before raft steps the
	// leader down (a short cut): raft still guards every commit and read.
	g.quorumLost = lost
}

// NewRequestID returns a fresh request id of this node's client.
func (g *Group) NewRequestID() RequestID {
	return RequestID{Client: g.node.clientID, Seq: g.node.seq.Add(1)}
}

// Propose replicates cmd and returns the state machine's result once it is
// applied on this replica (the leader). See ProposeRequest.
func (g *Group) Propose(ctx context.Context, cmd []byte) (any, error) {
	return g.ProposeRequest(ctx, g.NewRequestID(), cmd)
}

// ProposeRequest replicates cmd under request id and returns the result of
// its (single) application. On a replica that does not lead it returns a
// *NotLeaderError at once. ErrOutcomeUnknown or a context error mean the
// command may or may not be applied: retry with the same id, here or at the
// new leader, and it is applied at most once (within the dedup window).
func (g *Group) ProposeRequest(ctx context.Context, id RequestID, cmd []byte) (any, error) {
	return g.ProposeDecoded(ctx, id, cmd, nil)
}

// ProposeDecoded is ProposeRequest for a proposer that also holds cmd
// decoded: when the command applies on this replica and the state machine
// is a DecodedApplier, it is applied from decoded instead of decoding cmd
// again. Other replicas decode cmd as always; decoded must be what cmd
// decodes to.
func (g *Group) ProposeDecoded(ctx context.Context, id RequestID, cmd []byte, decoded any) (any, error) {
	p := &proposal{id: id, decoded: decoded, done: make(chan outcome, 1)}
	data := encodeProposal(id, cmd)
	err := g.node.submit(func() {
		if g.removed {
			p.done <- outcome{err: ErrStopped}
			return
		}
		if g.dd.seen(id) {
			p.done <- outcome{v: g.dd.result(id)}
			return
		}
		if !g.serving() {
			p.done <- outcome{err: &NotLeaderError{Group: g.id, Leader: g.hint()}}
			return
		}
		if other, ok := g.pending[id]; ok {
			// Same id already in flight here: answer both when it applies.
			other.done <- outcome{err: ErrOutcomeUnknown}
		}
		if err := g.rn.Propose(data); err != nil {
			p.done <- outcome{err: &NotLeaderError{Group: g.id, Leader: g.lead}}
			return
		}
		g.pending[id] = p
	})
	if err != nil {
		return nil, err
	}
	select {
	case o := <-p.done:
		return o.v, o.err
	case <-ctx.Done():
		return nil, fmt.Errorf("replica: group %d: proposal %v: %w (outcome unknown)", g.id, id, ctx.Err())
	}
}

// ReadIndex returns once this replica has applied every write that was
// committed before the call, as confirmed by the leader with a quorum
// (raft ReadOnlySafe). After it returns, reading the state machine is
// linearizable. On a replica that does not lead it returns a
// *NotLeaderError.
func (g *Group) ReadIndex(ctx context.Context) error {
	r := &readReq{done: make(chan error, 1)}
	err := g.node.submit(func() {
		if g.removed {
			r.done <- ErrStopped
			return
		}
		if !g.serving() {
			r.done <- &NotLeaderError{Group: g.id, Leader: g.hint()}
			return
		}
		g.readSeq++
		r.key = g.readSeq
		g.reads[r.key] = r
		g.rn.ReadIndex(binary.BigEndian.AppendUint64(nil, r.key))
	})
	if err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("replica: group %d: read index: %w", g.id, ctx.Err())
	}
}

// TransferLeadership asks the leader to hand leadership to node to. It
// returns once the request is queued; watch Status for the outcome.
func (g *Group) TransferLeadership(ctx context.Context, to uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return g.node.submit(func() { g.rn.TransferLeader(to) })
}

// Campaign makes this replica start an election (tests, operators).
func (g *Group) Campaign(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return g.node.submit(func() { _ = g.rn.Campaign() })
}

// restore loads snap (the storage's snapshot at start, or one received from
// the leader) into the state machine and the dedup table.
func (g *Group) restore(snap *pb.Snapshot) error {
	md := snap.GetMetadata()
	dd, image, err := decodeSnapshot(snap.GetData(), g.node.opts.DedupWindow)
	if err != nil {
		return fmt.Errorf("replica: group %d: %w", g.id, err)
	}
	if md.GetIndex() > 0 || len(image) > 0 { // index 0 with data: a group born with state
		if err := g.sm.Restore(md.GetIndex(), image); err != nil {
			return fmt.Errorf("replica: group %d restore at %d: %w", g.id, md.GetIndex(), err)
		}
	}
	g.dd = dd
	g.confState = md.GetConfState()
	g.applied = md.GetIndex()
	g.snapIndex = md.GetIndex()
	return nil
}

// handleReadStates records the read index of answered ReadIndex requests.
func (g *Group) handleReadStates(states []raft.ReadState) {
	for _, rs := range states {
		if len(rs.RequestCtx) != 8 {
			continue
		}
		key := binary.BigEndian.Uint64(rs.RequestCtx)
		if r, ok := g.reads[key]; ok {
			delete(g.reads, key)
			r.index = rs.Index
			g.indexed = append(g.indexed, r)
		}
	}
}

// handleSoftState follows leadership changes.
func (g *Group) handleSoftState(ss *raft.SoftState) {
	if ss == nil {
		return
	}
	wasLeader := g.isLeader
	g.lead = ss.Lead
	g.isLeader = ss.RaftState == raft.StateLeader
	if g.isLeader && !wasLeader {
		g.quorumLost = false
		clear(g.lastHeard)
		for _, id := range g.confState.GetVoters() {
			g.lastHeard[id] = g.node.ticks // a new leader's grace period
		}
	}
	if wasLeader && !g.isLeader {
		g.failAll(ErrOutcomeUnknown, &NotLeaderError{Group: g.id, Leader: g.lead})
	}
}

func (g *Group) apply(e *pb.Entry) error {
	idx := e.GetIndex()
	if idx <= g.applied {
		return nil
	}
	switch e.GetType() {
	case pb.EntryType_EntryNormal:
		if len(e.GetData()) == 0 {
			break // a new leader's empty entry
		}
		id, cmd, err := decodeProposal(e.GetData())
		if err != nil {
			return fmt.Errorf("replica: group %d entry %d: %w", g.id, idx, err)
		}
		var res any
		p, proposed := g.pending[id]
		da, canDecoded := g.sm.(DecodedApplier)
		switch {
		case g.dd.seen(id):
			res = g.dd.result(id)
		case proposed && p.decoded != nil && canDecoded:
			res = da.ApplyDecoded(idx, cmd, p.decoded)
			g.dd.record(id, idx, res)
		default:
			res = g.sm.Apply(idx, cmd)
			g.dd.record(id, idx, res)
		}
		if proposed {
			delete(g.pending, id)
			p.done <- outcome{v: res}
		}
	case pb.EntryType_EntryConfChange, pb.EntryType_EntryConfChangeV2:
		var cc pb.ConfChangeI
		if e.GetType() == pb.EntryType_EntryConfChange {
			var v1 pb.ConfChange
			if err := proto.Unmarshal(e.GetData(), &v1); err != nil {
				return fmt.Errorf("replica: group %d conf change %d: %w", g.id, idx, err)
			}
			cc = &v1
		} else {
			var v2 pb.ConfChangeV2
			if err := proto.Unmarshal(e.GetData(), &v2); err != nil {
				return fmt.Errorf("replica: group %d conf change %d: %w", g.id, idx, err)
			}
			cc = &v2
		}
		g.confState = g.rn.ApplyConfChange(cc)
		v2 := cc.AsV2()
		g.forceSnap = g.forceSnap || addsNode(v2)
		g.confApplied(v2)
	}
	g.applied = idx
	return nil
}

// completeReads answers the reads whose index this replica has applied.
func (g *Group) completeReads() {
	keep := g.indexed[:0]
	for _, r := range g.indexed {
		if r.index <= g.applied {
			r.done <- nil
		} else {
			keep = append(keep, r)
		}
	}
	clear(g.indexed[len(keep):])
	g.indexed = keep
}

// maybeSnapshot snapshots the state machine and compacts the log every
// SnapshotEvery applied entries.
func (g *Group) maybeSnapshot() error {
	o := g.node.opts
	keep := o.SnapshotKeep
	switch {
	case g.forceSnap:
		// A node was added: it must start from a snapshot whose
		// configuration includes it, so drop the whole log.
		g.forceSnap, keep = false, 0
	case g.snapping:
		return nil // one at a time (snapSoon stays set for the next try)
	case g.snapSoon && g.applied > g.snapIndex:
		// This group's entries pin an old WAL segment.
		g.snapSoon = false
	case g.applied < g.snapIndex+o.SnapshotEvery:
		return nil
	}
	if as, ok := g.sm.(AsyncSnapshotter); ok && keep > 0 {
		g.snapshotAsync(as, keep)
		return nil
	}
	image, err := g.sm.Snapshot()
	if err != nil {
		return fmt.Errorf("replica: group %d snapshot: %w", g.id, err)
	}
	data := encodeSnapshot(g.dd, image)
	if err := g.node.store.Compact(g.id, g.applied, g.confState, data, keep); err != nil {
		return fmt.Errorf("replica: group %d compact: %w", g.id, err)
	}
	g.snapIndex = g.applied
	return nil
}

// snapshotAsync captures the state machine and the dedup table on the
// loop and encodes and writes the snapshot on another goroutine; when it
// is durable the loop learns the new snapshot index. (A snapshot that must
// drop the whole log — a node was added — stays synchronous: the newcomer
// must not be sent an older one.)
func (g *Group) snapshotAsync(as AsyncSnapshotter, keep uint64) {
	n := g.node
	encode := as.SnapshotAsync()
	order := slices.Clone(g.dd.live())
	index, cs := g.applied, proto.Clone(g.confState).(*pb.ConfState)
	g.snapping = true
	n.snapWG.Add(1)
	go func() {
		defer n.snapWG.Done()
		data, err := encode(snapshotHeader(order, 0))
		if err == nil {
			err = n.store.Compact(g.id, index, cs, data, keep)
		}
		if errors.Is(err, storage.ErrNoGroup) {
			err = nil // the group was removed meanwhile
		}
		if err != nil {
			n.log.Error("replica snapshot failed", "group", g.id, "index", index, "err", err)
			n.fail(fmt.Errorf("replica: group %d snapshot at %d: %w", g.id, index, err))
			return
		}
		_ = n.submit(func() {
			g.snapping = false
			g.snapIndex = max(g.snapIndex, index)
		})
	}()
}

// failAll ends every waiter: proposals with propErr, reads with readErr.
func (g *Group) failAll(propErr, readErr error) {
	for id, p := range g.pending {
		p.done <- outcome{err: propErr}
		delete(g.pending, id)
	}
	for key, r := range g.reads {
		r.done <- readErr
		delete(g.reads, key)
	}
	for _, r := range g.indexed {
		r.done <- readErr
	}
	g.indexed = nil
	for _, w := range g.confWaiters {
		w.done <- propErr
	}
	g.confWaiters = nil
}
