package partition

import (
	"context"
	"sync"

	"github.com/ddbkit/ddbkit/reference/value"
)

// Reader reads a partition's state.
//
// A Reader that reads over the network (a router's reader of a replica on
// another node) can fail part-way. It then records its first error, Get
// reports nothing found and Scan visits nothing more, and Err returns the
// error: a caller must check Err after reading and before it trusts an
// absent item or a short scan. A State never fails.
type Reader interface {
	Get(key []byte) (value.Item, bool)
	Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool)
	// Err returns the first error of a Get or Scan of this Reader (nil when
	// every read so far was complete).
	Err() error
}

// Err implements Reader: reads of a local State cannot fail.
func (s *State) Err() error { return nil }

// Replica is the seam between the request path and replication: it applies
// write commands and serves reads for one partition.
//
//   - Propose applies cmd once it is durable on enough replicas (a quorum, for
//     a replicated group) and returns its result. An error (as opposed to
//     Result.Err) means the outcome is unknown or the replica cannot serve
//     (not the leader, shutting down).
//   - Read returns a Reader. With consistent=true the Reader reflects every
//     write acknowledged before Read was called (linearizable); otherwise it
//     may be stale, as DynamoDB's eventually consistent reads may be.
type Replica interface {
	Propose(ctx context.Context, cmd *Command) (Result, error)
	Read(ctx context.Context, consistent bool) (Reader, error)
}

// Local is a single, unreplicated replica: commands apply directly to its
// State in the caller's goroutine, and every read is consistent.
type Local struct {
	mu    sync.Mutex // orders apply and log append
	state *State
	next  uint64
	log   CommandLog
}

// CommandLog persists applied commands (nil: in memory only). Enqueue is
// called in apply order; the returned wait function blocks until the command
// is durable (so one fsync can cover many commands: group commit).
type CommandLog interface {
	Enqueue(cmd *Command) (wait func(context.Context) error)
}

// NewLocal returns a single-replica partition over state, writing each
// successful command to log if log is not nil.
func NewLocal(state *State, log CommandLog) *Local { return &Local{state: state, log: log} }

// State returns the underlying state.
func (l *Local) State() *State { return l.state }

// Propose implements Replica.
func (l *Local) Propose(ctx context.Context, cmd *Command) (Result, error) {
	if err := cmd.Prepare(); err != nil {
		return Result{Err: err}, nil
	}
	var wait func(context.Context) error
	l.mu.Lock()
	l.next++
	r := l.state.Apply(l.next, cmd)
	if r.Err == nil && l.log != nil && (cmd.Op != OpCheck || cmd.Txn != nil) {
		wait = l.log.Enqueue(cmd)
	}
	l.mu.Unlock()
	if wait != nil {
		if err := wait(ctx); err != nil {
			return Result{}, err
		}
	}
	return r, nil
}

// Read implements Replica.
func (l *Local) Read(context.Context, bool) (Reader, error) { return l.state, nil }
