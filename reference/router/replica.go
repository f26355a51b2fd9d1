package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
)

// Replica is the partition.Replica of one raft group, as seen from one node.
//
// Its voters can change while requests are in flight (a replica moved to
// another node, SetVoters): every attempt reads the current list, so a
// request that started before a move reaches the new leader too.
type Replica struct {
	r      *Router
	group  uint64
	voters atomic.Pointer[[]uint64]
}

// Group returns the raft group id.
func (p *Replica) Group() uint64 { return p.group }

// Voters returns the placement of the group.
func (p *Replica) Voters() []uint64 { return slices.Clone(p.current()) }

// SetVoters replaces the group's placement.
func (p *Replica) SetVoters(voters []uint64) {
	v := slices.Clone(voters)
	p.voters.Store(&v)
}

// current returns the voters now (not to be modified).
func (p *Replica) current() []uint64 {
	if v := p.voters.Load(); v != nil {
		return *v
	}
	return nil
}

// noNode is asked when a group has no known voter: no node has id 0, so
// the attempt fails and the request ends as unavailable at its deadline.
const noNode = 0

// pick chooses the node for attempt n: the last leader hint, else the
// leader known to the local replica, else the voters in turn.
func (p *Replica) pick(hint uint64, n int) uint64 {
	voters := p.current()
	if len(voters) == 0 {
		return noNode
	}
	if hint != 0 && slices.Contains(voters, hint) {
		return hint
	}
	if g, ok := p.r.o.Local.Group(p.group); ok {
		if st := g.Status(); st.Leader != 0 && n%2 == 0 {
			return st.Leader
		}
	}
	return voters[n%len(voters)]
}

func backoff(n int) time.Duration {
	d := time.Duration(n) * 2 * time.Millisecond
	return min(d, 50*time.Millisecond)
}

// unknown is the error of a request whose outcome could not be learned
// in time: clients must treat it as indeterminate.
func unknown(group uint64, last string) error {
	return ddberr.Newf(ddberr.InternalServer, "Internal server error (partition group %d unavailable: %s)", group, last)
}

// Propose implements partition.Replica: the command is proposed at the
// leader under one request id for all attempts (see Unsafe.NoRetryDedup).
func (p *Replica) Propose(ctx context.Context, cmd *partition.Command) (partition.Result, error) {
	if err := cmd.Prepare(); err != nil {
		return partition.Result{Err: err}, nil
	}
	b, err := cmd.Marshal()
	if err != nil {
		return partition.Result{}, fmt.Errorf("router: encode command: %w", err)
	}
	resp, err := p.proposeBytes(ctx, b, cmd)
	if err != nil {
		return partition.Result{}, err
	}
	if resp.Err != nil && resp.Err.Type == WrongRangeType && p.r.o.Reroute != nil {
		// The partition split before the command applied: the command was
		// not applied there; it goes to the successor owning its key.
		ctx, cancel := p.r.bound(ctx)
		defer cancel()
		next, err := p.r.o.Reroute(ctx, p.group, cmd)
		if err != nil {
			return partition.Result{}, err
		}
		return next.Propose(ctx, cmd)
	}
	return partition.Result{Old: resp.Old, New: resp.New, Err: resp.Err.Error(), Collection: resp.Collection}, nil
}

// ProposeBytes proposes an encoded command at the group's leader under one
// request id for all attempts and returns the leader's answer (whose Err is
// the command's own error).
func (p *Replica) ProposeBytes(ctx context.Context, b []byte) (ProposeResponse, error) {
	return p.proposeBytes(ctx, b, nil)
}

// proposeBytes is ProposeBytes with the command also in decoded form (nil
// when the caller has none).
func (p *Replica) proposeBytes(ctx context.Context, b []byte, decoded any) (ProposeResponse, error) {
	ctx, cancel := p.r.bound(ctx)
	defer cancel()
	req := ProposeRequest{Group: p.group, Client: p.r.o.Client, Seq: p.r.seq.Add(1), Cmd: b,
		AckBeforeQuorum: p.r.o.Unsafe.AckBeforeQuorum, Decoded: decoded}
	var hint uint64
	last := "no attempt"
	for n := 0; ; n++ {
		target := p.pick(hint, n)
		resp, err := p.r.propose(ctx, target, req)
		if err == nil && resp.Failure == nil {
			return resp, nil
		}
		hint = 0
		switch {
		case err != nil:
			last = err.Error()
		case resp.Failure.NotLeader:
			hint = resp.Failure.Leader
			last = fmt.Sprintf("node %d is not the leader", target)
		case resp.Failure.NoReplica:
			last = fmt.Sprintf("node %d has no replica", target)
		default:
			last = resp.Failure.Message
		}
		if p.r.o.Unsafe.NoRetryDedup {
			req.Seq = p.r.seq.Add(1) // UNSAFE: the retry may apply a second time
		}
		if ctx.Err() != nil {
			return ProposeResponse{}, unknown(p.group, last)
		}
		if hint == 0 || hint == target {
			sleep(ctx, backoff(n))
		}
	}
}

// readIndex returns a read index confirmed by the group's leader, and the
// node that confirmed it: every write acknowledged before the call is at or
// below the index, and that node had applied up to it.
func (p *Replica) readIndex(ctx context.Context) (idx, from uint64, err error) {
	var hint uint64
	last := "no attempt"
	for n := 0; ; n++ {
		target := p.pick(hint, n)
		resp, err := p.r.read(ctx, target, ReadRequest{Group: p.group, Consistent: true})
		if err == nil && resp.Failure == nil {
			return resp.Applied, target, nil
		}
		hint = 0
		switch {
		case err != nil:
			last = err.Error()
		case resp.Failure.WrongRange:
			return 0, 0, errSplit
		case resp.Failure.NotLeader:
			hint = resp.Failure.Leader
			last = fmt.Sprintf("node %d is not the leader", target)
		default:
			last = resp.Failure.Message
		}
		if ctx.Err() != nil {
			return 0, 0, unknown(p.group, last)
		}
		if hint == 0 || hint == target {
			sleep(ctx, backoff(n))
		}
	}
}

// Read implements partition.Replica.
//
// An eventually consistent read is served by the local replica when this
// node holds one, else by any replica (a remoteReader).
//
// A consistent read obtains a read index from the leader (ReadIndex) and
// then reads a replica that applied up to it. The local replica usually
// has, or catches up within milliseconds: the read waits for it at most
// Options.LagWait. A local replica further behind (a follower catching up
// after a partition, or slow under load) does not fail the read: it is then
// served by a remote replica that applied the read index, the node that
// confirmed the index first (the leader, which always has), each remote
// read carrying the index as MinApplied so that a stale replica refuses.
func (p *Replica) Read(ctx context.Context, consistent bool) (partition.Reader, error) {
	if !consistent || p.r.o.Unsafe.StaleConsistentReads {
		if st, ok := p.r.o.Local.State(p.group); ok {
			return st, nil
		}
		return p.remote(ctx, 0, 0), nil
	}
	bctx, cancel := p.r.bound(ctx)
	defer cancel()
	idx, from, err := p.readIndex(bctx)
	if errors.Is(err, errSplit) && p.r.o.Successors != nil {
		return p.readSuccessors(bctx, ctx)
	}
	if err != nil {
		return nil, err
	}
	if st, ok := p.localAt(bctx, idx); ok {
		return st, nil
	}
	return p.remote(ctx, idx, from), nil
}

// localAt returns the local replica's state once it applied idx, waiting
// at most Options.LagWait (false when this node holds no replica or it is
// further behind).
func (p *Replica) localAt(ctx context.Context, idx uint64) (*partition.State, bool) {
	g, ok := p.r.o.Local.Group(p.group)
	if !ok {
		return nil, false
	}
	st, ok := p.r.o.Local.State(p.group)
	if !ok {
		return nil, false
	}
	if g.Status().Applied >= idx {
		return st, true // the usual case: no timer
	}
	wctx, cancel := context.WithTimeout(ctx, p.r.o.LagWait)
	defer cancel()
	if err := waitApplied(wctx, g, idx); err != nil {
		p.r.o.Logger.Debug("router: local replica behind the read index, reading a remote replica",
			"group", p.group, "read_index", idx, "applied", g.Status().Applied)
		return nil, false
	}
	return st, true
}

// errSplit: the group's partition split (its state is frozen).
var errSplit = errors.New("router: partition split")

// readSuccessors serves a consistent read of a split partition from the
// partitions that now own its range (each read consistently).
func (p *Replica) readSuccessors(bctx, ctx context.Context) (partition.Reader, error) {
	succ, err := p.r.o.Successors(bctx, p.group)
	if err != nil {
		return nil, err
	}
	cr := &compositeReader{}
	for _, s := range succ {
		r, err := s.Replica.Read(ctx, true)
		if err != nil {
			return nil, err
		}
		cr.parts = append(cr.parts, part{lo: s.Lo, hi: s.Hi, r: r})
	}
	return cr, nil
}

// Sync returns once this node's replica of the group has applied every
// write acknowledged before the call (a read index from the leader).
func (p *Replica) Sync(ctx context.Context) error {
	ctx, cancel := p.r.bound(ctx)
	defer cancel()
	idx, _, err := p.readIndex(ctx)
	if err != nil {
		return err
	}
	g, ok := p.r.o.Local.Group(p.group)
	if !ok {
		return fmt.Errorf("router: no local replica of group %d", p.group)
	}
	return waitApplied(ctx, g, idx)
}
