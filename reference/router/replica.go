package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Replica is the partition.Replica of one raft group, as seen from one node.
type Replica struct {
	r      *Router
	group  uint64
	voters []uint64
}

// Group returns the raft group id.
func (p *Replica) Group() uint64 { return p.group }

// Voters returns the placement of the group.
func (p *Replica) Voters() []uint64 { return slices.Clone(p.voters) }

// pick chooses the node for attempt n: the last leader hint, else the
// leader known to the local replica, else the voters in turn.
func (p *Replica) pick(hint uint64, n int) uint64 {
	if hint != 0 && slices.Contains(p.voters, hint) {
		return hint
	}
	if g, ok := p.r.o.Local.Group(p.group); ok {
		if st := g.Status(); st.Leader != 0 && n%2 == 0 {
			return st.Leader
		}
	}
	return p.voters[n%len(p.voters)]
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
	resp, err := p.ProposeBytes(ctx, b)
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
	return partition.Result{Old: resp.Old, New: resp.New, Err: resp.Err.Error()}, nil
}

// ProposeBytes proposes an encoded command at the group's leader under one
// request id for all attempts and returns the leader's answer (whose Err is
// the command's own error).
func (p *Replica) ProposeBytes(ctx context.Context, b []byte) (ProposeResponse, error) {
	ctx, cancel := p.r.bound(ctx)
	defer cancel()
	req := ProposeRequest{Group: p.group, Client: p.r.o.Client, Seq: p.r.seq.Add(1), Cmd: b,
		AckBeforeQuorum: p.r.o.Unsafe.AckBeforeQuorum}
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

// readIndex returns a read index confirmed by the group's leader: every
// write acknowledged before the call is at or below it.
func (p *Replica) readIndex(ctx context.Context) (uint64, error) {
	var hint uint64
	last := "no attempt"
	for n := 0; ; n++ {
		target := p.pick(hint, n)
		resp, err := p.r.read(ctx, target, ReadRequest{Group: p.group, Consistent: true})
		if err == nil && resp.Failure == nil {
			return resp.Applied, nil
		}
		hint = 0
		switch {
		case err != nil:
			last = err.Error()
		case resp.Failure.WrongRange:
			return 0, errSplit
		case resp.Failure.NotLeader:
			hint = resp.Failure.Leader
			last = fmt.Sprintf("node %d is not the leader", target)
		default:
			last = resp.Failure.Message
		}
		if ctx.Err() != nil {
			return 0, unknown(p.group, last)
		}
		if hint == 0 || hint == target {
			sleep(ctx, backoff(n))
		}
	}
}

// Read implements partition.Replica. A consistent read obtains a read
// index from the leader (ReadIndex) and then reads a replica that applied
// up to it: the local one when this node holds one, else any replica.
func (p *Replica) Read(ctx context.Context, consistent bool) (partition.Reader, error) {
	var idx uint64
	if consistent && !p.r.o.Unsafe.StaleConsistentReads {
		bctx, cancel := p.r.bound(ctx)
		var err error
		idx, err = p.readIndex(bctx)
		if err == errSplit && p.r.o.Successors != nil {
			defer cancel()
			return p.readSuccessors(bctx, ctx)
		}
		if err == nil {
			if g, ok := p.r.o.Local.Group(p.group); ok {
				err = waitApplied(bctx, g, idx)
				if err != nil {
					err = unknown(p.group, "local replica behind the read index")
				}
			}
		}
		cancel()
		if err != nil {
			return nil, err
		}
	}
	if st, ok := p.r.o.Local.State(p.group); ok {
		return st, nil
	}
	return &remoteReader{p: p, ctx: ctx, minApplied: idx}, nil
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

type part struct {
	lo, hi uint64
	r      partition.Reader
}

// compositeReader reads a hash range spread over several partitions, in
// hash order (keys begin with the 8-byte hash).
type compositeReader struct{ parts []part }

func (c *compositeReader) Get(key []byte) (value.Item, bool) {
	h := partition.KeyHash(key)
	for _, p := range c.parts {
		if h >= p.lo && h <= p.hi {
			return p.r.Get(key)
		}
	}
	return nil, false
}

func (c *compositeReader) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	stopped := false
	visit := func(p part) {
		p.r.Scan(from, to, reverse, func(k []byte, it value.Item) bool {
			if !fn(k, it) {
				stopped = true
				return false
			}
			return true
		})
	}
	for i := range c.parts {
		j := i
		if reverse {
			j = len(c.parts) - 1 - i
		}
		if visit(c.parts[j]); stopped {
			return
		}
	}
}

// remoteReader reads a group this node holds no replica of, from any
// replica that applied minApplied. The Reader interface has no error:
// when no replica answers before the deadline it panics with an
// InternalServerError, which the api handler recovers and returns.
type remoteReader struct {
	p          *Replica
	ctx        context.Context
	minApplied uint64
}

func (rr *remoteReader) do(req ReadRequest) ReadResponse {
	req.Group, req.MinApplied = rr.p.group, rr.minApplied
	ctx, cancel := rr.p.r.bound(rr.ctx)
	defer cancel()
	last := "no attempt"
	for n := 0; ; n++ {
		target := rr.p.voters[n%len(rr.p.voters)]
		resp, err := rr.p.r.read(ctx, target, req)
		if err == nil && resp.Failure == nil {
			return resp
		}
		if err != nil {
			last = err.Error()
		} else {
			last = resp.Failure.Message
		}
		if ctx.Err() != nil {
			panic(unknown(rr.p.group, last))
		}
		if n%len(rr.p.voters) == len(rr.p.voters)-1 {
			sleep(ctx, backoff(n))
		}
	}
}

// Get implements partition.Reader.
func (rr *remoteReader) Get(key []byte) (value.Item, bool) {
	resp := rr.do(ReadRequest{Get: key})
	return resp.Item, resp.Found
}

// Scan implements partition.Reader, a page at a time.
func (rr *remoteReader) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	for {
		resp := rr.do(ReadRequest{Scan: true, From: from, To: to, Reverse: reverse})
		for _, ki := range resp.Items {
			if !fn(ki.Key, ki.Item) {
				return
			}
		}
		if !resp.More || len(resp.Items) == 0 {
			return
		}
		lastKey := resp.Items[len(resp.Items)-1].Key
		if reverse {
			to = lastKey
		} else {
			from = append(slices.Clip(lastKey), 0)
		}
	}
}

// Sync returns once this node's replica of the group has applied every
// write acknowledged before the call (a read index from the leader).
func (p *Replica) Sync(ctx context.Context) error {
	ctx, cancel := p.r.bound(ctx)
	defer cancel()
	idx, err := p.readIndex(ctx)
	if err != nil {
		return err
	}
	g, ok := p.r.o.Local.Group(p.group)
	if !ok {
		return fmt.Errorf("router: no local replica of group %d", p.group)
	}
	return waitApplied(ctx, g, idx)
}
