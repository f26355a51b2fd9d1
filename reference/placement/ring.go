package placement

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"

	"github.com/ddbkit/ddbkit/reference/value"
)

// NodeID names a storage node. It is also the node's raft replica id, so it
// is never zero.
type NodeID uint64

// Node is a member of the ring.
type Node struct {
	ID   NodeID
	Zone string
}

// DefaultVNodes is the number of virtual nodes per storage node when
// Options.VNodes is zero. More virtual nodes spread load more evenly at the
// cost of a larger ring.
const DefaultVNodes = 128

// Options configure a Ring.
type Options struct {
	VNodes int // virtual nodes per storage node; DefaultVNodes when zero
}

// vnode is one point of the ring.
type vnode struct {
	token uint64
	node  NodeID
}

// Ring is an immutable zone-aware consistent-hash ring. Build a new one with
// New (or With/Without) when membership changes.
type Ring struct {
	vnodes []vnode // sorted by token, then node id
	nodes  map[NodeID]Node
	zones  []string // sorted
	opts   Options
}

// New builds a ring from the given nodes. Node ids must be distinct and
// non-zero, and every node must name a zone.
func New(nodes []Node, opts Options) (*Ring, error) {
	if opts.VNodes <= 0 {
		opts.VNodes = DefaultVNodes
	}
	r := &Ring{nodes: make(map[NodeID]Node, len(nodes)), opts: opts}
	zones := map[string]bool{}
	for _, n := range nodes {
		if n.ID == 0 {
			return nil, fmt.Errorf("placement: node id 0 is reserved")
		}
		if n.Zone == "" {
			return nil, fmt.Errorf("placement: node %d has no zone", n.ID)
		}
		if _, dup := r.nodes[n.ID]; dup {
			return nil, fmt.Errorf("placement: duplicate node id %d", n.ID)
		}
		r.nodes[n.ID] = n
		zones[n.Zone] = true
		for i := 0; i < opts.VNodes; i++ {
			r.vnodes = append(r.vnodes, vnode{token: vnodeToken(n.ID, i), node: n.ID})
		}
	}
	for z := range zones {
		r.zones = append(r.zones, z)
	}
	sort.Strings(r.zones)
	slices.SortFunc(r.vnodes, func(a, b vnode) int {
		if c := cmp.Compare(a.token, b.token); c != 0 {
			return c
		}
		return cmp.Compare(a.node, b.node)
	})
	return r, nil
}

// vnodeToken is the stable position of virtual node i of a node: FNV-1a of
// (id, i), finished with a 64-bit mixer so that consecutive ids spread out.
func vnodeToken(id NodeID, i int) uint64 {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(id))
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	h := fnv.New64a()
	_, _ = h.Write(b[:])
	return value.Mix64(h.Sum64())
}

// Nodes returns the members sorted by id.
func (r *Ring) Nodes() []Node {
	out := make([]Node, 0, len(r.nodes))
	for _, n := range r.nodes {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Node) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Zones returns the distinct zones, sorted.
func (r *Ring) Zones() []string { return slices.Clone(r.zones) }

// Node returns the member with the given id.
func (r *Ring) Node(id NodeID) (Node, bool) {
	n, ok := r.nodes[id]
	return n, ok
}

// With returns a new ring with n added.
func (r *Ring) With(n Node) (*Ring, error) {
	return New(append(r.Nodes(), n), r.opts)
}

// Without returns a new ring with the node id removed.
func (r *Ring) Without(id NodeID) (*Ring, error) {
	nodes := slices.DeleteFunc(r.Nodes(), func(n Node) bool { return n.ID == id })
	return New(nodes, r.opts)
}

// Place returns the replicas of the partition whose token is given: walking
// clockwise from token (inclusive), the first node of each zone not yet used.
// The result has one node per zone, in walk order, so its first element is
// the natural preferred leader. It is empty for an empty ring.
func (r *Ring) Place(token uint64) []NodeID {
	if len(r.vnodes) == 0 {
		return nil
	}
	start := sort.Search(len(r.vnodes), func(i int) bool { return r.vnodes[i].token >= token })
	out := make([]NodeID, 0, len(r.zones))
	used := make(map[string]bool, len(r.zones))
	for i := 0; i < len(r.vnodes) && len(out) < len(r.zones); i++ {
		v := r.vnodes[(start+i)%len(r.vnodes)]
		z := r.nodes[v.node].Zone
		if used[z] {
			continue
		}
		used[z] = true
		out = append(out, v.node)
	}
	return out
}
