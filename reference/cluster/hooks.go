package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

// PartitionZones splits the cluster by zone: nodes in zones of different
// sides cannot talk. PartitionZones([]string{"az3"}) cuts az3 from the rest.
func (c *Cluster) PartitionZones(sides ...[]string) {
	if len(sides) == 1 { // one side named: the rest is the other side
		var rest []string
		for _, z := range zonesOf(c.zoneMap()) {
			if !contains(sides[0], z) {
				rest = append(rest, z)
			}
		}
		sides = append(sides, rest)
	}
	c.faults.partitionZones(sides)
	c.net.PartitionZones(sides...)
}

// PartitionNodes splits the cluster by node (nodes not named join the first
// side).
func (c *Cluster) PartitionNodes(sides ...[]uint64) {
	c.faults.partitionNodes(sides)
	c.net.PartitionNodes(sides...)
}

// Isolate cuts node id off from every other node.
func (c *Cluster) Isolate(id uint64) {
	c.faults.isolate(id)
	c.net.Isolate(id)
}

// Cut drops everything node a sends to node b.
func (c *Cluster) Cut(a, b uint64) {
	c.faults.cutLink(a, b)
	c.net.Cut(a, b)
}

// SetLoss drops each raft batch with probability p.
func (c *Cluster) SetLoss(p float64) { c.net.SetLoss(p) }

// SetDelay delays each raft batch with probability p by up to max.
func (c *Cluster) SetDelay(p float64, max time.Duration) { c.net.SetDelay(p, max) }

// Heal removes every network fault, resumes paused nodes and sets every
// node's clock back to real time (crashed nodes stay down: Restart them).
func (c *Cluster) Heal() {
	c.faults.reset()
	c.net.Heal()
	for _, id := range c.NodeIDs() {
		c.Resume(id)
	}
	c.ResetClocks()
}

// SetClockRate makes node id's clock, the source of its raft ticks, run at
// rate times real time (1: normal; 0.1: ten times slower). Its heartbeats,
// election timeouts, quorum checks and (with Unsafe.LeaseReads) read lease
// stretch or shrink accordingly; the other nodes keep real time. The rate
// survives a crash and restart of the node, as a machine's clock would.
func (c *Cluster) SetClockRate(id uint64, rate float64) error {
	m := c.member(id)
	if m == nil {
		return fmt.Errorf("cluster: no node %d", id)
	}
	if err := m.clock.SetRate(rate); err != nil {
		return fmt.Errorf("cluster: node %d: %w", id, err)
	}
	return nil
}

// ClockRate returns node id's clock rate (0 when there is no such node).
func (c *Cluster) ClockRate(id uint64) float64 {
	m := c.member(id)
	if m == nil {
		return 0
	}
	return m.clock.Rate()
}

// ResetClocks sets every node's clock back to real time (rate 1).
func (c *Cluster) ResetClocks() {
	for _, id := range c.NodeIDs() {
		_ = c.member(id).clock.SetRate(1) // 1 is always a valid rate
	}
}

// Pause freezes node id: its raft loop stops, its inbound messages are
// held, and requests to it wait (SIGSTOP).
func (c *Cluster) Pause(id uint64) {
	m := c.member(id)
	m.mu.Lock()
	if m.node == nil || m.paused {
		m.mu.Unlock()
		return
	}
	m.paused, m.resumed = true, make(chan struct{})
	m.mu.Unlock()
	c.net.Pause(id)
}

// Resume thaws a paused node (SIGCONT).
func (c *Cluster) Resume(id uint64) {
	m := c.member(id)
	m.mu.Lock()
	was := m.paused
	if was {
		m.paused = false
		close(m.resumed)
	}
	m.mu.Unlock()
	if was {
		c.net.Resume(id)
	}
}

// Crash kills node id abruptly: its connections drop and, on an in-memory
// disk, every write not fsynced is lost (torn tails included); on a real
// directory what the OS holds survives, as after kill -9.
func (c *Cluster) Crash(id uint64) error {
	if c.member(id).running() == nil {
		return nil
	}
	err := c.stopNode(id)
	if cfs, ok := c.member(id).fs.(*vfs.Crashable); ok {
		c.mu.Lock()
		seed := c.rng.Uint64()
		c.mu.Unlock()
		cfs.Crash(vfs.CrashOptions{Rand: randFrom(seed)})
	}
	if err != nil {
		return fmt.Errorf("cluster: crash node %d: %w", id, err)
	}
	return nil
}

// Restart starts a crashed node again from its disk, on its old port.
func (c *Cluster) Restart(ctx context.Context, id uint64) error {
	if c.member(id).running() != nil {
		return nil
	}
	return c.startNode(ctx, id)
}

// Up reports whether node id runs (crashed nodes do not).
func (c *Cluster) Up(id uint64) bool { return c.member(id).running() != nil }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// healNetwork removes network partitions and link faults but leaves paused
// nodes paused (transport.Network.Heal would resume them, so they are paused
// again).
func (c *Cluster) healNetwork() {
	var paused []uint64
	for _, id := range c.NodeIDs() {
		m := c.member(id)
		m.mu.Lock()
		if m.paused {
			paused = append(paused, id)
		}
		m.mu.Unlock()
	}
	c.faults.reset()
	c.net.Heal()
	for _, id := range paused {
		c.net.Pause(id)
	}
}
