package router

import (
	"context"

	"github.com/ddbkit/ddbkit/reference/partition"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Peers reaches the other storage nodes: HTTPPeers between processes, a
// direct call inside one process (the in-process cluster, which applies its
// fault model to these calls too).
type Peers interface {
	Propose(ctx context.Context, node uint64, req ProposeRequest) (ProposeResponse, error)
	Read(ctx context.Context, node uint64, req ReadRequest) (ReadResponse, error)
}

// Unsafe are deliberately WRONG modes, each breaking one guarantee so that
// the jepsen checkers can prove they notice (negative controls). All off by
// default; never use them otherwise.
type Unsafe struct {
	// StaleConsistentReads serves ConsistentRead from any replica without
	// ReadIndex (may return stale data).
	StaleConsistentReads bool
	// AckBeforeQuorum acknowledges a write once the leader accepted the
	// proposal, before a quorum has it (acknowledged writes may be lost; the
	// result of a condition is not waited for).
	AckBeforeQuorum bool
	// NoRetryDedup gives every retry of a write a fresh request id, so a
	// retried command may apply twice; attempts also time out after 20ms,
	// so slow writes are retried.
	NoRetryDedup bool
}

// Any reports whether some unsafe mode is on.
func (u Unsafe) Any() bool { return u.StaleConsistentReads || u.AckBeforeQuorum || u.NoRetryDedup }

// Options configure a Router.
type Options struct {
	Local Local
	Peers Peers
	// Client is the request-id client of this router: unique per node
	// incarnation (e.g. drawn from a seeded source at start).
	Client uint64
	// Timeout bounds a request whose context has no deadline (5s when
	// zero); AttemptTimeout bounds one attempt at one node (1s when zero).
	Timeout        time.Duration
	AttemptTimeout time.Duration
	// LagWait bounds how long a consistent read waits for the local
	// replica to apply the read index before it reads a remote replica that
	// has (20ms when zero).
	LagWait time.Duration
	Unsafe  Unsafe
	Logger  *slog.Logger
	// Reroute returns the replica that now owns cmd's key after group split
	// (waiting, within ctx, until this node's catalog shows the split).
	Reroute func(ctx context.Context, group uint64, cmd *partition.Command) (partition.Replica, error)
	// Successors returns the partitions that now own group's hash range
	// after it split, in hash order (waiting likewise).
	Successors func(ctx context.Context, group uint64) ([]Successor, error)
}

// Successor is a partition that owns part of a split partition's range.
type Successor struct {
	Lo, Hi  uint64
	Replica partition.Replica
}

// Router makes the partition replicas of one node.
type Router struct {
	o   Options
	seq atomic.Uint64

	mu       sync.Mutex
	replicas map[uint64]*Replica // by group: one Replica per group
}

// New returns a router.
func New(o Options) *Router {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = time.Second
	}
	if o.LagWait <= 0 {
		o.LagWait = 20 * time.Millisecond
	}
	if o.Unsafe.NoRetryDedup {
		// UNSAFE: retry impatiently (as a client without idempotency
		// would), so that a slow write is proposed again under a fresh id
		// while the first proposal may still commit.
		o.AttemptTimeout = min(o.AttemptTimeout, 20*time.Millisecond)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Router{o: o}
}

// Replica returns the partition.Replica of raft group id whose voters are
// the given nodes (the placement, preferred leader first). A router has one
// Replica per group: asking again with other voters (the group's replicas
// moved) updates the one that requests already in flight are using, so
// that their next attempts go to the new placement.
func (r *Router) Replica(group uint64, voters []uint64) *Replica {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.replicas[group]
	if p == nil {
		p = &Replica{r: r, group: group}
		if r.replicas == nil {
			r.replicas = map[uint64]*Replica{}
		}
		r.replicas[group] = p
	}
	p.SetVoters(voters)
	return p
}

// bound gives ctx the router's default deadline when it has none.
func (r *Router) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, r.o.Timeout)
}

func (r *Router) propose(ctx context.Context, node uint64, req ProposeRequest) (ProposeResponse, error) {
	actx, cancel := context.WithTimeout(ctx, r.o.AttemptTimeout)
	defer cancel()
	if node == r.o.Local.ID() {
		return ServePropose(actx, r.o.Local, req), nil
	}
	return r.o.Peers.Propose(actx, node, req)
}

func (r *Router) read(ctx context.Context, node uint64, req ReadRequest) (ReadResponse, error) {
	actx, cancel := context.WithTimeout(ctx, r.o.AttemptTimeout)
	defer cancel()
	if node == r.o.Local.ID() {
		return ServeRead(actx, r.o.Local, req), nil
	}
	return r.o.Peers.Read(actx, node, req)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
