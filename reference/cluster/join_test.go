package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/placement"
	"github.com/ddbkit/ddbkit/reference/value"
)

// placementOf returns each partition's voters (by group) and the table id
// as node id reports them on /admin/status.
func placementOf(t *testing.T, c *Cluster, id uint64, table string) (string, map[int]uint64, map[uint64][]uint64) {
	t.Helper()
	resp, err := http.Get(c.NodeURL(id) + "/admin/status?digests=false")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st node.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	groups, voters := map[int]uint64{}, map[uint64][]uint64{}
	for _, ts := range st.Tables {
		if ts.Name != table {
			continue
		}
		for _, p := range ts.Partitions {
			groups[p.ID] = p.Group
			for _, r := range p.Replicas {
				if want := c.Zone(r.Node); r.Zone != want {
					t.Fatalf("status of node %d: replica on node %d in zone %s, want %s", id, r.Node, r.Zone, want)
				}
				voters[p.Group] = append(voters[p.Group], r.Node)
			}
		}
		return ts.ID, groups, voters
	}
	t.Fatalf("node %d does not report table %s", id, table)
	return "", nil, nil
}

// ringPlacement is the zone-aware ring's placement of each partition group
// for the given members, computed independently of the nodes.
func ringPlacement(t *testing.T, members []placement.Node, tableID string, groups map[int]uint64) map[uint64][]uint64 {
	t.Helper()
	r, err := placement.New(members, placement.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64][]uint64{}
	for part, gid := range groups {
		for _, id := range r.Place(value.Mix64(node.GroupID(tableID, part))) {
			out[gid] = append(out[gid], uint64(id))
		}
	}
	return out
}

// Adding a fourth node (az1) to a three-node cluster under load moves to it,
// by raft membership change, exactly the replicas the ring now places on it
// (node 1's, the only other az1 node): the catalog and /admin/status show
// the new voters, node 1 no longer holds the moved groups, no acknowledged
// write is lost, reads and writes go on during the move, all replicas
// converge, and the new node recovers the moved replicas from its own disk
// after a crash.
func TestAddNodeMovesReplicasToIt(t *testing.T) {
	c := startCluster(t, 41, func(o *Options) {
		o.Partitions, o.MoveCheck = 16, 50*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cl := client(t, c.URL())
	createTable(t, cl, "moves")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]int{}
	for i := 0; i < 200; i++ {
		k := fmt.Sprintf("pre-%d", i)
		if err := put(ctx, cl, "moves", k, i); err != nil {
			t.Fatal(err)
		}
		acked[k] = i
	}
	tableID, groups, before := placementOf(t, c, 2, "moves")
	founders := []placement.Node{{ID: 1, Zone: "az1"}, {ID: 2, Zone: "az2"}, {ID: 3, Zone: "az3"}}
	for gid, v := range ringPlacement(t, founders, tableID, groups) {
		if !sameSet(v, before[gid]) {
			t.Fatalf("group %d: voters %v before the join, ring placement %v", gid, before[gid], v)
		}
	}

	// Writers and readers run throughout the move.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes, writeErrs, reads, readErrs, duringMoves atomic.Int64
	readFail := make(chan error, 1)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d-%d", w, i)
				wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
				err := put(wctx, cl, "moves", k, i)
				wcancel()
				if err != nil {
					writeErrs.Add(1)
					continue
				}
				writes.Add(1)
				if n := c.Node(2); n != nil && len(n.Moves()) > 0 {
					duringMoves.Add(1)
				}
				mu.Lock()
				acked[k] = i
				mu.Unlock()
				// Read back an acknowledged write, strongly.
				rk, want := fmt.Sprintf("pre-%d", (i*7+w)%200), (i*7+w)%200
				rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
				v, found, err := get(rctx, cl, "moves", rk, true)
				rcancel()
				switch {
				case err != nil:
					readErrs.Add(1)
				case !found || v != fmt.Sprint(want):
					select {
					case readFail <- fmt.Errorf("consistent read of %s during the move: found=%v v=%s, want %d", rk, found, v, want):
					default:
					}
				default:
					reads.Add(1)
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond) // the load is on before the join
	id, err := c.AddNode(ctx, "az1")
	if err != nil {
		t.Fatal(err)
	}
	if id != 4 {
		t.Fatalf("new node id %d, want 4", id)
	}
	// The new node serves the API at once: it knows the table (or asks
	// the client to retry while its catalog catches up), never reports
	// it missing.
	if v, found, err := get(ctx, client(t, c.NodeURL(4)), "moves", "pre-7", true); err != nil || !found || v != "7" {
		t.Fatalf("consistent read through the new node: %s, found=%v, err=%v", v, found, err)
	}
	if err := c.WaitPlaced(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // and stays on after it
	close(stop)
	wg.Wait()
	select {
	case err := <-readFail:
		t.Fatal(err)
	default:
	}
	t.Logf("around the moves: %d writes acknowledged (%d while moves were in progress), %d failed; %d consistent reads, %d failed",
		writes.Load(), duringMoves.Load(), writeErrs.Load(), reads.Load(), readErrs.Load())
	if duringMoves.Load() == 0 || reads.Load() == 0 {
		t.Fatal("no write acknowledged while replicas moved, or no read succeeded")
	}
	if bad := writeErrs.Load() + readErrs.Load(); bad*10 > writes.Load()+reads.Load() {
		t.Fatalf("%d of %d requests failed during the move", bad, bad+writes.Load()+reads.Load())
	}

	// Placement: the ring's with node 4, reached by moving node 1's
	// replicas only, as every node reports it.
	want := ringPlacement(t, append(founders, placement.Node{ID: 4, Zone: "az1"}), tableID, groups)
	var moved []uint64
	for _, n := range c.NodeIDs() {
		_, _, after := placementOf(t, c, n, "moves")
		for gid, v := range after {
			if !sameSet(v, want[gid]) {
				t.Fatalf("node %d reports group %d on %v, ring placement with node 4 is %v", n, gid, v, want[gid])
			}
			if n == 1 && !sameSet(v, before[gid]) {
				exp := slices.Clone(before[gid])
				exp[slices.Index(exp, 1)] = 4 // node 1 leaves, node 4 comes; nothing else moves
				if !sameSet(v, exp) {
					t.Fatalf("group %d moved from %v to %v: not only from node 1 to node 4", gid, before[gid], v)
				}
				moved = append(moved, gid)
			}
		}
	}
	// Exactly the groups whose ring placement changed moved (each with
	// probability 1/2 here: az1 has two nodes now; the table id is random,
	// so 16 partitions make "none" or "all" a 1-in-32768 event).
	var expect []uint64
	for gid, v := range want {
		if !sameSet(v, before[gid]) {
			expect = append(expect, gid)
		}
	}
	if !sameSet(moved, expect) || len(moved) == 0 || len(moved) == len(groups) {
		t.Fatalf("groups %v moved to the new node, the ring moves %v (of %d)", moved, expect, len(groups))
	}
	for _, gid := range moved {
		if _, ok := c.Node(1).Replicas().Group(gid); ok {
			t.Fatalf("node 1 still holds moved group %d", gid)
		}
		g, ok := c.Node(4).Replicas().Group(gid)
		if !ok {
			t.Fatalf("node 4 holds no replica of moved group %d", gid)
		}
		if v := g.Status().Voters; !sameSet(v, want[gid]) {
			t.Fatalf("group %d: raft voters %v, want %v", gid, v, want[gid])
		}
	}
	t.Logf("%d of %d groups moved to node 4", len(moved), len(groups))

	checkAll := func(when string) {
		t.Helper()
		seen, err := scanAll(ctx, cl, "moves")
		if err != nil {
			t.Fatalf("%s: scan: %v", when, err)
		}
		mu.Lock()
		defer mu.Unlock()
		for k := range acked {
			if seen[k] != 1 {
				t.Fatalf("%s: acknowledged %s seen %d times", when, k, seen[k])
			}
		}
		if err := c.WaitConverged(ctx); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		for gid, ds := range c.Digests() {
			if !slices.ContainsFunc(moved, func(g uint64) bool { return g == gid }) {
				continue
			}
			var on []uint64
			for _, d := range ds {
				on = append(on, d.Node)
			}
			if !sameSet(on, want[gid]) {
				t.Fatalf("%s: group %d reports replicas on %v, want %v", when, gid, on, want[gid])
			}
		}
	}
	checkAll("after the move")

	// The new node recovers its moved replicas from its own disk.
	if err := c.Crash(4); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for _, gid := range moved {
		eventually(t, fmt.Sprintf("node 4 to restart group %d from its disk", gid), 20*time.Second, func() error {
			st, ok := c.Node(4).State(gid)
			if !ok {
				return fmt.Errorf("no replica")
			}
			if items, _ := st.Stats(); items == 0 {
				return fmt.Errorf("empty replica")
			}
			return nil
		})
	}
	checkAll("after node 4 restarted")
}

// Nodes added in each zone (a fifth and sixth beside a fourth): each join
// moves to the new node exactly the replicas the ring now places on it,
// one zone at a time, and every replica converges.
func TestAddNodesInEveryZone(t *testing.T) {
	c := startCluster(t, 43, func(o *Options) {
		o.Partitions, o.MoveCheck = 6, 50*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cl := client(t, c.URL())
	createTable(t, cl, "zones")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := put(ctx, cl, "zones", fmt.Sprintf("k%d", i), i); err != nil {
			t.Fatal(err)
		}
	}
	members := []placement.Node{{ID: 1, Zone: "az1"}, {ID: 2, Zone: "az2"}, {ID: 3, Zone: "az3"}}
	for _, zone := range []string{"az2", "az3", "az1"} {
		tableID, groups, before := placementOf(t, c, 1, "zones")
		id, err := c.AddNode(ctx, zone)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, placement.Node{ID: placement.NodeID(id), Zone: zone})
		if err := c.WaitPlaced(ctx); err != nil {
			t.Fatal(err)
		}
		want := ringPlacement(t, members, tableID, groups)
		_, _, after := placementOf(t, c, id, "zones")
		moved := 0
		for gid, v := range after {
			if !sameSet(v, want[gid]) {
				t.Fatalf("node %d joined: group %d on %v, ring placement %v", id, gid, v, want[gid])
			}
			if !sameSet(v, before[gid]) {
				moved++
				if !slices.Contains(v, id) || len(slices.DeleteFunc(slices.Clone(v), func(n uint64) bool {
					return slices.Contains(before[gid], n)
				})) != 1 {
					t.Fatalf("node %d joined: group %d moved from %v to %v, not only to the new node", id, gid, before[gid], v)
				}
			}
		}
		t.Logf("node %d (%s) joined: %d of %d groups moved to it", id, zone, moved, len(groups))
	}
	for i := 0; i < 100; i++ {
		v, found, err := get(ctx, cl, "zones", fmt.Sprintf("k%d", i), true)
		if err != nil || !found || v != fmt.Sprint(i) {
			t.Fatalf("k%d after the joins: %s, found=%v, err=%v", i, v, found, err)
		}
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
}

// A crash in the middle of the moves: node 1, the node the replicas move
// away from (and maybe the catalog's or a group's leader), crashes right
// after node 4 joins and restarts a second later. The moves resume from
// the catalog's record and finish, nothing acknowledged is lost, and every
// replica converges.
func TestAddNodeMovesSurviveACrash(t *testing.T) {
	c := startCluster(t, 47, func(o *Options) {
		o.Partitions, o.MoveCheck = 16, 50*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cl := client(t, c.URL())
	createTable(t, cl, "crashmove")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := 0; i < 300; i++ {
		k := fmt.Sprintf("k%d", i)
		if err := put(ctx, cl, "crashmove", k, i); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if _, err := c.AddNode(ctx, "az1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a move under way", 10*time.Second, func() error {
		if len(c.Node(2).Moves()) == 0 {
			return fmt.Errorf("no move in progress")
		}
		return nil
	})
	if err := c.Crash(1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := c.Restart(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitPlaced(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		v, found, err := get(ctx, cl, "crashmove", k, true)
		if err != nil || !found || v != fmt.Sprint(i) {
			t.Fatalf("%s after the moves: %s, found=%v, err=%v", k, v, found, err)
		}
	}
}
