package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ddbkit/ddbkit/reference/api"
	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/placement"
	"github.com/ddbkit/ddbkit/reference/replica"
	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

// Options configure an in-process cluster.
type Options struct {
	// Nodes is the number of storage nodes (at least 3), in zones az1..az3
	// round-robin.
	Nodes int
	// Seed drives every random choice of the cluster and its network.
	Seed uint64
	// Dir, when set, keeps node i's data in Dir/n<i> on the real disk;
	// empty means an in-memory disk per node that can lose unsynced writes.
	Dir string
	// NoSync turns fsync off (only for benchmarks that say so).
	NoSync bool
	// SyncHoldsP: storage.Options.SyncHoldsP, for every node.
	SyncHoldsP bool
	// Addr is the front URL's listen address (127.0.0.1:0 when empty).
	// Node i listens on NodeAddrs[i-1] when given, else 127.0.0.1:0.
	Addr      string
	NodeAddrs []string
	// Partitions per new table (default 4).
	Partitions int
	// Raft timing (replica.Options defaults when zero: 10ms ticks, 50-tick
	// elections).
	TickInterval  time.Duration
	ElectionTicks int
	SnapshotEvery uint64
	// RequestTimeout bounds a request inside the engine (5s when zero);
	// AttemptTimeout one attempt at one node before the router retries
	// (1s when zero).
	RequestTimeout time.Duration
	AttemptTimeout time.Duration
	// SplitBytes splits partitions larger than this (0: never), checked
	// every SplitCheck (1s when zero).
	SplitBytes int64
	SplitCheck time.Duration
	// SplitLoad splits partitions whose leader serves more than this many
	// requests per second throughout SplitLoadWindow (0: never; see
	// node.Options).
	SplitLoad       float64
	SplitLoadWindow time.Duration
	// MoveCheck is how often nodes look for replicas to move to added nodes
	// (250ms when zero).
	MoveCheck time.Duration
	Unsafe    node.Unsafe
	Logger    *slog.Logger
	// Auth checks the signature of every DynamoDB API request on every
	// node (nil: any credentials pass).
	Auth api.Authenticator
	// ItemCollectionLimit is node.Options.ItemCollectionLimit (tests only).
	ItemCollectionLimit int64
}

// Cluster is a running in-process cluster.
type Cluster struct {
	o      Options
	log    *slog.Logger
	net    *transport.Network
	faults faults
	// founders are the first Options.Nodes nodes (node.Options.Members).
	founders []placement.Node

	mu  sync.Mutex
	rng *rand.Rand

	// The node slots, founders and nodes added by AddNode (ids 1..N).
	addMu  sync.Mutex // AddNode
	topoMu sync.RWMutex
	ids    []uint64
	nodes  map[uint64]*member
	zones  map[uint64]string

	front   *http.Server
	frontLn net.Listener
	served  chan error
	rr      atomic.Uint64
}

// member is one node slot: its disk and its clock survive crashes, its
// node and listener do not.
type member struct {
	id     uint64
	zone   string
	joined bool // added by AddNode (not a founder)
	fs     vfs.FS
	dir    string
	addr   string
	clock  *replica.RateClock // the node's raft ticks (SetClockRate)

	mu      sync.Mutex
	node    *node.Node
	srv     *http.Server
	ln      net.Listener
	paused  bool
	resumed chan struct{} // closed on Resume
}

// Start builds and starts the cluster.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if o.Nodes < 3 {
		return nil, fmt.Errorf("cluster: need at least 3 nodes, got %d", o.Nodes)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	c := &Cluster{o: o, log: o.Logger, net: transport.NewNetwork(transport.NetworkOptions{Seed: o.Seed}),
		zones: map[uint64]string{}, rng: rand.New(rand.NewPCG(o.Seed, 0xc1)), nodes: map[uint64]*member{},
		served: make(chan error, 1)}
	for i := 1; i <= o.Nodes; i++ {
		id := uint64(i)
		zone := fmt.Sprintf("az%d", (i-1)%3+1)
		c.founders = append(c.founders, placement.Node{ID: placement.NodeID(id), Zone: zone})
		c.addSlot(id, zone, false)
	}
	for id := uint64(1); id <= uint64(o.Nodes); id++ {
		if err := c.startNode(ctx, id); err != nil {
			c.Close()
			return nil, err
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Addr)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("cluster: listen %s: %w", o.Addr, err)
	}
	c.frontLn = ln
	c.front = &http.Server{Handler: http.HandlerFunc(c.serveFront), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)}
	go func() { c.served <- c.front.Serve(ln) }()
	return c, nil
}

// addSlot adds node slot id: its disk (Options.Dir/n<id> or in memory) and
// its address.
func (c *Cluster) addSlot(id uint64, zone string, joined bool) *member {
	m := &member{id: id, zone: zone, joined: joined, addr: "127.0.0.1:0", dir: "/data", clock: replica.NewRateClock()}
	if i := int(id) - 1; i < len(c.o.NodeAddrs) && c.o.NodeAddrs[i] != "" {
		m.addr = c.o.NodeAddrs[i]
	}
	if c.o.Dir != "" {
		m.fs, m.dir = vfs.OS{}, filepath.Join(c.o.Dir, fmt.Sprintf("n%d", id))
	} else {
		m.fs = vfs.NewCrashable()
	}
	c.topoMu.Lock()
	c.nodes[id], c.zones[id] = m, zone
	c.ids = append(c.ids, id)
	c.topoMu.Unlock()
	return m
}

// member returns node slot id (nil when there is none).
func (c *Cluster) member(id uint64) *member {
	c.topoMu.RLock()
	defer c.topoMu.RUnlock()
	return c.nodes[id]
}

// zoneMap returns a copy of the zones by node.
func (c *Cluster) zoneMap() map[uint64]string {
	c.topoMu.RLock()
	defer c.topoMu.RUnlock()
	out := make(map[uint64]string, len(c.zones))
	for id, z := range c.zones {
		out[id] = z
	}
	return out
}

// startNode opens node id from its disk, joins the network and serves.
func (c *Cluster) startNode(ctx context.Context, id uint64) error {
	m := c.member(id)
	c.mu.Lock()
	seed, client := c.rng.Uint64(), c.rng.Uint64()|1
	c.mu.Unlock()
	n, err := node.New(ctx, node.Options{ID: id, Zone: m.zone, Members: c.founders, Join: m.joined, FS: m.fs, Dir: m.dir,
		NoSync: c.o.NoSync, SyncHoldsP: c.o.SyncHoldsP, Peers: peers{c: c, from: id}, Partitions: c.o.Partitions,
		TickInterval: c.o.TickInterval, ElectionTicks: c.o.ElectionTicks, SnapshotEvery: c.o.SnapshotEvery,
		Seed: seed, ClientID: client, RequestTimeout: c.o.RequestTimeout, AttemptTimeout: c.o.AttemptTimeout, Unsafe: c.o.Unsafe, Logger: c.log,
		SplitBytes: c.o.SplitBytes, SplitCheck: c.o.SplitCheck, SplitLoad: c.o.SplitLoad, SplitLoadWindow: c.o.SplitLoadWindow,
		MoveCheck: c.o.MoveCheck, Clock: m.clock, Auth: c.o.Auth, ItemCollectionLimit: c.o.ItemCollectionLimit})
	if err != nil {
		return err
	}
	tr, err := c.net.Join(id, transport.JoinOptions{Zone: m.zone, Handler: n.Deliver, Pause: n.SetPaused})
	if err != nil {
		_ = n.Close()
		return fmt.Errorf("cluster: node %d: join: %w", id, err)
	}
	if err := n.Start(tr); err != nil {
		_ = n.Close()
		return err
	}
	var lc net.ListenConfig
	var ln net.Listener
	for try := 0; ; try++ { // a restarted node takes its old port back
		ln, err = lc.Listen(ctx, "tcp", m.addr)
		if err == nil || try == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		_ = n.Close()
		return fmt.Errorf("cluster: node %d: listen %s: %w", id, m.addr, err)
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(c.log.Handler(), slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	m.mu.Lock()
	m.node, m.srv, m.ln, m.addr = n, srv, ln, ln.Addr().String()
	m.paused, m.resumed = false, nil
	m.mu.Unlock()
	return nil
}

// ServeHTTP serves a node's port: requests wait while the node is paused.
func (m *member) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := m.wait(r.Context())
	if n == nil {
		http.Error(w, "node down", http.StatusServiceUnavailable)
		return
	}
	n.Handler().ServeHTTP(w, r)
}

// wait returns the running node once it is not paused (nil when down or
// ctx ended).
func (m *member) wait(ctx context.Context) *node.Node {
	for {
		m.mu.Lock()
		n, paused, ch := m.node, m.paused, m.resumed
		m.mu.Unlock()
		if n == nil || !paused {
			return n
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil
		}
	}
}

func (m *member) running() *node.Node {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.node
}

// serveFront hands each request to the next live, unpaused node.
func (c *Cluster) serveFront(w http.ResponseWriter, r *http.Request) {
	k := c.rr.Add(1)
	ids := c.NodeIDs()
	for i := uint64(0); i < uint64(len(ids)); i++ {
		m := c.member(ids[(k+i)%uint64(len(ids))])
		m.mu.Lock()
		ok := m.node != nil && !m.paused
		m.mu.Unlock()
		if ok {
			m.ServeHTTP(w, r)
			return
		}
	}
	http.Error(w, "no node is up", http.StatusServiceUnavailable)
}

// URL is the front endpoint: any live node serves each request.
func (c *Cluster) URL() string { return "http://" + c.frontLn.Addr().String() }

// NodeURL is node id's own endpoint.
func (c *Cluster) NodeURL(id uint64) string {
	m := c.member(id)
	m.mu.Lock()
	defer m.mu.Unlock()
	return "http://" + m.addr
}

// NodeIDs returns the node ids, 1..N (nodes added by AddNode included).
func (c *Cluster) NodeIDs() []uint64 {
	c.topoMu.RLock()
	defer c.topoMu.RUnlock()
	return slices.Clone(c.ids)
}

// Zone returns node id's zone.
func (c *Cluster) Zone(id uint64) string {
	c.topoMu.RLock()
	defer c.topoMu.RUnlock()
	return c.zones[id]
}

// Node returns the running node id (nil when crashed or unknown).
func (c *Cluster) Node(id uint64) *node.Node {
	m := c.member(id)
	if m == nil {
		return nil
	}
	return m.running()
}

// Network returns the in-process network (stats, finer faults).
func (c *Cluster) Network() *transport.Network { return c.net }

// Close stops every node and the front listener.
func (c *Cluster) Close() error {
	var errs []error
	if c.front != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = c.front.Shutdown(ctx)
		cancel()
		if err := <-c.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		c.front = nil
	}
	for _, id := range c.NodeIDs() {
		errs = append(errs, c.stopNode(id))
	}
	return errors.Join(errs...)
}

// stopNode stops node id's server and node (its disk stays).
func (c *Cluster) stopNode(id uint64) error {
	m := c.member(id)
	m.mu.Lock()
	n, srv := m.node, m.srv
	m.node, m.srv, m.ln = nil, nil, nil
	if m.paused {
		m.paused = false
		close(m.resumed)
	}
	m.mu.Unlock()
	if n == nil {
		return nil
	}
	if srv != nil {
		_ = srv.Close()
	}
	return n.Close()
}

// Addr is the front listener's address.
func (c *Cluster) Addr() net.Addr { return c.frontLn.Addr() }
