package partition

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"

	"pgregory.net/rapid"
)

// lessEntry, which compares 8-byte prefixes before bytes, orders any two
// keys exactly as bytes.Compare does: short keys, keys padded with zero
// bytes, keys sharing long prefixes.
func TestLessEntryIsBytewiseOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		alphabet := rapid.SampledFrom([]byte{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff})
		shared := rapid.SliceOfN(alphabet, 0, 12).Draw(t, "shared")
		a := append(bytes.Clone(shared), rapid.SliceOfN(alphabet, 0, 12).Draw(t, "a")...)
		b := append(bytes.Clone(shared), rapid.SliceOfN(alphabet, 0, 12).Draw(t, "b")...)
		want := bytes.Compare(a, b) < 0
		if got := lessEntry(probe(a), probe(b)); got != want {
			t.Fatalf("lessEntry(%x, %x) = %v, bytes.Compare says %v", a, b, got, want)
		}
	})
}

// ycsbState is a partition of n YCSB-shaped items (10 fields of 100 bytes)
// and their B-tree keys.
func ycsbState(tb testing.TB, n int) (*State, [][]byte) {
	s := NewState(KeySchema{HashKey: "key"})
	var keys [][]byte
	for i := 0; i < n; i++ {
		k := value.Item{"key": value.Str(fmt.Sprintf("user%d", uint64(i)*0x9E3779B97F4A7C15%1e19))}
		it := value.Item{"key": k["key"]}
		for f := 0; f < 10; f++ {
			it[fmt.Sprintf("field%d", f)] = value.Str(strings.Repeat("x", 100))
		}
		if r := s.Apply(uint64(i+1), &Command{Op: OpPut, Key: k, Item: it}); r.Err != nil {
			tb.Fatal(r.Err)
		}
		keys = append(keys, s.schema.Key(k))
	}
	return s, keys
}

// The snapshot image of 2,500 YCSB-shaped items: one buffer of the exact
// size, filled once.
func BenchmarkSnapshotImage(b *testing.B) {
	s, _ := ycsbState(b, 2500)
	m := Machine{s}
	img, err := m.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.SnapshotImageAppend()(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// A point read in a partition of 2,500 YCSB-shaped items (a quarter of a
// 10,000-record table): the B-tree search plus the copy out.
func BenchmarkStateGetEncoded(b *testing.B) {
	s, keys := ycsbState(b, 2500)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, ok := s.GetEncoded(keys[i%len(keys)]); !ok {
			b.Fatal("missing")
		}
	}
}
