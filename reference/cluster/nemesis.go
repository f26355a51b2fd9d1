package cluster

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ddbkit/ddbkit/jepsen/nemesis"
)

// Nemesis adapts the cluster to jepsen's nemesis.Cluster; nodes are named
// n1..nN.
func (c *Cluster) Nemesis() nemesis.Cluster { return nemesisAdapter{c} }

type nemesisAdapter struct{ c *Cluster }

// NodeName is the name of node id in nemesis.Cluster terms.
func NodeName(id uint64) string { return "n" + strconv.FormatUint(id, 10) }

func (a nemesisAdapter) id(name string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimPrefix(name, "n"), 10, 64)
	if err != nil || a.c.member(id) == nil {
		return 0, fmt.Errorf("cluster: no node %q", name)
	}
	return id, nil
}

func (a nemesisAdapter) Nodes() []nemesis.Node {
	var out []nemesis.Node
	for _, id := range a.c.NodeIDs() {
		out = append(out, nemesis.Node{ID: NodeName(id), Zone: a.c.Zone(id)})
	}
	return out
}

func (a nemesisAdapter) PartitionZone(_ context.Context, zone string) error {
	a.c.healNetwork()
	a.c.PartitionZones([]string{zone})
	return nil
}

func (a nemesisAdapter) Isolate(_ context.Context, name string) error {
	id, err := a.id(name)
	if err != nil {
		return err
	}
	a.c.healNetwork()
	a.c.Isolate(id)
	return nil
}

func (a nemesisAdapter) Partition(_ context.Context, groups [][]string) error {
	var sides [][]uint64
	for _, g := range groups {
		var side []uint64
		for _, name := range g {
			id, err := a.id(name)
			if err != nil {
				return err
			}
			side = append(side, id)
		}
		sides = append(sides, side)
	}
	a.c.healNetwork()
	a.c.PartitionNodes(sides...)
	return nil
}

func (a nemesisAdapter) SetLinkFaults(_ context.Context, lf nemesis.LinkFaults) error {
	a.c.SetLoss(lf.Loss)
	if lf.Delay > 0 || lf.Jitter > 0 {
		a.c.SetDelay(1, lf.Delay+lf.Jitter)
	} else {
		a.c.SetDelay(0, 0)
	}
	return nil
}

// SetClockRate implements nemesis.ClockSkewer.
func (a nemesisAdapter) SetClockRate(_ context.Context, name string, rate float64) error {
	id, err := a.id(name)
	if err != nil {
		return err
	}
	return a.c.SetClockRate(id, rate)
}

func (a nemesisAdapter) Heal(context.Context) error {
	a.c.healNetwork()
	return nil
}

func (a nemesisAdapter) Kill(_ context.Context, name string) error {
	id, err := a.id(name)
	if err != nil {
		return err
	}
	return a.c.Crash(id)
}

func (a nemesisAdapter) Restart(ctx context.Context, name string) error {
	id, err := a.id(name)
	if err != nil {
		return err
	}
	return a.c.Restart(ctx, id)
}

func (a nemesisAdapter) Pause(_ context.Context, name string) error {
	id, err := a.id(name)
	if err != nil {
		return err
	}
	a.c.Pause(id)
	return nil
}

func (a nemesisAdapter) Resume(_ context.Context, name string) error {
	id, err := a.id(name)
	if err != nil {
		return err
	}
	a.c.Resume(id)
	return nil
}

func (a nemesisAdapter) Leader(context.Context) (string, error) {
	id, err := a.c.Leader()
	if err != nil {
		return "", err
	}
	return NodeName(id), nil
}

func (a nemesisAdapter) Healthy(ctx context.Context) error { return a.c.Healthy(ctx) }
