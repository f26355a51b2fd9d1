package nemesis

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fault names. Each is described in jepsen/README.md.
const (
	PartitionZone     = "partition-zone"     // cut one zone off from the other two
	PartitionLeader   = "partition-leader"   // isolate the node leading the most partitions
	PartitionMinority = "partition-minority" // isolate one random node
	PartitionHalves   = "partition-halves"   // split the nodes into two random halves
	Kill              = "kill"               // kill -9 a random node; restart it at stop
	KillLeader        = "kill-leader"        // kill -9 the busiest leader; restart it at stop
	Pause             = "pause"              // freeze a random node (SIGSTOP); resume at stop
	PauseLeader       = "pause-leader"       // freeze the busiest leader; resume at stop
	Loss              = "loss"               // drop a fraction of all messages
	Delay             = "delay"              // delay every message
	ClockSkewLeader   = "clock-skew-leader"  // slow the busiest leader's clock and isolate it; heal and restore at stop
	Hook              = "hook"               // the user's start/stop commands
)

// ClusterFaults are the faults a ClusterNemesis can inject (ClockSkewLeader
// only into a Cluster that is a ClockSkewer).
var ClusterFaults = []string{
	PartitionZone, PartitionLeader, PartitionMinority, PartitionHalves,
	Kill, KillLeader, Pause, PauseLeader, Loss, Delay, ClockSkewLeader,
}

// Fault is one fault window, as data.
type Fault struct {
	Name string `json:"name"`
	// Start and Stop are offsets from the start of the run.
	Start time.Duration `json:"start"`
	Stop  time.Duration `json:"stop"`
	// Target is what the fault hit (a zone, a node, "a,b|c"), filled in
	// when it starts.
	Target string `json:"target,omitempty"`
}

func (f Fault) String() string {
	s := fmt.Sprintf("%s [%v, %v]", f.Name, f.Start, f.Stop)
	if f.Target != "" {
		s += " on " + f.Target
	}
	return s
}

// ParseNames parses a comma-separated list of fault names against the ones
// a nemesis supports; "all" means every supported fault, "" and "none"
// mean none.
func ParseNames(list string, supported []string) ([]string, error) {
	list = strings.TrimSpace(list)
	if list == "" || list == "none" {
		return nil, nil
	}
	if list == "all" {
		return slices.Clone(supported), nil
	}
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(supported, n) {
			return nil, fmt.Errorf("nemesis: fault %q not supported by this target (supported: %s)", n, strings.Join(supported, ", "))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}
