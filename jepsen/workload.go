package jepsen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Workload names.
const (
	Register = "register"
	Set      = "set"
	Counter  = "counter"
	// Bank and ListAppend are the transactional workloads (workload_txn.go).
	Bank       = "bank"
	ListAppend = "list-append"
)

// Workloads lists the workload names.
var Workloads = []string{Register, Set, Counter, Bank, ListAppend}

// generator hands out the workloads' operations. It is shared by all
// workers; each worker brings its own seeded rng.
type generator struct {
	workload string
	// ecReads is the fraction of register reads that are eventually
	// consistent.
	ecReads float64
	// perKey is how many operations a register key receives before it is
	// retired for a fresh one (bounding each key's history keeps porcupine's
	// search small, as Jepsen's "independent" keys do).
	perKey int

	next atomic.Int64 // unique written values, elements

	mu     sync.Mutex
	slots  []int       // the active keys
	counts map[int]int // operations per key so far
	nextK  int
	last   map[int]int64 // latest value written or read per register key
	used   []int         // every key used, for the final reads
}

func newGenerator(workload string, keys, perKey int, ecReads float64) (*generator, error) {
	if !slices.Contains(Workloads, workload) {
		return nil, fmt.Errorf("jepsen: unknown workload %q (one of %v)", workload, Workloads)
	}
	if keys < 1 {
		return nil, fmt.Errorf("jepsen: need at least one key")
	}
	g := &generator{workload: workload, ecReads: ecReads, perKey: perKey, counts: map[int]int{}, last: map[int]int64{}}
	for range keys {
		g.slots = append(g.slots, g.nextK)
		g.used = append(g.used, g.nextK)
		g.nextK++
	}
	return g, nil
}

// key picks an active key and counts an operation on it.
func (g *generator) key(rng *rand.Rand) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := rng.IntN(len(g.slots))
	k := g.slots[i]
	g.counts[k]++
	if g.workload == Register && g.perKey > 0 && g.counts[k] >= g.perKey {
		g.slots[i] = g.nextK
		g.used = append(g.used, g.nextK)
		g.nextK++
	}
	return k
}

// observe remembers a register value seen or written, as a likely
// expectation for the next compare-and-set.
func (g *generator) observe(key int, v *int64) {
	if v == nil {
		return
	}
	g.mu.Lock()
	g.last[key] = *v
	g.mu.Unlock()
}

func (g *generator) latest(key int) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last[key]
}

// keys returns every key used so far.
func (g *generator) keys() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.used)
}

func (g *generator) unique() int64 { return g.next.Add(1) }

// op returns the next operation for a worker.
func (g *generator) op(rng *rand.Rand) history.Op {
	switch g.workload {
	case Bank:
		return g.bankOp(rng)
	case ListAppend:
		return g.listAppendOp(rng)
	}
	k := g.key(rng)
	x := rng.Float64()
	switch g.workload {
	case Register:
		switch {
		case x < g.ecReads:
			return history.Op{F: history.ReadEC, Key: k}
		case x < 0.45:
			return history.Op{F: history.Read, Key: k}
		case x < 0.75:
			return history.Op{F: history.Write, Key: k, Value: history.Int(g.unique())}
		default:
			// Mostly the latest value seen, so many succeed; sometimes an
			// older one, so conditions are exercised both ways.
			expect := g.latest(k)
			if rng.IntN(4) == 0 {
				expect -= 1 + rng.Int64N(3)
			}
			return history.Op{F: history.CAS, Key: k, Expect: history.Int(expect), Value: history.Int(g.unique())}
		}
	case Set:
		if x < 0.1 {
			return history.Op{F: history.Read, Key: k}
		}
		return history.Op{F: history.Add, Key: k, Value: history.Int(g.unique())}
	default:
		if x < 0.2 {
			return history.Op{F: history.Read, Key: k}
		}
		return history.Op{F: history.Incr, Key: k, Value: history.Int(1 + rng.Int64N(5))}
	}
}
