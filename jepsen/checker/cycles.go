package checker

import "slices"

// maxRWProbes bounds the search for G-single cycles in one strongly
// connected component (a breadth-first search per anti-dependency edge).
const maxRWProbes = 2000

// cycles finds the dependency cycles of g: one anomaly per strongly
// connected component, named for the most specific phenomenon it contains
// (G0, then G1c, then G-single, then G2), with an example cycle. Steps name
// transactions by their position in the checker's list.
func (g *laGraph) cycles() []Anomaly {
	all := relWW | relWR | relRW
	var out []Anomaly
	for _, scc := range g.sccs(nil, all) {
		in := map[int]bool{}
		for _, n := range scc {
			in[n] = true
		}
		if c := g.someCycle(in, relWW); c != nil {
			out = append(out, Anomaly{Name: G0, Steps: c})
			continue
		}
		if c := g.someCycle(in, relWW|relWR); c != nil {
			out = append(out, Anomaly{Name: G1c, Steps: c})
			continue
		}
		if c := g.singleRW(in); c != nil {
			out = append(out, Anomaly{Name: GSingle, Steps: c})
			continue
		}
		out = append(out, Anomaly{Name: G2, Steps: g.someCycle(in, all)})
	}
	return out
}

// sccs returns the strongly connected components with more than one node
// of the subgraph of edges in mask between nodes in (nil: all nodes), by
// Tarjan's algorithm (iterative, so long chains do not exhaust the stack).
func (g *laGraph) sccs(in map[int]bool, mask uint8) [][]int {
	nodes := make([]int, 0, len(g.edges))
	for n := range g.edges {
		if in == nil || in[n] {
			nodes = append(nodes, n)
		}
	}
	slices.Sort(nodes) // deterministic output
	index, low := map[int]int{}, map[int]int{}
	onStack := map[int]bool{}
	var stack []int
	var out [][]int
	next := 0
	type frame struct {
		n     int
		succs []int
		i     int
	}
	for _, root := range nodes {
		if _, seen := index[root]; seen {
			continue
		}
		frames := []frame{{n: root, succs: g.succs(root, in, mask)}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			if f.i < len(f.succs) {
				s := f.succs[f.i]
				f.i++
				if _, seen := index[s]; !seen {
					index[s], low[s] = next, next
					next++
					stack = append(stack, s)
					onStack[s] = true
					frames = append(frames, frame{n: s, succs: g.succs(s, in, mask)})
				} else if onStack[s] {
					low[f.n] = min(low[f.n], index[s])
				}
				continue
			}
			n := f.n
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				p := frames[len(frames)-1].n
				low[p] = min(low[p], low[n])
			}
			if low[n] == index[n] {
				var scc []int
				for {
					top := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[top] = false
					scc = append(scc, top)
					if top == n {
						break
					}
				}
				if len(scc) > 1 {
					slices.Sort(scc)
					out = append(out, scc)
				}
			}
		}
	}
	return out
}

// succs lists n's successors over edges in mask, inside in (nil: all).
func (g *laGraph) succs(n int, in map[int]bool, mask uint8) []int {
	var out []int
	for s, e := range g.edges[n] {
		if e.mask&mask != 0 && (in == nil || in[s]) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// someCycle returns a cycle of edges in mask among nodes in, or nil.
func (g *laGraph) someCycle(in map[int]bool, mask uint8) []Step {
	sub := g.sccs(in, mask)
	if len(sub) == 0 {
		return nil
	}
	inSub := map[int]bool{}
	for _, n := range sub[0] {
		inSub[n] = true
	}
	start := sub[0][0]
	for _, s := range g.succs(start, inSub, mask) {
		if path := g.path(s, start, inSub, mask); path != nil {
			return append([]Step{g.step(start, s, mask)}, path...)
		}
	}
	return nil // unreachable: a component of more than one node has a cycle through each node
}

// singleRW returns a cycle with exactly one rw edge among nodes in: an rw
// edge a→b and a path from b back to a over ww and wr edges.
func (g *laGraph) singleRW(in map[int]bool) []Step {
	probes := 0
	for _, a := range sortedKeys(in) {
		for _, b := range g.succs(a, in, relRW) {
			if probes++; probes > maxRWProbes {
				return nil
			}
			if path := g.path(b, a, in, relWW|relWR); path != nil {
				return append([]Step{g.step(a, b, relRW)}, path...)
			}
		}
	}
	return nil
}

// path finds a shortest path from → to over edges in mask among nodes in
// (breadth first); nil if none. from == to is the empty path.
func (g *laGraph) path(from, to int, in map[int]bool, mask uint8) []Step {
	if from == to {
		return []Step{}
	}
	prev := map[int]int{from: from}
	queue := []int{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, s := range g.succs(n, in, mask) {
			if _, seen := prev[s]; seen {
				continue
			}
			prev[s] = n
			if s == to {
				var steps []Step
				for c := to; c != from; c = prev[c] {
					steps = append(steps, g.step(prev[c], c, mask))
				}
				slices.Reverse(steps)
				return steps
			}
			queue = append(queue, s)
		}
	}
	return nil
}

// step describes the edge from → to by its strongest relation in mask
// (ww, then wr, then rw).
func (g *laGraph) step(from, to int, mask uint8) Step {
	e := g.edges[from][to]
	for _, rel := range []uint8{relWW, relWR, relRW} {
		if e.mask&mask&rel != 0 {
			return Step{From: from, To: to, Rel: relNames[rel], Key: e.keys[relIndex(rel)]}
		}
	}
	panic("checker: step over a missing edge")
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
