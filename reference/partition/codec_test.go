package partition

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/value"
)

func codecCases() map[string]*Command {
	yes := true
	return map[string]*Command{
		"put": {ID: "r1", Op: OpPut, Key: value.Item{"pk": value.Str("a")},
			Item: value.Item{"pk": value.Str("a"), "n": value.Num("12.5"), "l": value.List(value.Null(), value.Bool(true))}},
		"update": {Op: OpUpdate, Key: value.Item{"pk": value.Str("a"), "sk": value.Num("1")},
			Condition: "attribute_exists(#p) AND #n < :v", Update: "SET #n = #n + :one",
			Names:  map[string]string{"#p": "pk", "#n": "n"},
			Values: map[string]value.Value{":v": value.Num("10"), ":one": value.Num("1"), ":m": value.Map(map[string]value.Value{"x": value.BinSet([]byte{1})})}},
		"delete": {Op: OpDelete, Key: value.Item{"pk": value.Bin([]byte{0, 1, 2})}},
		"legacy": {Op: OpUpdate, Key: value.Item{"pk": value.Str("a")}, CondOp: "OR",
			Expected:         map[string]expr.LegacyCondition{"a": {Exists: &yes, Value: new(value.Str("x"))}},
			AttributeUpdates: map[string]expr.AttributeUpdate{"b": {Action: "ADD", Value: new(value.Num("2"))}}},
		"txn": {Op: OpCheck, Key: value.Item{"pk": value.Str("a")}, Condition: "attribute_not_exists(pk)",
			Txn: &TxnStep{ID: "t-1", TS: 1 << 40, Phase: 2}},
	}
}

// TestCommandCodecRoundTrip: every command decodes to what was encoded,
// in the binary form and from the JSON form older logs hold.
func TestCommandCodecRoundTrip(t *testing.T) {
	for name, c := range codecCases() {
		t.Run(name, func(t *testing.T) {
			enc, err := c.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if enc[0] != commandMagic {
				t.Fatalf("first byte %#x, want the binary form", enc[0])
			}
			got, err := UnmarshalCommand(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Fatalf("binary round trip:\n got %+v\nwant %+v", got, c)
			}
			old, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, err := UnmarshalCommand(old)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromJSON, got) {
				t.Fatalf("JSON form decodes differently:\n got %+v\nwant %+v", fromJSON, got)
			}
		})
	}
}

// TestCommandCodecRejectsDamage: truncated or extended encodings are
// errors, never panics or different commands.
func TestCommandCodecRejectsDamage(t *testing.T) {
	for name, c := range codecCases() {
		enc, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		for cut := range len(enc) {
			if _, err := UnmarshalCommand(enc[:cut]); err == nil {
				t.Errorf("%s: prefix of %d/%d bytes decoded", name, cut, len(enc))
			}
		}
		if _, err := UnmarshalCommand(append(enc, 0)); !errors.Is(err, errCommand) {
			t.Errorf("%s: trailing byte: err %v", name, err)
		}
	}
}

func BenchmarkCommandCodec(b *testing.B) {
	it := value.Item{"YCSB_KEY": value.Str("user6284781860667377211")}
	for i := range 10 {
		it["field"+string(rune('0'+i))] = value.Str(string(make([]byte, 100)))
	}
	c := &Command{ID: "x", Op: OpUpdate, Key: value.Item{"YCSB_KEY": it["YCSB_KEY"]}, Update: "SET #f = :v",
		Names: map[string]string{"#f": "field3"}, Values: map[string]value.Value{":v": it["field3"]}}
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc, _ := c.Marshal()
			if _, err := UnmarshalCommand(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc, _ := json.Marshal(c)
			if _, err := UnmarshalCommand(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
