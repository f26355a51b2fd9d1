package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ddbkit/ddbkit/reference/api"
	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/placement"
	"github.com/ddbkit/ddbkit/reference/replica"
	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/storage"
	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

// Unsafe are the engine's deliberately WRONG modes for negative controls
// (router.Unsafe plus conditions skipped at apply and lease reads). Off by
// default.
type Unsafe struct {
	router.Unsafe
	// SkipConditions ignores conditions when commands apply
	// (partition.State.UnsafeSkipConditions).
	SkipConditions bool
	// LeaseReads serves ConsistentRead from the leader's lease, without a
	// quorum round trip (replica.Options.LeaseReads): stale when the
	// leader's clock runs slow. It applies to every raft group of the node,
	// the catalog's included.
	LeaseReads bool
}

// Any reports whether some unsafe mode is on.
func (u Unsafe) Any() bool { return u.Unsafe.Any() || u.SkipConditions || u.LeaseReads }

// Options configure a Node.
type Options struct {
	ID   uint64
	Zone string
	// Members are the cluster's founding members, the same list on every
	// node for the life of the cluster: the voters of the catalog group and
	// the first placement ring. Nodes added later (see Join, AddMember) are
	// recorded in the catalog group.
	Members []placement.Node
	// Join makes this node one added to a running cluster (not a founder):
	// its catalog replica starts empty, as a learner the catalog's leader
	// adds once a node proposed the node's membership (AddMember).
	Join bool
	// Self is how other processes reach this node (Member.API, Member.Raft),
	// recorded with its membership: a node started with Join proposes its
	// own membership (AddMember) until the catalog group has it.
	Self Member
	// OnMembers is called (not on the raft loop) with the members whenever
	// they change, and once at start: a multi-process node points its raft
	// transport and internal RPCs at nodes that joined.
	OnMembers func([]Member)
	// FS and Dir locate the node's data (vfs.OS{} when FS is nil); NoSync
	// turns fsync off (benchmarks that say so only).
	FS     vfs.FS
	Dir    string
	NoSync bool
	// SyncHoldsP: storage.Options.SyncHoldsP.
	SyncHoldsP bool
	// Peers reaches the other nodes' internal endpoints.
	Peers router.Peers
	// Partitions is the number of partitions of a new table (default 4).
	Partitions int
	// Raft timing (replica.Options defaults when zero) and snapshots:
	// SnapshotEvery is the interval of node 1 (and 4, 7, ...); the nodes
	// of the other zones use 1.25× and 1.5× it, so that the replicas of a
	// partition do not all snapshot at once (see snapshotEvery).
	TickInterval  time.Duration
	ElectionTicks int
	SnapshotEvery uint64
	// Seed makes the node's random choices reproducible; ClientID is the
	// request-id client of this incarnation (random when zero: it must
	// differ between incarnations, or retried ids would collide).
	Seed     uint64
	ClientID uint64
	// RequestTimeout bounds a request at the router (5s when zero);
	// AttemptTimeout one attempt at one node before a retry (1s when zero).
	RequestTimeout time.Duration
	AttemptTimeout time.Duration
	// SplitBytes splits a partition whose data exceeds it (0: never; DynamoDB
	// splits at 10 GB); the leader checks every SplitCheck (1s when zero).
	SplitBytes int64
	SplitCheck time.Duration
	// SplitLoad splits a partition whose leader served more than SplitLoad
	// requests per second (reads and writes) throughout SplitLoadWindow
	// (10s when zero); 0 never splits for load. See load.go.
	SplitLoad       float64
	SplitLoadWindow time.Duration
	// MoveCheck is how often the movers look for replicas to move (250ms
	// when zero); MaxMoves bounds the moves in progress at once (2 when
	// zero). See mover.go.
	MoveCheck time.Duration
	MaxMoves  int
	// Now is the clock of load measurement (time.Now when nil).
	Now func() time.Time
	// Clock is the source of raft ticks (replica.RealClock when nil); an
	// in-process cluster gives each node a replica.RateClock to skew.
	Clock  replica.Clock
	Unsafe Unsafe
	Logger *slog.Logger
	// Auth checks the signature of every DynamoDB API request (nil: any
	// credentials pass); see api.Options.Auth.
	Auth api.Authenticator
	// ItemCollectionLimit is api.Options.ItemCollectionLimit (tests only;
	// 0: DynamoDB's 10 GB).
	ItemCollectionLimit int64
}

// Node is one storage node: its raft groups (the catalog group and the
// partition groups placed on it), its copy of the catalog derived from the
// catalog group, a router, and the HTTP handler serving the DynamoDB API,
// the internal RPCs and the admin endpoint.
type Node struct {
	o       Options
	log     *slog.Logger
	store   *storage.Store
	rn      *replica.Node
	meta    *metaMachine
	metaRep *router.Replica
	cat     *catalog.Catalog
	router  *router.Router
	handler http.Handler

	safe *router.Router // never in an unsafe mode: catalog, split freezes

	mu       sync.Mutex
	machines map[uint64]*partMachine // group -> local state machine
	started  map[uint64]bool         // groups added to rn
	info     map[uint64]groupInfo    // group -> table and range, split ones included
	learning map[uint64]bool         // groups joined here as a move's target, not voters yet
	moving   map[uint64]bool         // moves this node is carrying out, by group

	kick         chan struct{}
	moveKick     chan struct{}
	reconciledAt atomic.Uint64 // catalog index the last reconcile started from
	caughtUp     atomic.Bool   // the catalog caught up once (joinGate)
	splitKick    chan struct{}
	ctx          context.Context
	cancel       context.CancelFunc
	reconciled   sync.WaitGroup
}

// New opens the node's store and prepares its groups; call Start with a
// transport whose handler is Deliver.
func New(ctx context.Context, o Options) (*Node, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.FS == nil {
		o.FS = vfs.OS{}
	}
	if o.ClientID == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.ClientID = binary.LittleEndian.Uint64(b[:]) | 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SplitLoadWindow <= 0 {
		o.SplitLoadWindow = 10 * time.Second
	}
	ring, err := placement.New(o.Members, placement.Options{})
	if err != nil {
		return nil, fmt.Errorf("node: ring: %w", err)
	}
	if _, ok := ring.Node(placement.NodeID(o.ID)); !ok && !o.Join {
		return nil, fmt.Errorf("node: %d is not a member", o.ID)
	}
	st, err := storage.Open(ctx, storage.Options{FS: o.FS, Dir: o.Dir, NoSync: o.NoSync, SyncHoldsP: o.SyncHoldsP, Logger: o.Logger})
	if err != nil {
		return nil, fmt.Errorf("node %d: open store: %w", o.ID, err)
	}
	rn, err := replica.NewNode(replica.Options{ID: o.ID, Store: st, TickInterval: o.TickInterval,
		ElectionTicks: o.ElectionTicks, SnapshotEvery: snapshotEvery(o.SnapshotEvery, o.ID),
		Rand: mrand.New(mrand.NewPCG(o.Seed, o.ID)), Clock: o.Clock, LeaseReads: o.Unsafe.LeaseReads, Logger: o.Logger})
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("node %d: %w", o.ID, err)
	}
	n := &Node{o: o, log: o.Logger.With("node", o.ID), store: st, rn: rn,
		machines: map[uint64]*partMachine{}, started: map[uint64]bool{}, info: map[uint64]groupInfo{},
		learning: map[uint64]bool{}, moving: map[uint64]bool{},
		kick: make(chan struct{}, 1), splitKick: make(chan struct{}, 1), moveKick: make(chan struct{}, 1)}
	var all []uint64
	var founders []Member
	for _, m := range ring.Nodes() {
		founders = append(founders, Member{ID: uint64(m.ID), Zone: m.Zone})
		all = append(all, uint64(m.ID))
	}
	n.meta = newMetaMachine(founders, n.metaChanged)
	// The catalog's voters are the first founder of each zone: with every
	// node a voter, four nodes (two in one zone) would lose the catalog's
	// quorum with that zone. The others follow it as learners, added by its
	// leader (mover.go), as nodes that join do. A store that already has
	// the catalog group keeps its configuration.
	_, hadCatalog := st.Group(MetaGroup) // from an earlier start
	catalogVoters := catalogVotersOf(ring.Nodes())
	learner := o.Join || !slices.Contains(catalogVoters, o.ID)
	if learner {
		catalogVoters = nil // an empty replica, added by the catalog's leader
	}
	if _, err := rn.AddGroup(ctx, MetaGroup, catalogVoters, n.meta); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("node %d: catalog group: %w", o.ID, err)
	}
	n.router = router.New(router.Options{Local: n, Peers: o.Peers, Client: o.ClientID,
		Timeout: o.RequestTimeout, AttemptTimeout: o.AttemptTimeout, Unsafe: o.Unsafe.Unsafe, Logger: n.log,
		Reroute: n.reroute, Successors: n.successors})
	// The catalog group and split freezes never run in an unsafe mode.
	n.safe = router.New(router.Options{Local: n, Peers: o.Peers, Client: o.ClientID ^ 0x5afe,
		Timeout: o.RequestTimeout, Logger: n.log})
	n.metaRep = n.safe.Replica(MetaGroup, all)
	n.cat = catalog.New(catalog.Options{Partitions: o.Partitions, Replicas: n.replicaFor, OnChange: n.onChange})
	mux := http.NewServeMux()
	mux.Handle("/internal/", router.Handler(n))
	mux.HandleFunc("GET /admin/status", n.serveStatus)
	mux.HandleFunc("POST /admin/members", n.serveAddMember)
	n.caughtUp.Store(!learner || hadCatalog)
	mux.Handle("/", joinGate{n: n, h: freshCatalog{h: api.New(n.cat, api.Options{Logger: o.Logger, Auth: o.Auth, ItemCollectionLimit: o.ItemCollectionLimit}), sync: n.syncCatalog}})
	n.handler = mux
	return n, nil
}

// Start runs the node's raft loop over tr and the catalog reconciler.
func (n *Node) Start(tr transport.Transport) error {
	if err := n.rn.Start(tr); err != nil {
		return fmt.Errorf("node %d: %w", n.o.ID, err)
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.reconciled.Add(2)
	go n.reconcileLoop()
	go n.moverLoop()
	if n.o.Join {
		n.reconciled.Add(1)
		go n.joinSelf()
	}
	n.poke()
	return nil
}

// Close stops the node without syncing more (what was acknowledged is
// durable) and closes its store.
func (n *Node) Close() error {
	if n.cancel != nil {
		n.cancel()
		n.reconciled.Wait()
	}
	err := n.rn.Close()
	if errors.Is(err, replica.ErrStopped) {
		err = nil
	}
	if serr := n.store.Close(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// ID returns the node id (router.Local).
func (n *Node) ID() uint64 { return n.o.ID }

// Zone returns the node's zone.
func (n *Node) Zone() string { return n.o.Zone }

// Group returns this node's replica of a raft group (router.Local).
func (n *Node) Group(id uint64) (*replica.Group, bool) { return n.rn.Group(id) }

// State returns the partition state of a group held here (router.Local).
func (n *Node) State(group uint64) (*partition.State, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.started[group] || n.learning[group] {
		return nil, false
	}
	m, ok := n.machines[group]
	if !ok {
		return nil, false
	}
	m.load.add() // a read served here (load.go)
	return m.State, true
}

// Frozen reports whether the group's partition was frozen by a split
// (router.Local).
func (n *Node) Frozen(group uint64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	m, ok := n.machines[group]
	return ok && m.frozen.Load()
}

// Deliver is the transport handler.
func (n *Node) Deliver(from uint64, batch []transport.Envelope) { n.rn.Deliver(from, batch) }

// SetPaused freezes or thaws the node's loop (the transport pause hook).
func (n *Node) SetPaused(p bool) { n.rn.SetPaused(p) }

// Handler serves the DynamoDB API, /internal/* and /admin/status.
func (n *Node) Handler() http.Handler { return n.handler }

// Catalog returns the node's catalog.
func (n *Node) Catalog() *catalog.Catalog { return n.cat }

// Replicas returns the raft node (statuses, fsync counters).
func (n *Node) Replicas() *replica.Node { return n.rn }

// votersOf returns the current voters of partition part of table tableID,
// as recorded in the catalog group (one per zone).
func (n *Node) votersOf(tableID string, part int) []uint64 {
	return n.meta.votersOf(tableID, part)
}

// routeVoters are the nodes a router tries for partition part: its voters,
// and while a move is in progress the node it moves to (last), which may
// lead the group once it is promoted, before the move is recorded.
func (n *Node) routeVoters(tableID string, part int) []uint64 {
	v := n.votersOf(tableID, part)
	if mv, ok := n.meta.moveOf(GroupID(tableID, part)); ok && !slices.Contains(v, mv.To) {
		v = append(v, mv.To)
	}
	return v
}

// machine returns the local state machine of a group, creating it.
func (n *Node) machine(group uint64, schema partition.KeySchema) *partMachine {
	n.mu.Lock()
	defer n.mu.Unlock()
	m, ok := n.machines[group]
	if !ok {
		m = &partMachine{Machine: partition.NewMachine(schema), onFreeze: n.poke}
		if n.o.SplitLoad > 0 {
			m.load = newLoadMeter(n.o.SplitLoadWindow, n.o.Now)
		}
		if n.o.Unsafe.SkipConditions {
			m.State.UnsafeSkipConditions()
		}
		n.machines[group] = m
	}
	return m
}

// replicaFor is the catalog's ReplicaFactory: a router replica for every
// partition, plus a local state machine when this node is a voter.
func (n *Node) replicaFor(t *catalog.Table, p *catalog.Partition) (partition.Replica, error) {
	gid := GroupID(t.ID, p.ID)
	if slices.Contains(n.votersOf(t.ID, p.ID), n.o.ID) {
		p.State = n.machine(gid, t.Schema).State
	}
	return n.router.Replica(gid, n.routeVoters(t.ID, p.ID)), nil
}

// metaTimeout bounds a catalog change (the catalog's hook has no context).
const metaTimeout = 10 * time.Second

// onChange is the catalog's hook: a change made through the API is
// replicated through the catalog group before it is acknowledged; a change
// the reconciler makes to match the catalog group is already there.
func (n *Node) onChange(kind string, t *catalog.Table) error {
	cur, ok := n.meta.encoded(t.Name)
	switch kind {
	case "delete":
		if !ok || !sameID(cur, t.ID) {
			return nil
		}
	default:
		enc, err := encodeTable(t)
		if err != nil {
			return fmt.Errorf("node: encode table: %w", err)
		}
		if ok && string(enc) == string(cur) {
			return nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	err := n.proposeMeta(ctx, metaCmd{Kind: kind, Table: t})
	if err == nil {
		// The change is committed; wait until this node's copy has it, so
		// that the reconciler never mistakes the new table for a stray one
		// and the next request here sees it.
		err = n.metaRep.Sync(ctx)
	}
	if err != nil {
		n.poke() // the local catalog may now differ from the replicated one
	}
	return err
}

func (n *Node) poke() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// catalogVotersOf returns the catalog group's voters among the founders:
// the founder with the lowest id in each zone.
func catalogVotersOf(founders []placement.Node) []uint64 {
	seen := map[string]bool{}
	var out []uint64
	for _, f := range founders { // sorted by id
		if !seen[f.Zone] {
			seen[f.Zone] = true
			out = append(out, uint64(f.ID))
		}
	}
	return out
}

// proposeMeta replicates a change of the catalog through its raft group and
// returns once it applied (with the command's own error, if any).
func (n *Node) proposeMeta(ctx context.Context, cmd metaCmd) error {
	b, err := jsonMarshal(cmd)
	if err != nil {
		return err
	}
	resp, err := n.metaRep.ProposeBytes(ctx, b)
	if err != nil {
		return err
	}
	return resp.Err.Error()
}
