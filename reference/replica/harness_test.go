package replica

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/storage"
	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

const testGroup = 1

// Nodes 1-3 are the group's initial voters; node 4 (az1) joins later in
// membership tests.
var testZones = map[uint64]string{1: "az1", 2: "az2", 3: "az3", 4: "az1"}

// harness is a 3-node, 3-zone in-process cluster with one group, crashable
// disks and a seeded fault network.
type harness struct {
	t      *testing.T
	rng    *rand.Rand
	net    *transport.Network
	opts   Options
	mu     sync.Mutex
	fs     map[uint64]*vfs.Crashable
	nodes  map[uint64]*Node
	stores map[uint64]*storage.Store
	sms    map[uint64]*kv
	// onStart, when set, adds the node's groups instead of the default
	// testGroup (tests whose nodes carry other groups).
	onStart func(n *Node)
	// storeOpts are the stores' options (FS and Dir are the harness's).
	storeOpts storage.Options
	// asyncSnap makes the default state machines AsyncSnapshotters.
	asyncSnap bool
}

func newHarness(t *testing.T, seed uint64, mod func(*Options)) *harness {
	t.Helper()
	return newHarnessWith(t, seed, mod, nil)
}

// newHarnessWith is newHarness with setup applied to the harness before the
// nodes start (store options, onStart).
func newHarnessWith(t *testing.T, seed uint64, mod func(*Options), setup func(*harness)) *harness {
	t.Helper()
	opts := Options{TickInterval: 5 * time.Millisecond, ElectionTicks: 10, HeartbeatTicks: 1,
		SnapshotEvery: 1000, SnapshotKeep: 100}
	if mod != nil {
		mod(&opts)
	}
	h := &harness{t: t, rng: rand.New(rand.NewPCG(seed, 7)), net: transport.NewNetwork(transport.NetworkOptions{Seed: seed}),
		opts: opts, fs: map[uint64]*vfs.Crashable{}, nodes: map[uint64]*Node{}, stores: map[uint64]*storage.Store{}, sms: map[uint64]*kv{}}
	if setup != nil {
		setup(h)
	}
	for id := uint64(1); id <= 3; id++ {
		h.start(id)
	}
	t.Cleanup(func() {
		for id := range testZones {
			h.stop(id)
		}
	})
	return h
}

// start opens node id's store from its disk and runs it.
func (h *harness) start(id uint64) {
	h.t.Helper()
	ctx := context.Background()
	if h.fs[id] == nil {
		h.fs[id] = vfs.NewCrashable()
	}
	so := h.storeOpts
	so.FS, so.Dir = h.fs[id], "/data"
	st, err := storage.Open(ctx, so)
	if err != nil {
		h.t.Fatalf("node %d: open store: %v", id, err)
	}
	o := h.opts
	o.ID, o.Store = id, st
	o.Rand = rand.New(rand.NewPCG(h.rng.Uint64(), id))
	n, err := NewNode(o)
	if err != nil {
		h.t.Fatal(err)
	}
	sm := newKV()
	if h.onStart != nil {
		h.onStart(n)
	} else {
		var voters []uint64 // a new node joins empty
		if id <= 3 {
			voters = []uint64{1, 2, 3}
		}
		var m StateMachine = sm
		if h.asyncSnap {
			m = asyncKV{sm}
		}
		if _, err := n.AddGroup(ctx, testGroup, voters, m); err != nil {
			h.t.Fatalf("node %d: %v", id, err)
		}
	}
	tr, err := h.net.Join(id, transport.JoinOptions{Zone: testZones[id], Handler: n.Deliver, Pause: n.SetPaused})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := n.Start(tr); err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.nodes[id], h.stores[id] = n, st
	if h.onStart == nil { // else onStart keeps its own state machines
		h.sms[id] = sm
	}
	h.mu.Unlock()
}

func (h *harness) stop(id uint64) {
	h.mu.Lock()
	n, st := h.nodes[id], h.stores[id]
	delete(h.nodes, id)
	h.mu.Unlock()
	if n == nil {
		return
	}
	_ = n.Close()
	_ = st.Close()
}

// crash kills node id and loses its unsynced writes (keeping torn tails).
func (h *harness) crash(id uint64) {
	h.stop(id)
	h.fs[id].Crash(vfs.CrashOptions{Rand: h.rng})
}

func (h *harness) group(id uint64) *Group {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.nodes[id]
	if n == nil {
		return nil
	}
	g, _ := n.Group(testGroup)
	return g
}

func (h *harness) sm(id uint64) *kv {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sms[id]
}

// waitLeader waits until one of among leads with every other member of
// among following it, and returns it.
func (h *harness) waitLeader(among ...uint64) uint64 {
	h.t.Helper()
	if len(among) == 0 {
		among = []uint64{1, 2, 3}
	}
	var lead uint64
	h.eventually("a leader among "+fmt.Sprint(among), 10*time.Second, func() bool {
		lead = 0
		for _, id := range among {
			g := h.group(id)
			if g == nil {
				return false
			}
			if s := g.Status(); s.IsLeader {
				lead = id
			}
		}
		if lead == 0 {
			return false
		}
		for _, id := range among {
			if h.group(id).Status().Leader != lead {
				return false
			}
		}
		return true
	})
	return lead
}

func (h *harness) eventually(what string, timeout time.Duration, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// write proposes cmd under one request id, retrying at whichever of among
// leads until it is acknowledged or ctx ends.
func (h *harness) write(ctx context.Context, id RequestID, cmd string, among ...uint64) (kvResult, error) {
	if len(among) == 0 {
		among = []uint64{1, 2, 3}
	}
	var last error
	for i := 0; ctx.Err() == nil; i++ {
		target := among[i%len(among)]
		g := h.group(target)
		if g == nil { // crashed, restarting
			time.Sleep(time.Millisecond)
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		res, err := g.ProposeRequest(pctx, id, []byte(cmd))
		cancel()
		if err == nil {
			if r, ok := res.(kvResult); ok {
				return r, nil
			}
			if res == ErrAlreadyApplied {
				return kvResult{}, nil
			}
			return kvResult{}, fmt.Errorf("unexpected result %v", res)
		}
		last = err
		var nl *NotLeaderError
		if errors.As(err, &nl) && nl.Leader != 0 {
			for j, a := range among {
				if a == nl.Leader {
					i = j - 1
				}
			}
			continue
		}
		time.Sleep(time.Millisecond)
	}
	return kvResult{}, fmt.Errorf("write %q: %w (last: %v)", cmd, ctx.Err(), last)
}

// waitConverged waits until the replicas among have applied everything
// acknowledged so far (a read index on their leader sets the floor) and
// the same index, and returns their digests, which the caller compares.
func (h *harness) waitConverged(among ...uint64) map[uint64]string {
	h.t.Helper()
	var floor uint64
	h.eventually("a read index on the leader", 10*time.Second, func() bool {
		lead := h.waitLeader(among...)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		if h.group(lead).ReadIndex(ctx) != nil {
			return false
		}
		floor = h.group(lead).Status().Applied
		return true
	})
	digests := map[uint64]string{}
	h.eventually("replicas to converge", 10*time.Second, func() bool {
		var at uint64
		for i, id := range among {
			s := h.group(id).Status()
			if s.Applied < floor || s.Applied != s.Commit {
				return false
			}
			// The digest and the index it was taken at, atomically: the
			// loop may be applying a late commit while we read.
			applied, d := h.sm(id).DigestAt()
			if i == 0 {
				at = applied
			} else if applied != at {
				return false
			}
			digests[id] = d
		}
		return true
	})
	return digests
}

func zoneOf(id uint64) string { return testZones[id] }

func othersThan(id uint64) []uint64 {
	var out []uint64
	for o := uint64(1); o <= 3; o++ {
		if o != id {
			out = append(out, o)
		}
	}
	return out
}

func otherZones(id uint64) []string {
	var out []string
	for _, o := range othersThan(id) {
		out = append(out, testZones[o])
	}
	return out
}
