package cluster

import (
	"slices"
	"sync"
)

// faults mirrors the network faults injected into the transport.Network so
// that the routers' internal RPCs see the same partitions as raft does.
type faults struct {
	mu       sync.RWMutex
	zoneSide map[string]int // zone -> side; nil: no zone partition
	nodeSide map[uint64]int // node -> side; nil: no node partition
	isolated map[uint64]bool
	cut      map[[2]uint64]bool
}

func (f *faults) reset() {
	f.mu.Lock()
	f.zoneSide, f.nodeSide, f.isolated, f.cut = nil, nil, nil, nil
	f.mu.Unlock()
}

func (f *faults) partitionZones(sides [][]string) {
	f.mu.Lock()
	f.zoneSide = map[string]int{}
	for i, s := range sides {
		for _, z := range s {
			f.zoneSide[z] = i
		}
	}
	f.mu.Unlock()
}

func (f *faults) partitionNodes(sides [][]uint64) {
	f.mu.Lock()
	f.nodeSide = map[uint64]int{}
	for i, s := range sides {
		for _, id := range s {
			f.nodeSide[id] = i
		}
	}
	f.mu.Unlock()
}

func (f *faults) isolate(id uint64) {
	f.mu.Lock()
	if f.isolated == nil {
		f.isolated = map[uint64]bool{}
	}
	f.isolated[id] = true
	f.mu.Unlock()
}

func (f *faults) cutLink(a, b uint64) {
	f.mu.Lock()
	if f.cut == nil {
		f.cut = map[[2]uint64]bool{}
	}
	f.cut[[2]uint64{a, b}] = true
	f.mu.Unlock()
}

// reach reports whether a message from a (zone za) gets to b (zone zb).
func (f *faults) reach(a uint64, za string, b uint64, zb string) bool {
	if a == b {
		return true
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.zoneSide != nil && f.zoneSide[za] != f.zoneSide[zb] {
		return false
	}
	if f.nodeSide != nil && f.nodeSide[a] != f.nodeSide[b] {
		return false
	}
	if f.isolated[a] || f.isolated[b] || f.cut[[2]uint64{a, b}] {
		return false
	}
	return true
}

func zonesOf(nodes map[uint64]string) []string {
	var zs []string
	for _, z := range nodes {
		if !slices.Contains(zs, z) {
			zs = append(zs, z)
		}
	}
	slices.Sort(zs)
	return zs
}
