package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ddbkit/ddbkit/reference/node"
)

// AddNode starts a new storage node in zone (one of the cluster's zones)
// and adds it to the cluster: the catalog group records it, the ring
// includes it, and the replicas the ring now places on it move there in the
// background by raft membership change (node/mover.go). It returns the new
// node's id once its membership is committed; watch Node(id).Moves or
// /admin/status for the moves, or WaitPlaced.
//
// The node's disk is like the founders' (Options.Dir/n<id>, or in memory),
// so Crash and Restart work on it too.
func (c *Cluster) AddNode(ctx context.Context, zone string) (uint64, error) {
	zones := c.zoneMap()
	known := false
	for _, z := range zones {
		known = known || z == zone
	}
	if !known {
		return 0, fmt.Errorf("cluster: zone %q is not one of the cluster's zones", zone)
	}
	c.addMu.Lock() // one AddNode at a time picks the next id
	defer c.addMu.Unlock()
	id := uint64(len(c.NodeIDs()) + 1)
	m := c.addSlot(id, zone, true)
	if err := c.startNode(ctx, id); err != nil {
		return 0, fmt.Errorf("cluster: add node %d: %w", id, err)
	}
	member := node.Member{ID: id, Zone: zone, API: c.NodeURL(id)}
	var errs []error
	for {
		for _, other := range c.NodeIDs() {
			n := c.Node(other)
			if other == id || n == nil {
				continue
			}
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := n.AddMember(actx, member)
			cancel()
			if err == nil {
				c.log.Info("cluster: node added", "node", id, "zone", m.zone)
				return id, nil
			}
			errs = append(errs, err)
		}
		select {
		case <-ctx.Done():
			return id, fmt.Errorf("cluster: node %d started but its membership is not known to be committed: %w",
				id, errors.Join(append(errs, ctx.Err())...))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Placed returns nil when no move is in progress, every node knows every
// member, and every partition's voters are the ring's placement of it with
// the replicas running on exactly those nodes (and no node holding a
// replica it should not).
func (c *Cluster) Placed() error {
	ids := c.NodeIDs()
	var ref *node.Node
	for _, id := range ids {
		n := c.Node(id)
		if n == nil {
			return fmt.Errorf("node %d is down", id)
		}
		if len(n.Members()) != len(ids) {
			return fmt.Errorf("node %d knows %d members of %d", id, len(n.Members()), len(ids))
		}
		if mv := n.Moves(); len(mv) > 0 {
			return fmt.Errorf("node %d: %d moves in progress", id, len(mv))
		}
		if ref == nil {
			ref = n
		}
	}
	held := map[uint64][]uint64{} // group -> nodes holding a replica
	for _, id := range ids {
		for _, st := range c.Node(id).Replicas().Statuses() {
			held[st.Group] = append(held[st.Group], id)
		}
	}
	for _, t := range ref.Status(false).Tables {
		for _, p := range t.Partitions {
			var want []uint64
			for _, r := range p.Replicas {
				want = append(want, r.Node)
			}
			if ring := ref.Target(t.ID, p.ID); !sameSet(want, ring) {
				return fmt.Errorf("%s partition %d: voters %v, ring placement %v", t.Name, p.ID, want, ring)
			}
			if !sameSet(held[p.Group], want) {
				return fmt.Errorf("%s partition %d: replicas on %v, voters %v", t.Name, p.ID, held[p.Group], want)
			}
		}
	}
	return nil
}

// WaitPlaced waits until Placed returns nil or ctx ends.
func (c *Cluster) WaitPlaced(ctx context.Context) error {
	var last error
	for {
		if last = c.Placed(); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: placement not reached: %w (last: %w)", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func sameSet(a, b []uint64) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
