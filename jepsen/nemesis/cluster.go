package nemesis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Node is a storage node of a cluster.
type Node struct {
	ID   string
	Zone string
}

// LinkFaults degrade every message between nodes.
type LinkFaults struct {
	// Loss is the probability that a message is dropped.
	Loss float64
	// Delay is added to every message, plus a uniform random Jitter.
	Delay, Jitter time.Duration
}

// Cluster is what a nemesis needs from a cluster of the reference engine
// (the in-process one with its fault-injectable network, or the
// multi-process one of scripts/cluster.sh). Partition calls replace any
// previous partition; Heal removes network partitions and link faults.
type Cluster interface {
	Nodes() []Node
	// PartitionZone cuts every node of zone off from the other zones.
	PartitionZone(ctx context.Context, zone string) error
	// Isolate cuts node off from every other node.
	Isolate(ctx context.Context, node string) error
	// Partition lets nodes talk only within their group.
	Partition(ctx context.Context, groups [][]string) error
	// SetLinkFaults applies loss and delay to every link (zero: none).
	SetLinkFaults(ctx context.Context, lf LinkFaults) error
	// Heal removes partitions and link faults.
	Heal(ctx context.Context) error
	// Kill stops node abruptly (kill -9: unsynced writes are lost);
	// Restart starts it again from its data directory.
	Kill(ctx context.Context, node string) error
	Restart(ctx context.Context, node string) error
	// Pause freezes node (SIGSTOP, or its loop frozen in-process); Resume
	// thaws it.
	Pause(ctx context.Context, node string) error
	Resume(ctx context.Context, node string) error
	// Leader returns the node that currently leads the most partitions.
	Leader(ctx context.Context) (string, error)
	// Healthy returns nil when every node is up and every partition has a
	// leader that serves.
	Healthy(ctx context.Context) error
}

// ClockSkewer is a Cluster whose nodes' clocks can run at another rate
// than real time (the in-process cluster: each node's raft ticks come from
// a clock whose rate can change). The multi-process cluster is not one, and
// a ClusterNemesis over it refuses ClockSkewLeader.
type ClockSkewer interface {
	// SetClockRate makes node's clock run at rate times real time (1:
	// normal; 0.1: ten times slower).
	SetClockRate(ctx context.Context, node string, rate float64) error
}

// ClusterOptions tune a ClusterNemesis.
type ClusterOptions struct {
	// Seed chooses targets (which zone, which node).
	Seed int64
	// Loss for the loss fault (default 0.2); Delay and Jitter for the delay
	// fault (default 50ms ± 50ms).
	Loss          float64
	Delay, Jitter time.Duration
	// HealthPoll is how often WaitHealthy asks (default 100ms).
	HealthPoll time.Duration
	// ClockRate is the rate of the skewed clock of ClockSkewLeader
	// (default 0.05: twenty times slower than real time).
	ClockRate float64
}

// ClusterNemesis injects ClusterFaults into a Cluster.
type ClusterNemesis struct {
	c    Cluster
	o    ClusterOptions
	mu   sync.Mutex
	rng  *rand.Rand
	down map[string]string // node -> "kill" or "pause", for Heal
}

// NewClusterNemesis returns a nemesis for c.
func NewClusterNemesis(c Cluster, o ClusterOptions) *ClusterNemesis {
	if o.Loss == 0 {
		o.Loss = 0.2
	}
	if o.Delay == 0 {
		o.Delay, o.Jitter = 50*time.Millisecond, 50*time.Millisecond
	}
	if o.HealthPoll == 0 {
		o.HealthPoll = 100 * time.Millisecond
	}
	if o.ClockRate == 0 {
		o.ClockRate = 0.05
	}
	return &ClusterNemesis{c: c, o: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x636c7573746572)), down: map[string]string{}}
}

// Faults lists ClusterFaults, without ClockSkewLeader when the cluster
// cannot skew clocks.
func (n *ClusterNemesis) Faults() []string {
	if _, ok := n.c.(ClockSkewer); ok {
		return slices.Clone(ClusterFaults)
	}
	return slices.DeleteFunc(slices.Clone(ClusterFaults), func(f string) bool { return f == ClockSkewLeader })
}

func (n *ClusterNemesis) pick(xs []string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return xs[n.rng.IntN(len(xs))]
}

func (n *ClusterNemesis) nodeIDs() []string {
	var ids []string
	for _, nd := range n.c.Nodes() {
		ids = append(ids, nd.ID)
	}
	return ids
}

func (n *ClusterNemesis) zones() []string {
	var zs []string
	for _, nd := range n.c.Nodes() {
		if !slices.Contains(zs, nd.Zone) {
			zs = append(zs, nd.Zone)
		}
	}
	slices.Sort(zs)
	return zs
}

// Start injects f.
func (n *ClusterNemesis) Start(ctx context.Context, f Fault) (string, error) {
	ids := n.nodeIDs()
	if len(ids) == 0 {
		return "", fmt.Errorf("nemesis: cluster has no nodes")
	}
	switch f.Name {
	case PartitionZone:
		z := n.pick(n.zones())
		return "zone " + z, n.c.PartitionZone(ctx, z)
	case PartitionLeader:
		l, err := n.c.Leader(ctx)
		if err != nil {
			return "", fmt.Errorf("nemesis: find leader: %w", err)
		}
		return l, n.c.Isolate(ctx, l)
	case PartitionMinority:
		nd := n.pick(ids)
		return nd, n.c.Isolate(ctx, nd)
	case PartitionHalves:
		n.mu.Lock()
		perm := n.rng.Perm(len(ids))
		n.mu.Unlock()
		var a, b []string
		for i, p := range perm {
			if i < len(ids)/2 {
				a = append(a, ids[p])
			} else {
				b = append(b, ids[p])
			}
		}
		slices.Sort(a)
		slices.Sort(b)
		return strings.Join(a, ",") + "|" + strings.Join(b, ","), n.c.Partition(ctx, [][]string{a, b})
	case Kill, KillLeader, Pause, PauseLeader:
		nd := ""
		if f.Name == KillLeader || f.Name == PauseLeader {
			l, err := n.c.Leader(ctx)
			if err != nil {
				return "", fmt.Errorf("nemesis: find leader: %w", err)
			}
			nd = l
		} else {
			nd = n.pick(ids)
		}
		kill := f.Name == Kill || f.Name == KillLeader
		var err error
		if kill {
			err = n.c.Kill(ctx, nd)
		} else {
			err = n.c.Pause(ctx, nd)
		}
		if err != nil {
			return nd, err
		}
		n.mu.Lock()
		n.down[nd] = map[bool]string{true: "kill", false: "pause"}[kill]
		n.mu.Unlock()
		return nd, nil
	case ClockSkewLeader:
		return n.skewLeader(ctx)
	case Loss:
		return fmt.Sprintf("all links, loss %.0f%%", 100*n.o.Loss), n.c.SetLinkFaults(ctx, LinkFaults{Loss: n.o.Loss})
	case Delay:
		return fmt.Sprintf("all links, %v±%v", n.o.Delay, n.o.Jitter), n.c.SetLinkFaults(ctx, LinkFaults{Delay: n.o.Delay, Jitter: n.o.Jitter})
	}
	return "", fmt.Errorf("nemesis: unknown fault %q", f.Name)
}

// skewLeader starts ClockSkewLeader: the busiest leader's clock slows to
// ClusterOptions.ClockRate, then the node is cut off. The others elect
// successors after an election timeout of real time; the old leader counts
// its quorum check (and a read lease) in its slow ticks, so it believes it
// leads for 1/rate times as long.
func (n *ClusterNemesis) skewLeader(ctx context.Context) (string, error) {
	cs, ok := n.c.(ClockSkewer)
	if !ok {
		return "", fmt.Errorf("nemesis: %s: this cluster cannot skew clocks (the in-process cluster can; a multi-process one cannot)", ClockSkewLeader)
	}
	l, err := n.c.Leader(ctx)
	if err != nil {
		return "", fmt.Errorf("nemesis: find leader: %w", err)
	}
	target := fmt.Sprintf("%s, clock x%g", l, n.o.ClockRate)
	if err := cs.SetClockRate(ctx, l, n.o.ClockRate); err != nil {
		return target, err
	}
	if err := n.c.Isolate(ctx, l); err != nil {
		return target, errors.Join(err, cs.SetClockRate(ctx, l, 1))
	}
	return target, nil
}

// restoreClocks sets every node's clock back to real time (nothing to do
// when the cluster cannot skew clocks).
func (n *ClusterNemesis) restoreClocks(ctx context.Context) error {
	cs, ok := n.c.(ClockSkewer)
	if !ok {
		return nil
	}
	var errs []error
	for _, id := range n.nodeIDs() {
		errs = append(errs, cs.SetClockRate(ctx, id, 1))
	}
	return errors.Join(errs...)
}

// Stop undoes f.
func (n *ClusterNemesis) Stop(ctx context.Context, f Fault) error {
	switch f.Name {
	case Kill, KillLeader, Pause, PauseLeader:
		return n.revive(ctx, f.Target)
	case ClockSkewLeader:
		// Clock first, then the network: the node rejoins counting real
		// time, and hears its successor's term at once.
		return errors.Join(n.restoreClocks(ctx), n.c.Heal(ctx))
	default:
		return n.c.Heal(ctx)
	}
}

func (n *ClusterNemesis) revive(ctx context.Context, node string) error {
	n.mu.Lock()
	how, ok := n.down[node]
	delete(n.down, node)
	n.mu.Unlock()
	switch {
	case !ok:
		return nil
	case how == "kill":
		return n.c.Restart(ctx, node)
	default:
		return n.c.Resume(ctx, node)
	}
}

// Heal removes network faults, sets every clock back to real time and
// brings back every killed or paused node.
func (n *ClusterNemesis) Heal(ctx context.Context) error {
	errs := []error{n.c.Heal(ctx), n.restoreClocks(ctx)}
	n.mu.Lock()
	var nodes []string
	for nd := range n.down {
		nodes = append(nodes, nd)
	}
	n.mu.Unlock()
	slices.Sort(nodes)
	for _, nd := range nodes {
		errs = append(errs, n.revive(ctx, nd))
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("nemesis: heal: %w", err)
		}
	}
	return nil
}

// WaitHealthy polls Cluster.Healthy until it returns nil or ctx ends.
func (n *ClusterNemesis) WaitHealthy(ctx context.Context) error {
	t := time.NewTicker(n.o.HealthPoll)
	defer t.Stop()
	for {
		err := n.c.Healthy(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nemesis: cluster not healthy: %w (last: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
}
