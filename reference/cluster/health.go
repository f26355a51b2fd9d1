package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/ddbkit/ddbkit/reference/node"
)

func randFrom(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x63726173)) }

// Healthy returns nil when every node is up and unpaused, every node
// knows the same tables, and every raft group (catalog and partitions) has
// a leader that serves and that all its live replicas follow.
func (c *Cluster) Healthy(context.Context) error {
	type view struct {
		leader  uint64
		leading bool
	}
	groups := map[uint64]map[uint64]view{} // group -> node -> view
	tables := map[uint64]string{}
	for _, id := range c.NodeIDs() {
		m := c.member(id)
		m.mu.Lock()
		n, paused := m.node, m.paused
		m.mu.Unlock()
		if n == nil {
			return fmt.Errorf("node %d is down", id)
		}
		if paused {
			return fmt.Errorf("node %d is paused", id)
		}
		tables[id] = fmt.Sprint(n.Catalog().Names())
		for _, st := range n.Replicas().Statuses() {
			if groups[st.Group] == nil {
				groups[st.Group] = map[uint64]view{}
			}
			groups[st.Group][id] = view{leader: st.Leader, leading: st.IsLeader}
		}
	}
	for _, id := range c.NodeIDs() {
		if tables[id] != tables[1] {
			return fmt.Errorf("node %d knows tables %s, node 1 %s", id, tables[id], tables[1])
		}
	}
	for g, views := range groups {
		var lead uint64
		for id, v := range views {
			if v.leading {
				lead = id
			}
		}
		if lead == 0 {
			return fmt.Errorf("group %d has no serving leader", g)
		}
		for id, v := range views {
			if v.leader != lead {
				return fmt.Errorf("group %d: node %d follows %d, leader is %d", g, id, v.leader, lead)
			}
		}
	}
	return nil
}

// WaitHealthy polls Healthy until it returns nil or ctx ends.
func (c *Cluster) WaitHealthy(ctx context.Context) error {
	var last error
	for {
		if last = c.Healthy(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: not healthy: %w (last: %w)", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ReplicaDigest is one replica's applied index and data digest.
type ReplicaDigest struct {
	Node    uint64
	Applied uint64
	Digest  string
}

// Digests returns, for every partition group, the digests of its replicas on
// the running nodes.
func (c *Cluster) Digests() map[uint64][]ReplicaDigest {
	out := map[uint64][]ReplicaDigest{}
	for _, id := range c.NodeIDs() {
		n := c.Node(id)
		if n == nil {
			continue
		}
		for _, t := range n.Status(true).Tables {
			for _, p := range t.Partitions {
				if p.Local != nil {
					out[p.Group] = append(out[p.Group], ReplicaDigest{Node: id, Applied: p.Local.Applied, Digest: p.Local.Digest})
				}
			}
		}
	}
	for _, ds := range out {
		sort.Slice(ds, func(i, j int) bool { return ds[i].Node < ds[j].Node })
	}
	return out
}

// Converged returns nil when every partition group has all its voters
// running with equal digests.
func (c *Cluster) Converged() error {
	n := c.Node(c.NodeIDs()[0])
	for g, ds := range c.Digests() {
		if len(ds) < 3 {
			return fmt.Errorf("group %d: %d replicas report", g, len(ds))
		}
		for _, d := range ds[1:] {
			if d.Digest != ds[0].Digest {
				return fmt.Errorf("group %d: node %d digest %.12s (applied %d) != node %d digest %.12s (applied %d)",
					g, d.Node, d.Digest, d.Applied, ds[0].Node, ds[0].Digest, ds[0].Applied)
			}
		}
	}
	_ = n
	return nil
}

// WaitConverged waits until Converged returns nil or ctx ends.
func (c *Cluster) WaitConverged(ctx context.Context) error {
	var last error
	for {
		if last = c.Converged(); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: replicas differ: %w (last: %w)", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Leader returns the node that leads the most partition groups.
func (c *Cluster) Leader() (uint64, error) {
	count := map[uint64]int{}
	for _, id := range c.NodeIDs() {
		n := c.Node(id)
		if n == nil {
			continue
		}
		for _, st := range n.Replicas().Statuses() {
			if st.IsLeader && st.Group != node.MetaGroup {
				count[id]++
			}
		}
	}
	var best uint64
	for _, id := range c.NodeIDs() {
		if count[id] > count[best] {
			best = id
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("cluster: no node leads a partition")
	}
	return best, nil
}
