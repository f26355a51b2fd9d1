package transport

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// NetworkOptions configure an in-process Network.
type NetworkOptions struct {
	// Seed seeds the random source of loss and delay decisions.
	Seed uint64
	// AfterFunc schedules delayed deliveries; time.AfterFunc when nil.
	AfterFunc func(d time.Duration, f func())
	// Queued delivers through a bounded queue and a delivery goroutine per
	// node (for handlers that may block). By default a batch is handed to
	// its destination's handler from Send itself: handlers must not block
	// and must not call the Network (a replica node's Deliver only queues
	// for its loop). Direct delivery saves a goroutine hop per message,
	// which under load was a large part of a write's latency (two hops per
	// round trip on a busy 2-core machine).
	Queued bool
	// QueueLen bounds each node's inbound queue (batches) when Queued;
	// beyond it batches are dropped, as a congested link would. 4096 when
	// zero.
	QueueLen int
}

// Network is an in-process network with fault injection. The decisions it
// draws (loss, delay) come from one seeded source, so a run is reproducible
// as far as the goroutine schedule of its users allows.
type Network struct {
	mu       sync.Mutex
	opts     NetworkOptions
	rng      *rand.Rand
	nodes    map[uint64]*endpoint
	zoneSide map[string]int     // zone -> side of a zone partition; absent = side 0
	nodeSide map[uint64]int     // node -> side of a node partition; absent = side 0
	isolated map[uint64]bool    // node cut from everyone
	cut      map[[2]uint64]bool // directed links that drop everything
	dropP    float64            // probability a batch is lost
	delayP   float64            // probability a batch is delayed
	delayMax time.Duration      // delays are uniform in (0, delayMax]
	stats    netStats
}

type endpoint struct {
	net     *Network
	id      uint64
	zone    string
	handler Handler
	pause   func(paused bool)
	inbox   chan delivery
	held    []delivery // inbound batches while paused
	paused  bool
	closed  bool
	done    chan struct{}
}

type delivery struct {
	from  uint64
	batch []Envelope
}

// NewNetwork returns an empty network.
func NewNetwork(opts NetworkOptions) *Network {
	if opts.AfterFunc == nil {
		opts.AfterFunc = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = 4096
	}
	return &Network{
		opts:     opts,
		rng:      rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		nodes:    map[uint64]*endpoint{},
		zoneSide: map[string]int{},
		nodeSide: map[uint64]int{},
		isolated: map[uint64]bool{},
		cut:      map[[2]uint64]bool{},
	}
}

// JoinOptions describe a node joining the network.
type JoinOptions struct {
	Zone    string
	Handler Handler
	// Pause, when set, is called with true when the node is paused and false
	// when it resumes, so the node can freeze its loop.
	Pause func(paused bool)
}

// Join attaches node id and returns its transport. A node that Joins again
// (after a crash and restart) replaces its old endpoint.
func (n *Network) Join(id uint64, opts JoinOptions) (Transport, error) {
	if opts.Handler == nil {
		return nil, fmt.Errorf("transport: node %d joins without a handler", id)
	}
	n.mu.Lock()
	if old, ok := n.nodes[id]; ok {
		n.closeLocked(old)
	}
	ep := &endpoint{net: n, id: id, zone: opts.Zone, handler: opts.Handler, pause: opts.Pause,
		inbox: make(chan delivery, n.opts.QueueLen), done: make(chan struct{})}
	n.nodes[id] = ep
	n.mu.Unlock()
	go ep.run()
	return ep, nil
}

func (ep *endpoint) run() {
	for {
		select {
		case d := <-ep.inbox:
			ep.handler(d.from, d.batch)
		case <-ep.done:
			return
		}
	}
}

// Send implements Transport.
func (ep *endpoint) Send(to uint64, batch []Envelope) {
	if len(batch) == 0 {
		return
	}
	ep.net.send(ep, to, batch)
}

// Close implements Transport: the node leaves the network (a crash, from
// the others' point of view).
func (ep *endpoint) Close() error {
	ep.net.mu.Lock()
	defer ep.net.mu.Unlock()
	if ep.net.nodes[ep.id] == ep {
		delete(ep.net.nodes, ep.id)
	}
	ep.net.closeLocked(ep)
	return nil
}

func (n *Network) closeLocked(ep *endpoint) {
	if !ep.closed {
		ep.closed = true
		close(ep.done)
	}
}

// linkUpLocked reports whether from can currently reach to.
func (n *Network) linkUpLocked(from, to *endpoint) bool {
	if n.isolated[from.id] || n.isolated[to.id] || n.cut[[2]uint64{from.id, to.id}] {
		return false
	}
	return n.zoneSide[from.zone] == n.zoneSide[to.zone] && n.nodeSide[from.id] == n.nodeSide[to.id]
}

func (n *Network) send(from *endpoint, to uint64, batch []Envelope) {
	n.mu.Lock()
	defer n.mu.Unlock()
	dst, ok := n.nodes[to]
	if !ok || from.closed || from.paused || !n.linkUpLocked(from, dst) {
		n.stats.dropped++
		return
	}
	if n.dropP > 0 && n.rng.Float64() < n.dropP {
		n.stats.dropped++
		return
	}
	d := delivery{from: from.id, batch: batch}
	if n.delayP > 0 && n.delayMax > 0 && n.rng.Float64() < n.delayP {
		delay := time.Duration(1 + n.rng.Int64N(int64(n.delayMax)))
		n.stats.delayed++
		n.opts.AfterFunc(delay, func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			if cur, ok := n.nodes[to]; ok && cur == dst {
				n.deliverLocked(dst, d)
			}
		})
		return
	}
	n.deliverLocked(dst, d)
}

func (n *Network) deliverLocked(dst *endpoint, d delivery) {
	if dst.closed {
		n.stats.dropped++
		return
	}
	if dst.paused {
		dst.held = append(dst.held, d)
		n.stats.held++
		return
	}
	if !n.opts.Queued {
		dst.handler(d.from, d.batch)
		n.stats.delivered++
		return
	}
	select {
	case dst.inbox <- d:
		n.stats.delivered++
	default:
		n.stats.dropped++
	}
}

// PartitionZones splits the network: nodes in zones of different sides
// cannot talk. Zones not named are on side 0 with the first list.
// PartitionZones([]string{"az1","az2"}, []string{"az3"}) cuts az3 away.
func (n *Network) PartitionZones(sides ...[]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.zoneSide = map[string]int{}
	for i, zones := range sides {
		for _, z := range zones {
			n.zoneSide[z] = i
		}
	}
}

// PartitionNodes splits the network by node: nodes on different sides
// cannot talk. Nodes not named are on side 0 with the first list. It
// composes with PartitionZones (both must allow a link).
func (n *Network) PartitionNodes(sides ...[]uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nodeSide = map[uint64]int{}
	for i, ids := range sides {
		for _, id := range ids {
			n.nodeSide[id] = i
		}
	}
}

// Isolate cuts node id from every other node.
func (n *Network) Isolate(id uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.isolated[id] = true
}

// Cut drops everything sent from node a to node b (one direction).
func (n *Network) Cut(a, b uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[[2]uint64{a, b}] = true
}

// SetLoss makes each batch be lost with probability p.
func (n *Network) SetLoss(p float64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dropP = p
}

// SetDelay delays each batch with probability p by a uniform time in
// (0, max], which also reorders messages.
func (n *Network) SetDelay(p float64, max time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delayP, n.delayMax = p, max
}

// Pause freezes node id: its inbound batches are held (not lost) until
// Resume, it sends nothing, and its Pause hook freezes its loop — like
// SIGSTOP on a process.
func (n *Network) Pause(id uint64) {
	n.mu.Lock()
	ep, ok := n.nodes[id]
	if !ok || ep.paused {
		n.mu.Unlock()
		return
	}
	ep.paused = true
	hook := ep.pause
	n.mu.Unlock()
	if hook != nil {
		hook(true)
	}
}

// Resume undoes Pause and delivers the held batches.
func (n *Network) Resume(id uint64) {
	n.mu.Lock()
	ep, ok := n.nodes[id]
	if !ok || !ep.paused {
		n.mu.Unlock()
		return
	}
	ep.paused = false
	held := ep.held
	ep.held = nil
	for _, d := range held {
		n.deliverLocked(ep, d)
	}
	hook := ep.pause
	n.mu.Unlock()
	if hook != nil {
		hook(false)
	}
}

// Heal removes every fault: partitions, isolation, cuts, loss, delay and
// pauses.
func (n *Network) Heal() {
	n.mu.Lock()
	n.zoneSide = map[string]int{}
	n.nodeSide = map[uint64]int{}
	n.isolated = map[uint64]bool{}
	n.cut = map[[2]uint64]bool{}
	n.dropP, n.delayP, n.delayMax = 0, 0, 0
	var paused []uint64
	for id, ep := range n.nodes {
		if ep.paused {
			paused = append(paused, id)
		}
	}
	n.mu.Unlock()
	for _, id := range paused {
		n.Resume(id)
	}
}

// netStats counts batches.
type netStats struct{ delivered, dropped, delayed, held uint64 }

// Stats returns counters of batches: delivered, dropped, delayed, held.
func (n *Network) Stats() map[string]uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return map[string]uint64{"delivered": n.stats.delivered, "dropped": n.stats.dropped,
		"delayed": n.stats.delayed, "held": n.stats.held}
}
