package placement

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

var zones3 = []string{"az1", "az2", "az3"}

// genMembership draws 3..12 nodes with distinct ids spread over 3 zones,
// every zone non-empty.
func genMembership(t *rapid.T) []Node {
	n := rapid.IntRange(3, 12).Draw(t, "nodes")
	ids := rapid.SliceOfNDistinct(rapid.Uint64Range(1, 1<<40), n, n, rapid.ID[uint64]).Draw(t, "ids")
	nodes := make([]Node, n)
	for i := range nodes {
		zone := zones3[i%3] // first three cover every zone
		if i >= 3 {
			zone = rapid.SampledFrom(zones3).Draw(t, fmt.Sprintf("zone%d", i))
		}
		nodes[i] = Node{ID: NodeID(ids[i]), Zone: zone}
	}
	return nodes
}

// tokens are evenly spaced partition tokens, like a table's hash ranges.
func tokens(n int) []uint64 {
	out := make([]uint64, n)
	step := ^uint64(0) / uint64(n)
	for i := range out {
		out[i] = uint64(i) * step
	}
	return out
}

func TestPlaceOneReplicaPerZone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := genMembership(t)
		r, err := New(nodes, Options{VNodes: rapid.IntRange(1, 64).Draw(t, "vnodes")})
		if err != nil {
			t.Fatal(err)
		}
		tok := rapid.Uint64().Draw(t, "token")
		got := r.Place(tok)
		if len(got) != 3 {
			t.Fatalf("Place(%d) = %v, want 3 replicas", tok, got)
		}
		seen := map[string]bool{}
		for _, id := range got {
			n, ok := r.Node(id)
			if !ok {
				t.Fatalf("Place returned unknown node %d", id)
			}
			if seen[n.Zone] {
				t.Fatalf("Place(%d) = %v puts two replicas in %s", tok, got, n.Zone)
			}
			seen[n.Zone] = true
		}
	})
}

func TestPlaceDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := genMembership(t)
		shuffled := rapid.Permutation(nodes).Draw(t, "order")
		a, err := New(nodes, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(shuffled, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens(64) {
			if pa, pb := a.Place(tok), b.Place(tok); !slices.Equal(pa, pb) {
				t.Fatalf("same membership, different placement of %d: %v vs %v", tok, pa, pb)
			}
		}
	})
}

// moved counts replicas (partition, node) present in before but not in after.
func moved(before, after *Ring, toks []uint64) (count int, targets map[NodeID]int) {
	targets = map[NodeID]int{}
	for _, tok := range toks {
		b, a := before.Place(tok), after.Place(tok)
		for _, id := range a {
			if !slices.Contains(b, id) {
				count++
				targets[id]++
			}
		}
	}
	return count, targets
}

func TestAddNodeMovesAboutOneNth(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := genMembership(t)
		before, err := New(nodes, Options{})
		if err != nil {
			t.Fatal(err)
		}
		added := Node{ID: NodeID(1<<41 + rapid.Uint64Range(1, 1000).Draw(t, "newid")), Zone: rapid.SampledFrom(zones3).Draw(t, "newzone")}
		after, err := before.With(added)
		if err != nil {
			t.Fatal(err)
		}
		toks := tokens(3000)
		n, targets := moved(before, after, toks)
		for id := range targets {
			if id != added.ID {
				t.Fatalf("adding %d moved replicas to %d", added.ID, id)
			}
		}
		// Only the new node's zone changes its choice, so the expected share is
		// 1/k of the partitions, k the zone's size after the add; with
		// balanced zones (k = N/3) that is 1/N of all 3·P replicas.
		zoneSize := 1
		for _, m := range nodes {
			if m.Zone == added.Zone {
				zoneSize++
			}
		}
		if limit := 2 * len(toks) / zoneSize; n > limit {
			t.Fatalf("adding 1 node to a zone of %d moved %d replicas of %d partitions, want <= 2/k = %d", zoneSize-1, n, len(toks), limit)
		}
		if n == 0 {
			t.Fatalf("adding a node moved nothing")
		}
		// Removing it again is the inverse: exactly the original placement.
		back, err := after.Without(added.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			if pa, pb := before.Place(tok), back.Place(tok); !slices.Equal(pa, pb) {
				t.Fatalf("add then remove changed placement of %d: %v vs %v", tok, pa, pb)
			}
		}
	})
}

func TestRemoveNodeMovesOnlyItsReplicas(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := genMembership(t)
		before, err := New(nodes, Options{})
		if err != nil {
			t.Fatal(err)
		}
		victim := rapid.SampledFrom(nodes).Draw(t, "victim")
		zoneSize := 0
		for _, n := range nodes {
			if n.Zone == victim.Zone {
				zoneSize++
			}
		}
		if zoneSize < 2 {
			t.Skip("removing the only node of a zone leaves the zone empty")
		}
		after, err := before.Without(victim.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens(2000) {
			b, a := before.Place(tok), after.Place(tok)
			for i := range b {
				if b[i] != victim.ID && !slices.Contains(a, b[i]) {
					t.Fatalf("removing %d moved replica %d of token %d: %v -> %v", victim.ID, b[i], tok, b, a)
				}
			}
		}
	})
}

func TestNewRejectsBadMembership(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes []Node
	}{
		{"zero id", []Node{{ID: 0, Zone: "az1"}}},
		{"no zone", []Node{{ID: 1}}},
		{"duplicate", []Node{{ID: 1, Zone: "az1"}, {ID: 1, Zone: "az2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.nodes, Options{}); err == nil {
				t.Fatalf("New(%v) succeeded", tc.nodes)
			}
		})
	}
}

func TestEmptyRing(t *testing.T) {
	r, err := New(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Place(42); len(got) != 0 {
		t.Fatalf("empty ring placed %v", got)
	}
}

func TestAddNodeBalancedZonesMovesAtMostTwoOverN(t *testing.T) {
	for _, perZone := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprintf("%d per zone", perZone), func(t *testing.T) {
			var nodes []Node
			for i := 0; i < 3*perZone; i++ {
				nodes = append(nodes, Node{ID: NodeID(i + 1), Zone: zones3[i%3]})
			}
			before, err := New(nodes, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for z, zone := range zones3 {
				after, err := before.With(Node{ID: NodeID(100 + z), Zone: zone})
				if err != nil {
					t.Fatal(err)
				}
				toks := tokens(5000)
				n, _ := moved(before, after, toks)
				replicas := 3 * len(toks)
				// The new zone has perZone+1 nodes among N+1; the ideal share of
				// all replicas is 1/(3(perZone+1)), about 1/N.
				ideal := float64(replicas) / float64(3*(perZone+1))
				if float64(n) > 2*ideal || float64(n) < ideal/2 {
					t.Fatalf("adding to %s moved %d of %d replicas, ideal %.0f (want within [ideal/2, 2·ideal])", zone, n, replicas, ideal)
				}
			}
		})
	}
}
