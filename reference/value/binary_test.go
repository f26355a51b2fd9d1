package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

// genValue draws a value of any type, nested up to depth levels.
func genValue(t *rapid.T, depth int) Value {
	types := []Type{S, N, B, BOOL, NULL, SS, NS, BS}
	if depth > 0 {
		types = append(types, L, M)
	}
	switch rapid.SampledFrom(types).Draw(t, "type") {
	case S:
		return Str(rapid.String().Draw(t, "s"))
	case N:
		return Num(genNumber(t, "n"))
	case B:
		return Bin(rapid.SliceOf(rapid.Byte()).Draw(t, "b"))
	case BOOL:
		return Bool(rapid.Bool().Draw(t, "bool"))
	case NULL:
		return Null()
	case SS:
		return StrSet(rapid.SliceOfNDistinct(rapid.String(), 1, 4, rapid.ID[string]).Draw(t, "ss")...)
	case NS:
		return NumSet(genNumber(t, "ns"))
	case BS:
		// A set: distinct members (DynamoDB rejects duplicates).
		bs := rapid.SliceOfNDistinct(rapid.SliceOfN(rapid.Byte(), 1, 8), 1, 4, func(b []byte) string { return string(b) }).Draw(t, "bs")
		return BinSet(bs...)
	case L:
		n := rapid.IntRange(0, 3).Draw(t, "len")
		l := make([]Value, n)
		for i := range l {
			l[i] = genValue(t, depth-1)
		}
		return List(l...)
	default:
		return Map(genItem(t, depth-1))
	}
}

func genItem(t *rapid.T, depth int) Item {
	it := Item{}
	for range rapid.IntRange(0, 5).Draw(t, "members") {
		it[rapid.StringN(1, 6, -1).Draw(t, "name")] = genValue(t, depth)
	}
	return it
}

// TestBinaryRoundTrip: every item decodes to an equal item, consumes
// exactly its encoding, and equal items encode to equal bytes whatever
// the map iteration order (replicas compare digests of encodings).
func TestBinaryRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		it := genItem(t, 3)
		enc := AppendItemBinary([]byte("prefix"), it)[len("prefix"):]
		got, rest, err := DecodeItemBinary(append(enc, 0xEE))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !bytes.Equal(rest, []byte{0xEE}) {
			t.Fatalf("rest %x, want the trailing byte only", rest)
		}
		if !EqualItems(got, it) {
			t.Fatalf("round trip changed the item:\n got %s\nwant %s", got.AppendJSON(nil), it.AppendJSON(nil))
		}
		if again := AppendItemBinary(nil, got.Clone()); !bytes.Equal(again, enc) {
			t.Fatalf("equal items encode differently")
		}
		js, err := AppendItemJSONFromBinary([]byte("x"), enc)
		if err != nil {
			t.Fatalf("JSON from binary: %v", err)
		}
		var w WireItem
		if err := json.Unmarshal(js[1:], &w); err != nil {
			t.Fatalf("JSON from binary does not parse: %v\n%s", err, js[1:])
		}
		if fromJSON, err := w.ToItem(); err != nil || !EqualItems(fromJSON, it) {
			t.Fatalf("JSON from binary: %v, equal %v\n got %s\nwant %s", err, EqualItems(fromJSON, it), js[1:], it.AppendJSON(nil))
		}
		shared, rest, err := DecodeItemBinaryShared(enc)
		if err != nil || len(rest) != 0 || !EqualItems(shared, it) {
			t.Fatalf("shared decode: %v, rest %d, equal %v", err, len(rest), EqualItems(shared, it))
		}
	})
}

// TestBinaryRejectsTruncation: every strict prefix of an encoding is an
// error (never a panic, never a silently shorter item).
func TestBinaryRejectsTruncation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		it := genItem(t, 2)
		it["k"] = Str("v") // at least one member
		enc := AppendItemBinary(nil, it)
		cut := rapid.IntRange(0, len(enc)-1).Draw(t, "cut")
		if _, _, err := DecodeItemBinary(enc[:cut]); !errors.Is(err, ErrBinary) {
			t.Fatalf("prefix of %d/%d bytes: err %v, want ErrBinary", cut, len(enc), err)
		}
		if _, err := AppendItemJSONFromBinary(nil, enc[:cut]); !errors.Is(err, ErrBinary) {
			t.Fatalf("JSON of a prefix of %d/%d bytes: err %v, want ErrBinary", cut, len(enc), err)
		}
	})
}

func TestBinaryMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"unknown type", []byte{0x7f}},
		{"huge count", []byte{byte(L), 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"bad bool", []byte{byte(BOOL), 2}},
		{"string past end", []byte{byte(S), 5, 'a'}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := DecodeBinary(tc.in); !errors.Is(err, ErrBinary) {
				t.Fatalf("err %v, want ErrBinary", err)
			}
		})
	}
	deep := []byte{}
	for range maxBinaryDepth + 1 {
		deep = append(deep, byte(L), 1)
	}
	deep = append(deep, byte(NULL))
	if _, _, err := DecodeBinary(deep); !errors.Is(err, ErrBinary) {
		t.Fatalf("too deep: err %v, want ErrBinary", err)
	}
}

func BenchmarkItemCodec(b *testing.B) {
	it := Item{"YCSB_KEY": Str("user6284781860667377211")}
	for i := range 10 {
		it["field"+string(rune('0'+i))] = Str(string(bytes.Repeat([]byte{'x' + byte(i%3)}, 100)))
	}
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = AppendItemBinary(buf[:0], it)
			if _, _, err := DecodeItemBinary(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary-shared-decode", func(b *testing.B) {
		b.ReportAllocs()
		buf := AppendItemBinary(nil, it)
		for b.Loop() {
			if _, _, err := DecodeItemBinaryShared(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json-from-binary", func(b *testing.B) {
		b.ReportAllocs()
		enc := AppendItemBinary(nil, it)
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = AppendItemJSONFromBinary(buf[:0], enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-then-json", func(b *testing.B) {
		b.ReportAllocs()
		enc := AppendItemBinary(nil, it)
		var buf []byte
		for b.Loop() {
			item, _, err := DecodeItemBinaryShared(enc)
			if err != nil {
				b.Fatal(err)
			}
			buf = item.AppendJSON(buf[:0])
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = it.AppendJSON(buf[:0])
			var w WireItem
			if err := json.Unmarshal(buf, &w); err != nil {
				b.Fatal(err)
			}
			if _, err := w.ToItem(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
