package node

import (
	"context"
	"fmt"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Splitting a partition (ARCHITECTURE.md §4; DynamoDB splits a partition
// that outgrows 10 GB or its throughput):
//
//  1. The leader of a partition larger than Options.SplitBytes, or that
//     served more than Options.SplitLoad requests per second throughout
//     Options.SplitLoadWindow (load.go), proposes the freeze command to its
//     group. From the freeze on, the partition rejects
//     every write (WrongRange, so the router retries it at the new owner),
//     and all replicas hold the identical frozen image.
//  2. The leader picks the split point from the frozen image (the median
//     key's hash: the same on every replica, so a new leader that takes over
//     after a crash proposes the same split) and proposes the split to the
//     catalog group: the partition map replaces the parent by two children.
//  3. Every node (reconcile) installs the new map and starts its replicas of
//     the children, each born with its half of the frozen parent's data
//     (replica.Node.AddGroupWithState). Children keep the parent's nodes, so
//     each half is again replicated in three zones.
//
// Writes that reach the frozen parent are rerouted; consistent reads of it
// are served from its successors; Scans resume by key, so a Scan that spans
// the split neither loses nor repeats items.

// checkSplits runs steps 1 and 2 for the partitions this node leads.
func (n *Node) checkSplits(ctx context.Context) {
	if n.o.SplitBytes <= 0 && n.o.SplitLoad <= 0 {
		return
	}
	for _, t := range n.cat.Tables() {
		for _, p := range t.Partitions {
			gid := GroupID(t.ID, p.ID)
			g, ok := n.rn.Group(gid)
			if !ok || !g.Status().IsLeader {
				continue
			}
			n.mu.Lock()
			m, ok := n.machines[gid]
			n.mu.Unlock()
			if !ok {
				continue
			}
			if !m.frozen.Load() {
				if _, moving := n.meta.moveOf(gid); moving {
					continue // split once the move is done (mover.go)
				}
				_, bytes := m.State.Stats()
				big := n.o.SplitBytes > 0 && bytes > n.o.SplitBytes
				hot := m.load.sustained(n.o.SplitLoad)
				if !big && !hot {
					continue
				}
				if _, ok := splitPoint(m.State, p.Lo); !ok {
					continue // one partition key: cannot split by hash
				}
				freeze := n.safe.Replica(gid, n.votersOf(t.ID, p.ID))
				if _, err := freeze.ProposeBytes(ctx, freezeCmd); err != nil {
					n.log.Warn("split: freeze", "table", t.Name, "partition", p.ID, "err", err)
					continue
				}
				if !m.frozen.Load() {
					continue // applied on the leader before it answers; be safe
				}
			}
			mid, ok := splitPoint(m.State, p.Lo)
			if !ok {
				continue
			}
			err := n.proposeMeta(ctx, metaCmd{Kind: "split", Table: &catalog.Table{Name: t.Name, ID: t.ID}, Parent: p.ID, Mid: mid})
			if err != nil {
				n.log.Warn("split: catalog", "table", t.Name, "partition", p.ID, "err", err)
				continue
			}
			n.log.Info("partition split", "table", t.Name, "partition", p.ID, "at", mid, "for", splitReason(m, n.o))
		}
	}
}

// splitPoint returns the hash of the median item, moved past the first
// item's hash so that both halves are non-empty.
func splitPoint(st *partition.State, lo uint64) (uint64, bool) {
	var hashes []uint64
	st.Scan(nil, nil, false, func(key []byte, _ value.Item) bool {
		hashes = append(hashes, partition.KeyHash(key))
		return true
	})
	if len(hashes) < 2 {
		return 0, false
	}
	mid := hashes[len(hashes)/2]
	if mid == hashes[0] {
		for _, h := range hashes {
			if h > mid {
				mid = h
				break
			}
		}
	}
	if mid == hashes[0] || mid <= lo {
		return 0, false
	}
	return mid, true
}

// current polls the local catalog until group's table no longer lists it
// (this node learned of the split) and returns the table.
func (n *Node) current(ctx context.Context, group uint64) (*catalog.Table, groupInfo, error) {
	n.mu.Lock()
	info, ok := n.info[group]
	n.mu.Unlock()
	if !ok {
		return nil, info, fmt.Errorf("node: unknown group %d", group)
	}
	for {
		t, err := n.cat.Get(info.table)
		if err != nil {
			return nil, info, err
		}
		if t.ID != info.tableID {
			return nil, info, ddberr.Newf(ddberr.ResourceNotFound, "Requested resource not found")
		}
		listed := false
		for _, p := range t.Partitions {
			if p.ID == info.part {
				listed = true
			}
		}
		if !listed {
			return t, info, nil
		}
		n.poke()
		select {
		case <-ctx.Done():
			return nil, info, ddberr.Newf(ddberr.InternalServer, "Internal server error (partition split in progress)")
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// reroute is router.Options.Reroute.
func (n *Node) reroute(ctx context.Context, group uint64, cmd *partition.Command) (partition.Replica, error) {
	t, _, err := n.current(ctx, group)
	if err != nil {
		return nil, err
	}
	return t.PartitionForKey(cmd.Key[t.Schema.HashKey]).Replica, nil
}

// successors is router.Options.Successors.
func (n *Node) successors(ctx context.Context, group uint64) ([]router.Successor, error) {
	t, info, err := n.current(ctx, group)
	if err != nil {
		return nil, err
	}
	var out []router.Successor
	for _, p := range t.Partitions {
		if p.Hi >= info.lo && p.Lo <= info.hi {
			out = append(out, router.Successor{Lo: p.Lo, Hi: p.Hi, Replica: p.Replica})
		}
	}
	return out, nil
}

// splitReason names why a frozen partition splits (for the log).
func splitReason(m *partMachine, o Options) string {
	if _, bytes := m.State.Stats(); o.SplitBytes > 0 && bytes > o.SplitBytes {
		return "size"
	}
	return "load"
}
