package router

import (
	"errors"
	"testing"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Errors cross nodes as WireErrors: DynamoDB errors keep type and message,
// others their text.
func TestWireErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		typ  string
	}{
		{"none", nil, ""},
		{"conditional check", ddberr.New(ddberr.ConditionalCheckFailed, "The conditional request failed"), ddberr.ConditionalCheckFailed},
		{"wrapped validation", errors.Join(ddberr.Validationf("bad")), ddberr.Validation},
		{"plain", errors.New("disk on fire"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := toWire(tc.err).Error()
			if tc.err == nil {
				if got != nil {
					t.Fatalf("nil error became %v", got)
				}
				return
			}
			if ddberr.TypeOf(got) != tc.typ {
				t.Fatalf("type %q, want %q (%v)", ddberr.TypeOf(got), tc.typ, got)
			}
			if tc.typ == "" && got.Error() != tc.err.Error() {
				t.Fatalf("message %q, want %q", got, tc.err)
			}
		})
	}
}

// A read of a split partition's range over its successors sees every item
// once, in key order, forwards and backwards, and stops when told to.
func TestCompositeReader(t *testing.T) {
	schema := partition.KeySchema{HashKey: "pk", HashType: value.S}
	all := partition.NewState(schema)
	var keys [][]byte
	for i := 0; i < 200; i++ {
		it := value.Item{"pk": value.Str(string(rune('a'+i%26)) + string(rune('A'+i/26)))}
		all.Apply(uint64(i+1), &partition.Command{Op: partition.OpPut, Key: it, Item: it})
	}
	all.Scan(nil, nil, false, func(k []byte, _ value.Item) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	})
	mid := partition.KeyHash(keys[len(keys)/2])
	lo, hi := partition.NewState(schema), partition.NewState(schema)
	all.Scan(nil, nil, false, func(k []byte, it value.Item) bool {
		dst := lo
		if partition.KeyHash(k) >= mid {
			dst = hi
		}
		dst.Apply(1, &partition.Command{Op: partition.OpPut, Key: it, Item: it})
		return true
	})
	cr := &compositeReader{parts: []part{{lo: 0, hi: mid - 1, r: lo}, {lo: mid, hi: ^uint64(0), r: hi}}}
	for _, reverse := range []bool{false, true} {
		var got [][]byte
		cr.Scan(nil, nil, reverse, func(k []byte, _ value.Item) bool {
			got = append(got, k)
			return true
		})
		if len(got) != len(keys) {
			t.Fatalf("reverse=%v: %d items, want %d", reverse, len(got), len(keys))
		}
		for i := range keys {
			want := keys[i]
			if reverse {
				want = keys[len(keys)-1-i]
			}
			if string(got[i]) != string(want) {
				t.Fatalf("reverse=%v: item %d out of order", reverse, i)
			}
		}
	}
	n := 0
	cr.Scan(nil, nil, false, func([]byte, value.Item) bool { n++; return n < 150 })
	if n != 150 {
		t.Fatalf("scan went on after fn returned false: %d calls", n)
	}
	for _, k := range keys {
		if _, ok := cr.Get(k); !ok {
			t.Fatalf("Get lost a key")
		}
	}
}
