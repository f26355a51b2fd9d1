package partition

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// lsiSchema has two local indexes: one projecting everything, one keys
// only, so an item's collection footprint depends on which index keys it
// holds.
var lsiSchema = KeySchema{HashKey: "pk", HashType: value.S, RangeKey: "sk", RangeType: value.N,
	Indexes: []IndexSchema{
		{Name: "byA", HashKey: "pk", HashType: value.S, RangeKey: "a", RangeType: value.S, Projection: ProjectAll, Local: true},
		{Name: "byB", HashKey: "pk", HashType: value.S, RangeKey: "b", RangeType: value.N, Projection: ProjectKeysOnly, Local: true},
	}}

// scannedCollection is the size of pk's item collection counted the slow
// way, from the trees: the items with that partition key and their local
// index entries.
func scannedCollection(s *State, pk string) int64 {
	prefix := HashPrefix(value.Str(pk))
	end := PrefixEnd(prefix)
	var n int64
	add := func(_ []byte, it value.Item) bool { n += int64(value.ItemSize(it)); return true }
	s.Scan(prefix, end, false, add)
	for _, x := range s.localSchemas {
		s.ScanLocal(x.Name, prefix, end, false, add)
	}
	return n
}

// Whatever the writes (plain, transactional, with or without index keys,
// growing and shrinking), each successful write reports the size its
// collection has afterwards, and the tracked sizes equal the trees'
// contents, also after a snapshot is restored.
func TestCollectionSizesFollowTheTrees(t *testing.T) {
	pks := []string{"x", "y"}
	rapid.Check(t, func(t *rapid.T) {
		m := NewMachine(lsiSchema)
		n := rapid.IntRange(1, 60).Draw(t, "ops")
		for i := 1; i <= n; i++ {
			pk := rapid.SampledFrom(pks).Draw(t, "pk")
			key := value.Item{"pk": value.Str(pk), "sk": value.Num(fmt.Sprint(rapid.IntRange(0, 4).Draw(t, "sk")))}
			item := value.Item{"pk": key["pk"], "sk": key["sk"], "v": value.Str(strings.Repeat("v", rapid.IntRange(0, 50).Draw(t, "v")))}
			if rapid.Bool().Draw(t, "a") {
				item["a"] = value.Str(strings.Repeat("a", rapid.IntRange(1, 20).Draw(t, "alen")))
			}
			if rapid.Bool().Draw(t, "b") {
				item["b"] = value.Num("7")
			}
			var cmds []*Command
			switch rapid.IntRange(0, 4).Draw(t, "op") {
			case 0:
				cmds = []*Command{{Op: OpPut, Key: key, Item: item}}
			case 1:
				cmds = []*Command{{Op: OpDelete, Key: key}}
			case 2:
				cmds = []*Command{{Op: OpUpdate, Key: key, Update: "SET v = :v REMOVE a",
					Values: map[string]value.Value{":v": item["v"]}}}
			case 3: // a transaction's prepare, then its commit or cancel
				id := fmt.Sprint("t", i)
				last := TxnCommit
				if rapid.Bool().Draw(t, "cancel") {
					last = TxnCancel
				}
				cmds = []*Command{
					{Op: OpPut, Key: key, Item: item, Txn: &TxnStep{ID: id, TS: uint64(i), Phase: TxnPrepare}},
					{Op: OpPut, Key: key, Txn: &TxnStep{ID: id, TS: uint64(i), Phase: last}},
				}
			case 4:
				cmds = []*Command{{Op: OpCheck, Key: key, Condition: "attribute_exists(pk) OR attribute_not_exists(pk)"}}
			}
			for _, c := range cmds {
				before := scannedCollection(m.State, pk)
				r := m.State.Apply(uint64(i), c)
				if r.Err != nil {
					t.Fatalf("%+v: %v", c, r.Err)
				}
				want := scannedCollection(m.State, pk)
				switch {
				case c.Op == OpCheck && c.Txn == nil:
					want = 0
				case c.Txn != nil && c.Txn.Phase == TxnPrepare:
					// nothing changed yet: the size the write alone leaves
					want = before - m.footprint(r.Old) + m.footprint(r.New)
				case c.Txn != nil && c.Txn.Phase == TxnCancel:
					want = 0
				}
				if r.Collection != want {
					t.Fatalf("%+v: Result.Collection %d, want %d", c, r.Collection, want)
				}
			}
		}
		check := func(s *State, what string) {
			for _, pk := range pks {
				if got, want := s.collectionSize(value.Item{"pk": value.Str(pk)}), scannedCollection(s, pk); got != want {
					t.Fatalf("%s: collection %s tracked as %d bytes, the trees hold %d", what, pk, got, want)
				}
			}
		}
		check(m.State, "applied")
		snap, err := m.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		r := NewMachine(lsiSchema)
		if err := r.Restore(uint64(n), snap); err != nil {
			t.Fatal(err)
		}
		check(r.State, "restored")
	})
}

// The limit stops writes that grow a full collection, and only those.
func TestCollectionLimit(t *testing.T) {
	put := func(sk, v string) *Command {
		k := value.Item{"pk": value.Str("p"), "sk": value.Num(sk)}
		return &Command{Op: OpPut, Key: k, Item: value.Item{"pk": k["pk"], "sk": k["sk"], "v": value.Str(v)}}
	}
	full := strings.Repeat("x", 60)
	cases := []struct {
		name string
		cmd  *Command
		err  string
	}{
		{"a new item in the full collection", put("2", "y"), ddberr.ItemCollectionSizeLimit},
		{"a bigger item in place of one there", put("1", full+"y"), ddberr.ItemCollectionSizeLimit},
		{"the same item again", put("1", full), ""},
		{"a smaller item", put("1", "x"), ""},
		{"a delete", &Command{Op: OpDelete, Key: value.Item{"pk": value.Str("p"), "sk": value.Num("1")}}, ""},
		{"another collection", func() *Command {
			c := put("2", "y")
			c.Key["pk"], c.Item["pk"] = value.Str("q"), value.Str("q")
			return c
		}(), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			schema := lsiSchema
			s := NewState(schema)
			first := put("1", full)
			// The limit is exactly the collection's size after the first
			// item: the collection is full.
			schema.CollectionLimit = s.footprint(first.Item)
			s = NewState(schema)
			if r := s.Apply(1, first); r.Err != nil || r.Collection != schema.CollectionLimit {
				t.Fatalf("first put: %v, collection %d", r.Err, r.Collection)
			}
			r := s.Apply(2, tc.cmd)
			if got := ddberr.TypeOf(r.Err); got != tc.err {
				t.Fatalf("error %q (%v), want %q", got, r.Err, tc.err)
			}
		})
	}
}

// A table without local indexes has no item collections: no sizes kept,
// none reported, no limit.
func TestNoCollectionsWithoutLocalIndexes(t *testing.T) {
	s := NewState(KeySchema{HashKey: "pk", HashType: value.S, CollectionLimit: 1})
	r := s.Apply(1, &Command{Op: OpPut, Key: value.Item{"pk": value.Str("a")}, Item: value.Item{"pk": value.Str("a"), "v": value.Str("big")}})
	if r.Err != nil || r.Collection != 0 || s.colls != nil {
		t.Fatalf("err %v, collection %d, sizes %v", r.Err, r.Collection, s.colls)
	}
}

// On a table with local indexes the 400 KB item size limit counts the item
// and its local index entries together.
func TestItemSizeCountsLocalIndexEntries(t *testing.T) {
	big := strings.Repeat("v", 250<<10)
	cases := []struct {
		name   string
		schema KeySchema
		attrs  value.Item
		err    string
	}{
		{"in the ALL index: twice the item", lsiSchema, value.Item{"a": value.Str("x")}, ddberr.Validation},
		{"in the KEYS_ONLY index only", lsiSchema, value.Item{"b": value.Num("1")}, ""},
		{"in no index", lsiSchema, value.Item{}, ""},
		{"a table without local indexes", testSchema, value.Item{"a": value.Str("x")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := value.Item{"pk": value.Str("p"), "sk": value.Num("1")}
			it := value.Item{"pk": k["pk"], "sk": k["sk"], "v": value.Str(big)}
			for name, v := range tc.attrs {
				it[name] = v
			}
			r := NewState(tc.schema).Apply(1, &Command{Op: OpPut, Key: k, Item: it})
			if got := ddberr.TypeOf(r.Err); got != tc.err {
				t.Fatalf("error %q (%v), want %q", got, r.Err, tc.err)
			}
		})
	}
}

// Prepared transactions' growth counts against the limit: with a
// transaction prepared to add an item to a collection, a plain write that
// fits only without it is refused; once the transaction is cancelled it
// fits, and had the transaction committed both would have been over.
func TestCollectionLimitCountsPreparedWrites(t *testing.T) {
	key := func(sk string) value.Item { return value.Item{"pk": value.Str("p"), "sk": value.Num(sk)} }
	item := func(sk, v string) value.Item {
		k := key(sk)
		return value.Item{"pk": k["pk"], "sk": k["sk"], "v": value.Str(v)}
	}
	big := strings.Repeat("x", 60)
	schema := lsiSchema
	// Room for two of the big items, not three.
	schema.CollectionLimit = 2*lsiSchema.CollectionFootprint(item("1", big)) + 10
	s := NewState(schema)
	if r := s.Apply(1, &Command{Op: OpPut, Key: key("1"), Item: item("1", big)}); r.Err != nil {
		t.Fatal(r.Err)
	}
	prep := &Command{Op: OpPut, Key: key("2"), Item: item("2", big), Txn: &TxnStep{ID: "t1", TS: 5, Phase: TxnPrepare}}
	if r := s.Apply(2, prep); r.Err != nil {
		t.Fatalf("prepare: %v", r.Err)
	}
	third := &Command{Op: OpPut, Key: key("3"), Item: item("3", big)}
	if r := s.Apply(3, third); ddberr.TypeOf(r.Err) != ddberr.ItemCollectionSizeLimit {
		t.Fatalf("a write past the limit with t1's prepared item counted: %v, want ItemCollectionSizeLimitExceeded", r.Err)
	}
	if r := s.Apply(4, &Command{Op: OpPut, Key: key("2"), Txn: &TxnStep{ID: "t1", TS: 5, Phase: TxnCancel}}); r.Err != nil {
		t.Fatalf("cancel: %v", r.Err)
	}
	if r := s.Apply(5, third); r.Err != nil {
		t.Fatalf("the same write after t1 was cancelled: %v", r.Err)
	}
}
