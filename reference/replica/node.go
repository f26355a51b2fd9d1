package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/storage"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Node drives all the raft groups of one storage node from one loop.
type Node struct {
	opts     Options
	log      *slog.Logger
	store    *storage.Store
	clientID uint64
	seq      atomic.Uint64

	mu      sync.Mutex
	groups  map[uint64]*Group
	inbox   []inbound
	reqs    []func()
	tr      transport.Transport
	started bool
	// startPaused is a pause requested before Start.
	startPaused bool

	wake    chan struct{}
	pauseCh chan bool
	stop    chan struct{}
	done    chan struct{}
	err     error  // why the loop ended; set before done is closed
	ticks   uint64 // raft ticks so far; owned by the loop
	iters   atomic.Uint64
	app     *appender
	snapWG  sync.WaitGroup // asynchronous snapshots in progress
	// appendedJobs are append work made durable, for the loop to hand
	// back to raft.
	appendedJobs []appendJob
	failErr      error    // set by the appender when the disk fails
	stale        []uint64 // groups pinning the oldest WAL segment (from the appender)
}

type inbound struct {
	from uint64
	env  transport.Envelope
}

// NewNode returns a node that is not running yet: add groups with AddGroup,
// join a transport with Deliver as handler, then Start.
func NewNode(opts Options) (*Node, error) {
	if opts.ID == 0 {
		return nil, errors.New("replica: node id 0 is reserved")
	}
	if opts.Store == nil {
		return nil, errors.New("replica: node without a store")
	}
	opts.defaults()
	n := &Node{
		opts:    opts,
		log:     opts.Logger.With("node", opts.ID),
		store:   opts.Store,
		groups:  map[uint64]*Group{},
		wake:    make(chan struct{}, 1),
		pauseCh: make(chan bool),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	n.clientID = opts.ClientID
	for n.clientID == 0 {
		n.clientID = mix64(opts.Rand.Uint64() ^ mix64(opts.ID<<32^opts.Store.Incarnation()))
	}
	return n, nil
}

// ID returns the node id.
func (n *Node) ID() uint64 { return n.opts.ID }

// Start runs the loop, sending through tr.
func (n *Node) Start(tr transport.Transport) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started {
		return errors.New("replica: node already started")
	}
	n.started, n.tr = true, tr
	n.app = newAppender(n)
	go n.app.run()
	go n.run()
	return nil
}

// Deliver is the transport handler: it queues inbound messages for the loop.
func (n *Node) Deliver(from uint64, batch []transport.Envelope) {
	n.mu.Lock()
	for _, e := range batch {
		n.inbox = append(n.inbox, inbound{from: from, env: e})
	}
	n.mu.Unlock()
	n.signal()
}

func (n *Node) signal() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// SetPaused freezes (true) or thaws (false) the loop, as SIGSTOP/SIGCONT
// would: a frozen node neither ticks nor processes messages or requests.
// It is the transport.Network pause hook.
func (n *Node) SetPaused(paused bool) {
	n.mu.Lock()
	if !n.started {
		n.startPaused = paused // the loop starts frozen
		n.mu.Unlock()
		return
	}
	n.mu.Unlock()
	select {
	case n.pauseCh <- paused:
	case <-n.done:
	}
}

// submit runs f on the loop goroutine.
func (n *Node) submit(f func()) error {
	n.mu.Lock()
	select {
	case <-n.done:
		n.mu.Unlock()
		return ErrStopped
	default:
	}
	n.reqs = append(n.reqs, f)
	n.mu.Unlock()
	n.signal()
	return nil
}

// Close stops the loop (without syncing anything more: what was
// acknowledged is already durable) and closes the transport. It does not
// close the store, which the caller owns.
func (n *Node) Close() error {
	n.mu.Lock()
	started := n.started
	select {
	case <-n.stop:
	default:
		close(n.stop)
	}
	n.mu.Unlock()
	if started {
		<-n.done
		<-n.app.done // no write may land after Close returns
		n.snapWG.Wait()
	} else {
		n.finish(ErrStopped)
	}
	if n.tr != nil {
		return n.tr.Close()
	}
	return nil
}

// Err returns why the loop ended (ErrStopped after Close), or nil while it
// runs.
func (n *Node) Err() error {
	select {
	case <-n.done:
		return n.err
	default:
		return nil
	}
}

// Iterations returns how many loop iterations handled Ready state (fsyncs
// are counted by Fsyncs: the appender batches the work of many iterations).
func (n *Node) Iterations() uint64 { return n.iters.Load() }

// Group returns the group with the given id.
func (n *Node) Group(id uint64) (*Group, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	g, ok := n.groups[id]
	return g, ok
}

// AddGroup starts this node's replica of group id with state machine sm. A
// group already in the store restarts from it (state machine restored from
// the snapshot, committed entries replayed); a new one is created with the
// given voters (one per zone) as its initial configuration, or, with no
// voters, as an empty replica that waits to be added by the leader (see
// JoinGroup).
func (n *Node) AddGroup(ctx context.Context, id uint64, voters []uint64, sm StateMachine) (*Group, error) {
	return n.addGroup(ctx, id, voters, sm, false)
}

// AddGroupWithState is AddGroup for a group born with state, such as a
// child of a partition split: when the group is new, sm's current image
// (sm.Snapshot) becomes the group's durable initial state, so every replica
// that creates the child from the same split starts identical and a restart
// restores it. When the group already exists in the store (a restart, or
// the split command replayed), the store wins and sm is restored from it.
// Call it from the goroutine that handles the split's result, not from
// inside StateMachine.Apply.
func (n *Node) AddGroupWithState(ctx context.Context, id uint64, voters []uint64, sm StateMachine) (*Group, error) {
	return n.addGroup(ctx, id, voters, sm, true)
}

func (n *Node) addGroup(ctx context.Context, id uint64, voters []uint64, sm StateMachine, withState bool) (*Group, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	_, exists := n.groups[id]
	n.mu.Unlock()
	if exists {
		return nil, fmt.Errorf("replica: group %d already on node %d", id, n.opts.ID)
	}
	st, ok := n.store.Group(id)
	if !ok {
		if len(voters) > 0 && !slices.Contains(voters, n.opts.ID) {
			return nil, fmt.Errorf("replica: node %d is not a voter of new group %d %v", n.opts.ID, id, voters)
		}
		var data []byte
		if withState {
			image, err := sm.Snapshot()
			if err != nil {
				return nil, fmt.Errorf("replica: group %d initial state: %w", id, err)
			}
			data = encodeSnapshot(newDedup(n.opts.DedupWindow), image)
		}
		var err error
		if st, err = n.store.CreateGroupWithData(id, &pb.ConfState{Voters: slices.Clone(voters)}, data); err != nil {
			return nil, fmt.Errorf("replica: create group %d: %w", id, err)
		}
	}
	g := &Group{id: id, node: n, st: st, sm: sm, pending: map[RequestID]*proposal{}, reads: map[uint64]*readReq{},
		lastHeard: map[uint64]uint64{}}
	snap, err := st.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("replica: group %d snapshot: %w", id, err)
	}
	if err := g.restore(snap); err != nil {
		return nil, err
	}
	cfg := &raft.Config{
		ID:              n.opts.ID,
		ElectionTick:    n.opts.ElectionTicks,
		HeartbeatTick:   n.opts.HeartbeatTicks,
		Storage:         st,
		Applied:         g.applied,
		MaxSizePerMsg:   n.opts.MaxSizePerMsg,
		MaxInflightMsgs: n.opts.MaxInflightMsgs,
		CheckQuorum:     true,
		PreVote:         true,
		ReadOnlyOption:  readOnlyOption(n.opts.LeaseReads),
		// Proposals are only accepted by the leader, which answers them;
		// a follower returns NotLeader with a hint instead of forwarding.
		DisableProposalForwarding: true,
		// The loop hands disk writes to the appender and goes on (see
		// handleReady); raft releases acknowledgements only once they are
		// durable.
		AsyncStorageWrites: true,
		StepDownOnRemoval:  true,
		Logger:             raftLogger{n.log.With("group", id)},
	}
	rn, err := raft.NewRawNode(cfg)
	if err != nil {
		return nil, fmt.Errorf("replica: group %d: %w", id, err)
	}
	g.rn = rn
	g.publish()
	n.mu.Lock()
	if _, dup := n.groups[id]; dup {
		n.mu.Unlock()
		return nil, fmt.Errorf("replica: group %d already on node %d", id, n.opts.ID)
	}
	n.groups[id] = g
	n.mu.Unlock()
	n.signal()
	return g, nil
}

// Statuses returns the status of every group on the node, by group id, for
// an admin endpoint (leaders, terms, applied indexes, configuration).
func (n *Node) Statuses() []Status {
	n.mu.Lock()
	out := make([]Status, 0, len(n.groups))
	for _, g := range n.groups {
		out = append(out, g.Status())
	}
	n.mu.Unlock()
	slices.SortFunc(out, func(a, b Status) int { return int64cmp(a.Group, b.Group) })
	return out
}

// Fsyncs returns how many WAL fsyncs the node's store has issued.
func (n *Node) Fsyncs() uint64 { return n.store.Fsyncs() }

// JoinGroup starts an empty replica of an existing group on this node; the
// group's leader then adds it with Group.MoveReplica (or ChangeConf) and
// sends it a snapshot.
func (n *Node) JoinGroup(ctx context.Context, id uint64, sm StateMachine) (*Group, error) {
	return n.AddGroup(ctx, id, nil, sm)
}

// RemoveGroup stops this node's replica of group id and deletes its state
// (after the replica was moved away, or its partition split). Waiters get
// ErrStopped.
func (n *Node) RemoveGroup(ctx context.Context, id uint64) error {
	done := make(chan error, 1)
	err := n.submit(func() {
		n.mu.Lock()
		g, ok := n.groups[id]
		delete(n.groups, id)
		n.mu.Unlock()
		if !ok {
			done <- fmt.Errorf("replica: no group %d on node %d", id, n.opts.ID)
			return
		}
		g.removed = true
		g.failAll(ErrStopped, ErrStopped)
		done <- n.store.RemoveGroup(id)
	})
	if err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (n *Node) run() {
	ticks, stopTicker := n.opts.Clock.NewTicker(n.opts.TickInterval)
	defer stopTicker()
	n.mu.Lock()
	paused := n.startPaused
	n.mu.Unlock()
	for {
		for paused { // frozen: only thaw or stop
			select {
			case paused = <-n.pauseCh:
			case <-n.stop:
				n.finish(ErrStopped)
				return
			}
		}
		tick := false
		select {
		case <-n.stop:
			n.finish(ErrStopped)
			return
		case paused = <-n.pauseCh:
			continue
		case <-ticks:
			tick = true
		case <-n.wake:
		}
		n.mu.Lock()
		inbox, reqs, appended, failed, stale := n.inbox, n.reqs, n.appendedJobs, n.failErr, n.stale
		n.inbox, n.reqs, n.appendedJobs, n.stale = nil, nil, nil, nil
		groups := make([]*Group, 0, len(n.groups))
		for _, g := range n.groups {
			groups = append(groups, g)
		}
		byID := n.groups
		n.mu.Unlock()
		if failed != nil {
			n.finish(failed)
			return
		}
		slices.SortFunc(groups, func(a, b *Group) int { return int64cmp(a.id, b.id) })
		n.unpinWAL(byID, stale)
		if err := n.appended(appended); err != nil {
			n.log.Error("replica loop stopped", "err", err)
			n.finish(err)
			return
		}
		for _, in := range inbox {
			n.mu.Lock()
			g := byID[in.env.Group]
			n.mu.Unlock()
			if g != nil && !g.removed {
				g.heard(in.from)
				_ = g.rn.Step(in.env.Msg) // stale or foreign messages are dropped by raft
			}
		}
		if tick {
			n.ticks++
			for _, g := range groups {
				if !g.removed {
					g.rn.Tick()
					g.checkQuorum()
					g.publish()
				}
			}
		}
		for _, f := range reqs {
			f()
		}
		more, err := n.handleReady(groups)
		if err != nil {
			n.log.Error("replica loop stopped", "err", err)
			n.finish(err)
			return
		}
		if more {
			n.signal()
		}
	}
}

func readOnlyOption(lease bool) raft.ReadOnlyOption {
	if lease {
		return raft.ReadOnlyLeaseBased
	}
	return raft.ReadOnlySafe
}

// mix64 is the splitmix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func int64cmp(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// unpinWAL asks the groups that keep the oldest WAL segment alive to
// snapshot (the appender finds them after a Save: storage.Store.StaleGroups).
// Called on the loop.
func (n *Node) unpinWAL(byID map[uint64]*Group, stale []uint64) {
	for _, id := range stale {
		n.mu.Lock()
		g := byID[id]
		n.mu.Unlock()
		if g != nil && !g.removed {
			g.snapSoon = true
			if err := g.maybeSnapshot(); err != nil { // an idle group has no Ready to do it
				n.log.Warn("snapshot to free the WAL failed", "group", id, "err", err)
			}
		}
	}
}

// fail stops the node after a storage failure: the loop finishes with err.
func (n *Node) fail(err error) {
	n.mu.Lock()
	if n.failErr == nil {
		n.failErr = err
	}
	n.mu.Unlock()
	n.signal()
}

// finish ends the node: every waiter learns the outcome.
func (n *Node) finish(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-n.done:
		return
	default:
	}
	n.err = err
	for _, g := range n.groups {
		g.failAll(ErrStopped, ErrStopped)
	}
	close(n.done)
}
