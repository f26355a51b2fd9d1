package node

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
)

func cmd(t *testing.T, c metaCmd) []byte {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func table(id string, parts ...[2]uint64) *catalog.Table {
	t := &catalog.Table{Name: "t", ID: id, Status: catalog.StatusActive}
	for i, p := range parts {
		t.Partitions = append(t.Partitions, &catalog.Partition{ID: i, Lo: p[0], Hi: p[1]})
	}
	return t
}

// The catalog group's state machine: each command's outcome, and splits
// that are idempotent, keep the map contiguous and survive a snapshot.
func TestMetaMachine(t *testing.T) {
	m := newMetaMachine(testFounders, func() {})
	steps := []struct {
		name    string
		c       metaCmd
		errType string
		parts   int
	}{
		{"create", metaCmd{Kind: "create", Table: table("A", [2]uint64{0, 99}, [2]uint64{100, ^uint64(0)})}, "", 2},
		{"create again, same id (a retry)", metaCmd{Kind: "create", Table: table("A", [2]uint64{0, 99}, [2]uint64{100, ^uint64(0)})}, "", 2},
		{"create, other id", metaCmd{Kind: "create", Table: table("B", [2]uint64{0, ^uint64(0)})}, ddberr.ResourceInUse, 2},
		{"split partition 0 at 50", metaCmd{Kind: "split", Table: &catalog.Table{Name: "t", ID: "A"}, Parent: 0, Mid: 50}, "", 3},
		{"the same split again", metaCmd{Kind: "split", Table: &catalog.Table{Name: "t", ID: "A"}, Parent: 0, Mid: 50}, "", 3},
		{"split outside the range", metaCmd{Kind: "split", Table: &catalog.Table{Name: "t", ID: "A"}, Parent: 1, Mid: 10}, "?", 3},
		{"update with a stale map keeps the split", metaCmd{Kind: "update", Table: table("A", [2]uint64{0, 99}, [2]uint64{100, ^uint64(0)})}, "", 3},
		{"update, other id", metaCmd{Kind: "update", Table: table("B")}, ddberr.ResourceNotFound, 3},
	}
	for i, s := range steps {
		res := m.Apply(uint64(i+1), cmd(t, s.c))
		err, _ := res.(error)
		switch {
		case s.errType == "" && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.errType == "?" && err == nil:
			t.Fatalf("%s: no error", s.name)
		case s.errType != "" && s.errType != "?" && ddberr.TypeOf(err) != s.errType:
			t.Fatalf("%s: error %v, want %s", s.name, err, s.errType)
		}
		tabs := m.list()
		if len(tabs) != 1 || len(tabs[0].Partitions) != s.parts {
			t.Fatalf("%s: %d tables, want 1 with %d partitions", s.name, len(tabs), s.parts)
		}
		var next uint64
		for _, p := range tabs[0].Partitions {
			if p.Lo != next {
				t.Fatalf("%s: partition %d starts at %d, want %d", s.name, p.ID, p.Lo, next)
			}
			next = p.Hi + 1
		}
	}
	if r := m.root("A", 3); r != 0 {
		t.Fatalf("root of a child of 0 = %d", r)
	}
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := newMetaMachine(testFounders, func() {})
	if err := r.Restore(9, snap); err != nil {
		t.Fatal(err)
	}
	if a, b := m.list(), r.list(); len(b) != 1 || len(b[0].Partitions) != len(a[0].Partitions) || r.root("A", 2) != 0 {
		t.Fatal("restore lost the split")
	}
	m.Apply(20, cmd(t, metaCmd{Kind: "delete", Table: table("A")}))
	if len(m.list()) != 0 {
		t.Fatal("delete left the table")
	}
}

var testFounders = []Member{{ID: 1, Zone: "az1"}, {ID: 2, Zone: "az2"}, {ID: 3, Zone: "az3"}}

// Membership and placement in the catalog group: a join records the
// voters placed by the old ring before changing it, a move is accepted only
// within a zone from a voter to a non-voter, one at a time per group, and
// its completion replaces the voter; all of it survives a snapshot.
func TestMetaMachineMembership(t *testing.T) {
	m := newMetaMachine(testFounders, func() {})
	if res := m.Apply(1, cmd(t, metaCmd{Kind: "create", Table: table("A", [2]uint64{0, 99}, [2]uint64{100, ^uint64(0)})})); res != nil {
		t.Fatal(res)
	}
	gid := GroupID("A", 0)
	if v := m.votersOf("A", 0); len(v) != 3 {
		t.Fatalf("voters of a new group %v, want one per zone", v)
	}
	steps := []struct {
		name   string
		c      metaCmd
		fails  bool
		voters []uint64 // of partition 0, sorted; nil: not checked
		moving bool
	}{
		{"join in a new zone", metaCmd{Kind: "join", Member: &Member{ID: 4, Zone: "az4"}}, true, []uint64{1, 2, 3}, false},
		{"join without a zone", metaCmd{Kind: "join", Member: &Member{ID: 4}}, true, nil, false},
		{"join az1", metaCmd{Kind: "join", Member: &Member{ID: 4, Zone: "az1"}}, false, []uint64{1, 2, 3}, false},
		{"join again (a retry)", metaCmd{Kind: "join", Member: &Member{ID: 4, Zone: "az1"}}, false, []uint64{1, 2, 3}, false},
		{"join again in another zone", metaCmd{Kind: "join", Member: &Member{ID: 4, Zone: "az2"}}, true, nil, false},
		{"move across zones", metaCmd{Kind: "move", Group: gid, From: 2, To: 4}, true, []uint64{1, 2, 3}, false},
		{"move from a non-voter", metaCmd{Kind: "move", Group: gid, From: 4, To: 1}, true, []uint64{1, 2, 3}, false},
		{"move an unknown group", metaCmd{Kind: "move", Group: 99, From: 1, To: 4}, true, nil, false},
		{"move 1 to 4", metaCmd{Kind: "move", Group: gid, From: 1, To: 4}, false, []uint64{1, 2, 3}, true},
		{"a second move of the group", metaCmd{Kind: "move", Group: gid, From: 1, To: 4}, true, []uint64{1, 2, 3}, true},
		{"cancel, other nodes", metaCmd{Kind: "cancel", Group: gid, From: 2, To: 4}, false, []uint64{1, 2, 3}, true},
		{"cancel", metaCmd{Kind: "cancel", Group: gid, From: 1, To: 4}, false, []uint64{1, 2, 3}, false},
		{"move 1 to 4 again", metaCmd{Kind: "move", Group: gid, From: 1, To: 4}, false, []uint64{1, 2, 3}, true},
		{"moved, other nodes", metaCmd{Kind: "moved", Group: gid, From: 2, To: 4}, false, []uint64{1, 2, 3}, true},
		{"moved", metaCmd{Kind: "moved", Group: gid, From: 1, To: 4}, false, []uint64{2, 3, 4}, false},
		{"moved again (a retry)", metaCmd{Kind: "moved", Group: gid, From: 1, To: 4}, false, []uint64{2, 3, 4}, false},
	}
	for i, s := range steps {
		res := m.Apply(uint64(i+2), cmd(t, s.c))
		if err, _ := res.(error); (err != nil) != s.fails {
			t.Fatalf("%s: result %v, want failure %v", s.name, res, s.fails)
		}
		if s.voters != nil {
			if v := slices.Sorted(slices.Values(m.votersOf("A", 0))); !slices.Equal(v, s.voters) {
				t.Fatalf("%s: voters %v, want %v", s.name, v, s.voters)
			}
		}
		if _, moving := m.moveOf(gid); moving != s.moving {
			t.Fatalf("%s: moving %v, want %v", s.name, moving, s.moving)
		}
	}
	if got := len(m.memberList()); got != 4 {
		t.Fatalf("%d members, want 4", got)
	}
	// A split's children keep the parent's current voters.
	m.Apply(50, cmd(t, metaCmd{Kind: "split", Table: &catalog.Table{Name: "t", ID: "A"}, Parent: 0, Mid: 50}))
	for _, child := range []int{2, 3} {
		if v := slices.Sorted(slices.Values(m.votersOf("A", child))); !slices.Equal(v, []uint64{2, 3, 4}) {
			t.Fatalf("child %d voters %v, want the parent's [2 3 4]", child, v)
		}
	}
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := newMetaMachine(testFounders, func() {})
	if err := r.Restore(60, snap); err != nil {
		t.Fatal(err)
	}
	if len(r.memberList()) != 4 || !slices.Equal(r.votersOf("A", 0), m.votersOf("A", 0)) ||
		!slices.Equal(r.votersOf("A", 3), m.votersOf("A", 3)) {
		t.Fatal("restore lost members or voters")
	}
	// A delete forgets the table's placement.
	m.Apply(61, cmd(t, metaCmd{Kind: "delete", Table: table("A")}))
	if len(m.voters) != 0 || len(m.moves) != 0 {
		t.Fatalf("delete left voters %v, moves %v", m.voters, m.moves)
	}
}

func TestPlanMove(t *testing.T) {
	zones := map[uint64]string{1: "az1", 2: "az2", 3: "az3", 4: "az1", 5: "az2"}
	zoneOf := func(id uint64) string { return zones[id] }
	for _, tc := range []struct {
		name        string
		cur, target []uint64
		want        Move
		ok          bool
	}{
		{"placed", []uint64{1, 2, 3}, []uint64{2, 1, 3}, Move{}, false},
		{"one zone differs", []uint64{1, 2, 3}, []uint64{4, 2, 3}, Move{From: 1, To: 4}, true},
		{"two zones differ: one step", []uint64{1, 2, 3}, []uint64{4, 5, 3}, Move{From: 1, To: 4}, true},
		{"second step", []uint64{4, 2, 3}, []uint64{4, 5, 3}, Move{From: 2, To: 5}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := planMove(tc.cur, tc.target, zoneOf)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("planMove = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
