package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Anomaly names of the list-append checker, as Elle names them (Adya's
// phenomena for the cycles).
const (
	// G0: a cycle of write-write dependencies (dirty writes).
	G0 = "G0"
	// G1a: a read saw an element whose append certainly failed (aborted read).
	G1a = "G1a"
	// G1c: a cycle of write-write and write-read dependencies (circular
	// information flow).
	G1c = "G1c"
	// GSingle: a cycle with exactly one read-write anti-dependency (read
	// skew).
	GSingle = "G-single"
	// G2: a cycle with several anti-dependencies (write skew).
	G2 = "G2"
	// Duplicate: an element appears twice in one read.
	Duplicate = "duplicate-elements"
	// IncompatibleOrder: two reads of a key where neither is a prefix of
	// the other: no single order of appends explains both.
	IncompatibleOrder = "incompatible-order"
	// Garbage: a read saw an element nobody appended to that key.
	Garbage = "garbage"
	// Lost: an acknowledged append is missing from the final read of its key.
	Lost = "lost"
)

// ListAppendResult is the list-append checker's verdict.
type ListAppendResult struct {
	Valid bool `json:"valid"`
	// Unknown: no anomaly, but some key with acknowledged appends had no
	// successful final read, so lost appends cannot be ruled out.
	Unknown bool `json:"unknown,omitempty"`
	// Transactions checked: ok ones, and indeterminate ones whose appends
	// were observed (so they committed).
	Transactions  int `json:"transactions"`
	Indeterminate int `json:"indeterminate"`
	Keys          int `json:"keys"`
	// Edges of the dependency graph by kind.
	Edges map[string]int `json:"edges"`
	// Anomalies counts anomalies by name; Examples lists some of each.
	Anomalies            map[string]int `json:"anomalies,omitempty"`
	Examples             []Anomaly      `json:"examples,omitempty"`
	KeysWithoutFinalRead []int          `json:"keys_without_final_read,omitempty"`
}

// Anomaly is one finding. Txns are invocation indexes in the history; a
// cycle is given as Steps.
type Anomaly struct {
	Name    string    `json:"name"`
	Key     int       `json:"key"`
	Element *int64    `json:"element,omitempty"`
	Txns    []int     `json:"txns,omitempty"`
	Steps   []Step    `json:"steps,omitempty"`
	Reads   [][]int64 `json:"reads,omitempty"`
}

// Step is one edge of a cycle: To depends on From through Rel on Key.
type Step struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Rel  string `json:"rel"` // ww, wr or rw
	Key  int    `json:"key"`
}

func (a Anomaly) String() string {
	switch {
	case len(a.Steps) > 0:
		var b strings.Builder
		fmt.Fprintf(&b, "%s: T%d", a.Name, a.Steps[0].From)
		for _, s := range a.Steps {
			fmt.Fprintf(&b, " -%s(k%d)-> T%d", s.Rel, s.Key, s.To)
		}
		return b.String()
	case a.Element != nil:
		return fmt.Sprintf("%s: key %d element %d (txns %v)", a.Name, a.Key, *a.Element, a.Txns)
	}
	return fmt.Sprintf("%s: key %d, reads %v by txns %v", a.Name, a.Key, a.Reads, a.Txns)
}

func (r ListAppendResult) String() string {
	names := make([]string, 0, len(r.Anomalies))
	for n, c := range r.Anomalies {
		names = append(names, fmt.Sprintf("%s %d", n, c))
	}
	slices.Sort(names)
	an := "none"
	if len(names) > 0 {
		an = strings.Join(names, ", ")
	}
	return fmt.Sprintf("list-append (Elle-style, serializability): %s — %d transactions (%d indeterminate but observed) over %d keys; edges ww %d, wr %d, rw %d; anomalies: %s",
		verdictWord(r.Valid, r.Unknown), r.Transactions, r.Indeterminate, r.Keys, r.Edges["ww"], r.Edges["wr"], r.Edges["rw"], an)
}

// Relations between transactions (a bit mask on a graph edge).
const (
	relWW uint8 = 1 << iota
	relWR
	relRW
)

var relNames = map[uint8]string{relWW: "ww", relWR: "wr", relRW: "rw"}

type laTxn struct {
	pair    *history.Pair
	inGraph bool
}

type laRead struct {
	txn   int // index into txns
	list  []int64
	final bool
}

type appendKey struct {
	key  int
	elem int64
}

// laGraph is the dependency graph: edges[from][to] = relation mask, with
// one key per relation for the explanation.
type laGraph struct {
	edges map[int]map[int]*laEdge
}

type laEdge struct {
	mask uint8
	keys [3]int
}

func (g *laGraph) add(from, to int, rel uint8, key int) bool {
	if from == to {
		return false
	}
	m := g.edges[from]
	if m == nil {
		m = map[int]*laEdge{}
		g.edges[from] = m
	}
	e := m[to]
	if e == nil {
		e = &laEdge{}
		m[to] = e
	}
	if e.mask&rel != 0 {
		return false
	}
	e.mask |= rel
	e.keys[relIndex(rel)] = key
	return true
}

func relIndex(rel uint8) int {
	switch rel {
	case relWW:
		return 0
	case relWR:
		return 1
	}
	return 2
}

// CheckListAppend checks a list-append history (history.Txn operations
// whose micro-operations append unique elements to lists or read lists) the
// way Elle does for serializability:
//
//  1. Each key's version order is its longest read; every other read must be
//     a prefix of it (else incompatible-order), with no element twice
//     (duplicate-elements), only elements some transaction tried to append
//     to that key (garbage), and none whose transaction certainly failed
//     (G1a).
//  2. Every acknowledged append must be in its key's final read (lost).
//  3. Between transactions that committed (ok, or info whose appends were
//     seen) it builds the dependency graph: ww from the writer of each
//     element to the writer of the next in the version order, wr from the
//     writer of a read's last element to the reader, rw from a reader to the
//     writer of the first element its read did not see. Any cycle is an
//     anomaly a serializable database cannot produce: G0 (ww only), G1c (ww
//     and wr), G-single (exactly one rw), G2 (more).
//
// Real-time order is not used: DynamoDB promises serializable
// transactions, and the check stays valid under clock-free histories.
func CheckListAppend(pairs []history.Pair) ListAppendResult {
	res := ListAppendResult{Edges: map[string]int{}, Anomalies: map[string]int{}}
	report := func(a Anomaly) {
		res.Anomalies[a.Name]++
		if res.Anomalies[a.Name] <= 5 && len(res.Examples) < maxListed {
			res.Examples = append(res.Examples, a)
		}
	}
	txns := make([]laTxn, 0, len(pairs))
	writer := map[appendKey]int{} // element -> txn
	reads := map[int][]laRead{}
	keys := map[int]bool{}
	for i := range pairs {
		p := &pairs[i]
		if p.Invoke.F != history.Txn {
			continue
		}
		t := len(txns)
		txns = append(txns, laTxn{pair: p, inGraph: p.Type() == history.OK})
		for _, m := range p.Invoke.Txn {
			keys[m.Key] = true
			if m.F == history.MopAppend && m.Value != nil {
				writer[appendKey{m.Key, *m.Value}] = t
			}
		}
		if p.Type() != history.OK {
			continue
		}
		for _, m := range p.Complete.Txn {
			if m.F == history.MopRead && m.List != nil {
				reads[m.Key] = append(reads[m.Key], laRead{txn: t, list: m.List, final: p.Invoke.Final})
			}
		}
	}
	res.Keys = len(keys)
	idx := func(t int) int { return txns[t].pair.Invoke.Index }

	// 1. Version orders, and the per-read anomalies.
	orders := map[int][]int64{}
	for k, rs := range reads {
		var longest []int64
		for _, r := range rs {
			if len(r.list) > len(longest) {
				longest = r.list
			}
		}
		ok := true
		var longestBy int
		for _, r := range rs {
			if len(r.list) == len(longest) {
				longestBy = r.txn
			}
			if !isPrefix(r.list, longest) {
				if ok {
					report(Anomaly{Name: IncompatibleOrder, Key: k, Txns: []int{idx(r.txn)}, Reads: [][]int64{r.list, longest}})
				}
				ok = false
				dups(r.list, func(e int64) {
					report(Anomaly{Name: Duplicate, Key: k, Element: history.Int(e), Txns: []int{idx(r.txn)}})
				})
			}
		}
		// A prefix of the longest read has a duplicate only if the longest
		// has it.
		dups(longest, func(e int64) {
			report(Anomaly{Name: Duplicate, Key: k, Element: history.Int(e), Txns: []int{idx(longestBy)}})
			ok = false
		})
		for _, e := range longest {
			w, found := writer[appendKey{k, e}]
			switch {
			case !found:
				report(Anomaly{Name: Garbage, Key: k, Element: history.Int(e)})
				ok = false
			case txns[w].pair.Type() == history.Fail:
				report(Anomaly{Name: G1a, Key: k, Element: history.Int(e), Txns: []int{idx(w)}})
				ok = false
			default:
				txns[w].inGraph = true // an info transaction whose append was seen committed
			}
		}
		if ok {
			orders[k] = longest
		}
	}
	// The transactions in the graph: the ok ones, and the indeterminate
	// ones that turned out to have committed.
	for _, t := range txns {
		if t.inGraph {
			res.Transactions++
			if t.pair.Type() == history.Info {
				res.Indeterminate++
			}
		}
	}

	// 2. Lost appends.
	final := map[int][]int64{}
	for k, rs := range reads {
		for _, r := range rs {
			if r.final && len(r.list) >= len(final[k]) {
				final[k] = r.list
			}
		}
	}
	noFinal := map[int]bool{}
	for e, w := range writer {
		if txns[w].pair.Type() != history.OK {
			continue
		}
		f, ok := final[e.key]
		if !ok {
			noFinal[e.key] = true
			continue
		}
		if !slices.Contains(f, e.elem) {
			report(Anomaly{Name: Lost, Key: e.key, Element: history.Int(e.elem), Txns: []int{idx(w)}})
		}
	}
	for k := range noFinal {
		res.KeysWithoutFinalRead = append(res.KeysWithoutFinalRead, k)
	}
	slices.Sort(res.KeysWithoutFinalRead)

	// 3. The dependency graph.
	g := &laGraph{edges: map[int]map[int]*laEdge{}}
	count := func(rel uint8, added bool) {
		if added {
			res.Edges[relNames[rel]]++
		}
	}
	for k, order := range orders {
		for i := 1; i < len(order); i++ {
			a, b := writer[appendKey{k, order[i-1]}], writer[appendKey{k, order[i]}]
			count(relWW, g.add(a, b, relWW, k))
		}
		for _, r := range reads[k] {
			if len(r.list) > 0 {
				count(relWR, g.add(writer[appendKey{k, r.list[len(r.list)-1]}], r.txn, relWR, k))
			}
			if len(r.list) < len(order) {
				count(relRW, g.add(r.txn, writer[appendKey{k, order[len(r.list)]}], relRW, k))
			}
		}
	}
	for _, a := range g.cycles() {
		for i := range a.Steps {
			a.Steps[i].From, a.Steps[i].To = idx(a.Steps[i].From), idx(a.Steps[i].To)
		}
		report(a)
	}
	if len(res.Anomalies) == 0 {
		res.Anomalies = nil
	}
	res.Unknown = len(res.Anomalies) == 0 && len(res.KeysWithoutFinalRead) > 0
	res.Valid = len(res.Anomalies) == 0 && !res.Unknown
	return res
}

// dups calls found for the first element that occurs twice in l, if any.
func dups(l []int64, found func(e int64)) {
	seen := make(map[int64]bool, len(l))
	for _, e := range l {
		if seen[e] {
			found(e)
			return
		}
		seen[e] = true
	}
}

func isPrefix(a, b []int64) bool { return len(a) <= len(b) && slices.Equal(a, b[:len(a)]) }
