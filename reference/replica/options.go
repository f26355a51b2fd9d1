package replica

import (
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/ddbkit/ddbkit/reference/storage"
)

// Options configure a Node.
type Options struct {
	// ID is the node id, also its raft replica id in every group. Not zero.
	ID    uint64
	Store *storage.Store // the node's durable raft storage
	// TickInterval is one raft tick (10ms when zero). A leader heartbeats
	// every HeartbeatTicks and followers campaign after ElectionTicks (randomized
	// up to twice that) without hearing from a leader.
	TickInterval   time.Duration
	ElectionTicks  int        // 10 when zero
	HeartbeatTicks int        // 1 when zero
	Clock          Clock      // RealClock when nil
	Rand           *rand.Rand // source of the node's client id; seeded from the id when nil
	// ClientID is the Client of the request ids that Group.NewRequestID
	// makes. It must differ between incarnations of the node; when zero it
	// is drawn from Rand mixed with the store's incarnation counter, so a
	// restart with the same seed still gets a fresh one.
	ClientID uint64
	// SnapshotEvery is how many applied entries trigger a snapshot and log
	// compaction (10000 when zero); SnapshotKeep entries stay in the log for
	// slow followers (1000 when zero, capped below SnapshotEvery).
	SnapshotEvery uint64
	SnapshotKeep  uint64
	// MaxWALSegments is how many WAL segments may exist before the groups
	// pinning the oldest one (rarely written groups that never reach
	// SnapshotEvery) are snapshotted so it can be deleted (4 when zero).
	MaxWALSegments int
	// DedupWindow is how many log indexes a request id is remembered for
	// duplicate detection (100000 when zero).
	DedupWindow uint64
	// LeaseReads makes ReadIndex answer on the leader without a quorum
	// round trip (raft ReadOnlyLeaseBased): faster, but linearizable only
	// while clocks advance at similar rates. A leader counts its lease (its
	// quorum check) in its own ticks; when its clock runs slow (RateClock)
	// and it is cut off, the others, counting real time, elect a successor
	// and take writes while it still serves reads from its old state. Off by
	// default (ReadOnlySafe). The engine offers it only as a deliberately
	// unsafe mode (node.Unsafe.LeaseReads, `--unsafe-lease-reads`), which
	// jepsen's clock-skew-leader fault exposes.
	LeaseReads bool
	// MaxSizePerMsg and MaxInflightMsgs tune raft's flow control.
	MaxSizePerMsg   uint64 // 1 MiB when zero
	MaxInflightMsgs int    // 256 when zero
	Logger          *slog.Logger
}

func (o *Options) defaults() {
	if o.TickInterval <= 0 {
		o.TickInterval = 10 * time.Millisecond
	}
	if o.ElectionTicks <= 0 {
		// 500ms with the default tick: a loaded 2-core machine stalls
		// goroutines for tens of milliseconds, and shorter timeouts make
		// leaders churn. Tests that want fast failover set their own.
		o.ElectionTicks = 50
	}
	if o.HeartbeatTicks <= 0 {
		o.HeartbeatTicks = max(1, o.ElectionTicks/10)
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(o.ID, uint64(time.Now().UnixNano())))
	}
	if o.SnapshotEvery == 0 {
		o.SnapshotEvery = 10000
	}
	if o.SnapshotKeep == 0 {
		o.SnapshotKeep = 1000
	}
	if o.SnapshotKeep >= o.SnapshotEvery {
		o.SnapshotKeep = o.SnapshotEvery / 2
	}
	if o.MaxWALSegments <= 0 {
		o.MaxWALSegments = 4
	}
	if o.DedupWindow == 0 {
		o.DedupWindow = 100000
	}
	if o.MaxSizePerMsg == 0 {
		o.MaxSizePerMsg = 1 << 20
	}
	if o.MaxInflightMsgs <= 0 {
		o.MaxInflightMsgs = 256
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}
