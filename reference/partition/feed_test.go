package partition

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/value"
)

var gsiTestIndex = IndexSchema{Name: "byG", HashKey: "g", HashType: value.S, Projection: ProjectAll}

// wantEntries derives a GSI's entries from the State's items: entry key,
// then pk/v.
func wantEntries(s *State, x IndexSchema) []string {
	var out []string
	s.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
		if x.Indexed(it) {
			out = append(out, fmt.Sprintf("%x %s", x.Key(s.schema, it), entryText(x, it)))
		}
		return true
	})
	slices.Sort(out)
	return out
}

func entryText(x IndexSchema, it value.Item) string {
	return fmt.Sprintf("%s/%s/%v", it["pk"].Str, it[x.HashKey].Str, it["v"].Str)
}

func gotEntries(s *State, x IndexSchema) []string {
	var out []string
	s.ScanGlobal(x, nil, nil, false, func(key []byte, it value.Item) bool {
		out = append(out, fmt.Sprintf("%x %s", key, entryText(x, it)))
		return true
	})
	return out
}

// A partition's GSI entries equal the index of its items once writes
// stop, whatever the interleaving of writes with builds (first reads, and
// rebuilds after the entries were dropped) running concurrently.
func TestGlobalEntriesFollowWrites(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := NewState(testSchema)
		ops := rapid.SliceOfN(rapid.IntRange(0, 59), 1, 200).Draw(rt, "ops")
		drops := rapid.SliceOfN(rapid.IntRange(0, len(ops)), 0, 4).Draw(rt, "drops")
		apply := func(i int) {
			op := ops[i]
			key := value.Item{"pk": value.Str(fmt.Sprint("p", op%5)), "sk": value.Num(fmt.Sprint(op % 3))}
			switch op % 4 {
			case 0:
				s.Apply(uint64(i+1), &Command{Op: OpDelete, Key: key})
			case 1: // no index key
				s.Apply(uint64(i+1), &Command{Op: OpPut, Key: key, Item: value.Item{"pk": key["pk"], "sk": key["sk"], "v": value.Num(fmt.Sprint(i))}})
			default:
				s.Apply(uint64(i+1), &Command{Op: OpPut, Key: key, Item: value.Item{"pk": key["pk"], "sk": key["sk"],
					"g": value.Str(fmt.Sprint("g", op%3)), "v": value.Num(fmt.Sprint(i))}})
			}
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 2 { // readers, building when the entries are missing
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						gotEntries(s, gsiTestIndex)
					}
				}
			}()
		}
		for i := range ops {
			apply(i)
			if slices.Contains(drops, i) {
				s.KeepGlobals(nil)
			}
		}
		close(stop)
		wg.Wait()
		if got, want := gotEntries(s, gsiTestIndex), wantEntries(s, gsiTestIndex); !slices.Equal(got, want) {
			rt.Fatalf("entries\n%v\nwant\n%v", got, want)
		}
	})
}

// A restored snapshot replaces the State: its GSI entries are rebuilt from
// the new items. An index recreated under the same name with another
// schema is rebuilt too; a dropped one is no longer counted.
func TestGlobalEntriesRebuilt(t *testing.T) {
	put := func(m Machine, i int, g string) {
		key := value.Item{"pk": value.Str(fmt.Sprint("p", i)), "sk": value.Num("1")}
		m.State.Apply(uint64(i), &Command{Op: OpPut, Key: key, Item: value.Item{"pk": key["pk"], "sk": key["sk"], "g": value.Str(g), "v": value.Num(fmt.Sprint(i))}})
	}
	a, b := NewMachine(testSchema), NewMachine(testSchema)
	for i := 1; i <= 5; i++ {
		put(a, i, "a")
		put(b, i+10, "b")
	}
	if n := len(gotEntries(a.State, gsiTestIndex)); n != 5 {
		t.Fatalf("%d entries before the restore, want 5", n)
	}
	snap, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Restore(20, snap); err != nil {
		t.Fatal(err)
	}
	got, want := gotEntries(a.State, gsiTestIndex), wantEntries(b.State, gsiTestIndex)
	if !slices.Equal(got, want) {
		t.Fatalf("after restore %v, want %v", got, want)
	}
	keysOnly := gsiTestIndex
	keysOnly.Projection = ProjectKeysOnly
	a.State.ScanGlobal(keysOnly, nil, nil, false, func(_ []byte, it value.Item) bool {
		if _, ok := it["v"]; ok {
			t.Fatalf("KEYS_ONLY entry %v holds v: the ALL entries were reused", it)
		}
		return true
	})
	if n, _, ok := a.State.GlobalStats("byG"); !ok || n != 5 {
		t.Fatalf("GlobalStats = %d %v, want 5 true", n, ok)
	}
	a.State.KeepGlobals([]string{"other"})
	if _, _, ok := a.State.GlobalStats("byG"); ok {
		t.Fatal("a dropped index still has entries")
	}
}
