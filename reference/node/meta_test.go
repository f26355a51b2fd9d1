package node

import (
	"encoding/json"
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
	m := newMetaMachine(func() {})
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
	r := newMetaMachine(func() {})
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
