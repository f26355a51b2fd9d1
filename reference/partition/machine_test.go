package partition

import (
	"encoding/json"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/value"
)

var testSchema = KeySchema{HashKey: "pk", HashType: value.S, RangeKey: "sk", RangeType: value.N}

// Replicas that apply the same encoded commands in the same order reach the
// same digest; a snapshot restored elsewhere has that digest too; and the
// state agrees with a plain map model.
func TestMachineDeterminismAndSnapshot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := NewMachine(testSchema), NewMachine(testSchema)
		model := map[string]string{}
		n := rapid.IntRange(1, 80).Draw(t, "ops")
		for i := 1; i <= n; i++ {
			pk := rapid.SampledFrom([]string{"x", "y"}).Draw(t, "pk")
			sk := fmt.Sprint(rapid.IntRange(0, 5).Draw(t, "sk"))
			key := value.Item{"pk": value.Str(pk), "sk": value.Num(sk)}
			id := pk + "/" + sk
			var cmd *Command
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0:
				v := fmt.Sprint(i)
				cmd = &Command{Op: OpPut, Key: key, Item: value.Item{"pk": key["pk"], "sk": key["sk"], "v": value.Num(v)}}
				model[id] = v
			case 1:
				cmd = &Command{Op: OpDelete, Key: key}
				delete(model, id)
			case 2: // conditional increment: only when present
				cmd = &Command{Op: OpUpdate, Key: key, Condition: "attribute_exists(v)", Update: "SET v = v + :one",
					Values: map[string]value.Value{":one": value.Num("1")}}
				if old, ok := model[id]; ok {
					var x int
					fmt.Sscan(old, &x)
					model[id] = fmt.Sprint(x + 1)
				}
			case 3:
				cmd = &Command{Op: OpCheck, Key: key, Condition: "attribute_not_exists(pk)"}
			}
			enc, err := cmd.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			a.Apply(uint64(i), enc)
			b.Apply(uint64(i), enc)
		}
		if a.Digest() != b.Digest() {
			t.Fatal("replicas diverged")
		}
		for id, v := range model {
			var pk, sk string
			fmt.Sscanf(id, "%1s/%s", &pk, &sk)
			it, ok := a.Get(testSchema.Key(value.Item{"pk": value.Str(pk), "sk": value.Num(sk)}))
			if !ok || it["v"].Str != v {
				t.Fatalf("%s: got %v, model %s", id, it, v)
			}
		}
		if items, _ := a.Stats(); items != len(model) {
			t.Fatalf("%d items, model has %d", items, len(model))
		}
		snap, err := a.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		c := NewMachine(testSchema)
		if err := c.Restore(uint64(n), snap); err != nil {
			t.Fatal(err)
		}
		if c.Digest() != a.Digest() || c.Applied() != uint64(n) {
			t.Fatal("restored snapshot differs")
		}
		// Data directories of older versions hold JSON snapshots.
		old, err := jsonSnapshot(a)
		if err != nil {
			t.Fatal(err)
		}
		d := NewMachine(testSchema)
		if err := d.Restore(uint64(n), old); err != nil {
			t.Fatal(err)
		}
		if d.Digest() != a.Digest() {
			t.Fatal("restored JSON snapshot differs")
		}
		// A capture is unaffected by writes applied after it.
		image := a.SnapshotImageAppend()
		a.Apply(uint64(n+1), mustMarshal(t, &Command{Op: OpPut, Key: value.Item{"pk": value.Str("z"), "sk": value.Num("9")},
			Item: value.Item{"pk": value.Str("z"), "sk": value.Num("9")}}))
		late, err := image(nil)
		if err != nil {
			t.Fatal(err)
		}
		e := NewMachine(testSchema)
		if err := e.Restore(uint64(n), late); err != nil {
			t.Fatal(err)
		}
		if e.Digest() != c.Digest() {
			t.Fatal("a capture saw a later write")
		}
	})
}

func mustMarshal(t *rapid.T, c *Command) []byte {
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonSnapshot is the JSON image older versions wrote.
func jsonSnapshot(m Machine) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	snap := snapshot{Applied: m.applied}
	m.tree.Ascend(func(e entry) bool {
		snap.Items = append(snap.Items, e.item())
		snap.Meta = append(snap.Meta, [2]uint64{e.ver, e.ts})
		return true
	})
	return json.Marshal(snap)
}
