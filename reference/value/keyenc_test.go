package value

import (
	"bytes"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

// The key encoding orders numbers numerically.
func TestNumberKeyOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genNumber(t, "a"), genNumber(t, "b")
		if rapid.Bool().Draw(t, "zero") {
			a = "0"
		}
		ca, _ := CanonicalNumber(a)
		cb, _ := CanonicalNumber(b)
		ka, kb := AppendKey(nil, Value{T: N, Str: ca}), AppendKey(nil, Value{T: N, Str: cb})
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		if got, want := bytes.Compare(ka, kb), ra.Cmp(rb); got != want {
			t.Fatalf("order(%s, %s) = %d, want %d (keys %x %x)", ca, cb, got, want, ka, kb)
		}
	})
}

// Strings and binaries order by unsigned bytes, and a composite key
// (partition key then sort key) orders by the first, then the second.
func TestBytesKeyOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.SliceOf(rapid.Byte()).Draw(t, "a")
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "b")
		s1 := rapid.SliceOf(rapid.Byte()).Draw(t, "s1")
		s2 := rapid.SliceOf(rapid.Byte()).Draw(t, "s2")
		ka := AppendKey(AppendKey(nil, Bin(a)), Bin(s1))
		kb := AppendKey(AppendKey(nil, Bin(b)), Bin(s2))
		want := bytes.Compare(a, b)
		if want == 0 {
			want = bytes.Compare(s1, s2)
		}
		if got := bytes.Compare(ka, kb); got != want {
			t.Fatalf("order(%x/%x, %x/%x) = %d, want %d", a, s1, b, s2, got, want)
		}
	})
}
