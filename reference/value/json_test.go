package value

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

func TestWireValidation(t *testing.T) {
	deep := strings.Repeat(`{"L":[`, 33) + `{"S":"x"}` + strings.Repeat(`]}`, 33)
	ok32 := strings.Repeat(`{"L":[`, 32) + `{"S":"x"}` + strings.Repeat(`]}`, 32)
	tests := []struct {
		in, err string
	}{
		{`{"S":"x"}`, ""},
		{`{"S":""}`, ""},
		{`{"B":""}`, ""},
		{`{"N":"1.0"}`, ""},
		{`{"NULL":true}`, ""},
		{`{"BOOL":false}`, ""},
		{`{"M":{}}`, ""},
		{`{"L":[]}`, ""},
		{ok32, ""},
		{`{}`, msgEmptyAV},
		{`{"S":"x","N":"1"}`, msgManyTypes},
		{`{"NULL":false}`, msgNullFalse},
		{`{"SS":[]}`, msgEmptySS},
		{`{"NS":[]}`, msgEmptyNS},
		{`{"BS":[]}`, msgEmptyBS},
		{`{"SS":["a","a"]}`, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{`{"NS":["1","1.0"]}`, msgDupNumbers},
		{`{"N":"x"}`, msgNotNumeric + ": x"},
		{`{"M":{"a":{}}}`, msgEmptyAV},
		{`{"L":[{"N":"1e999"}]}`, msgOverflow},
		{deep, msgNesting},
	}
	for _, tt := range tests {
		var w Wire
		if err := json.Unmarshal([]byte(tt.in), &w); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		v, err := w.ToValue()
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tt.in, err)
				continue
			}
			// Round trip through our encoder.
			var back Value
			if err := json.Unmarshal(v.AppendJSON(nil), &back); err != nil || !Equal(v, back) {
				t.Errorf("%s: round trip gave %v, %v", tt.in, back, err)
			}
			continue
		}
		de, ok := err.(*ddberr.Error)
		if !ok || de.Message != tt.err {
			t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\"back\\slash", "ctl\x00\x01\n\t\r", "ünï€😀", "\u2028\u2029", "bad\xffutf8"} {
		var got string
		if err := json.Unmarshal(AppendString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if got != want {
			t.Errorf("%q round-tripped to %q", s, got)
		}
	}
}

func TestItemSize(t *testing.T) {
	tests := []struct {
		item Item
		want int
	}{
		{Item{"a": Str("xyz")}, 4},
		{Item{"ab": Num("12345")}, 2 + 4},
		{Item{"a": Bool(true), "b": Null()}, 4},
		{Item{"l": List(Str("a"), Str("bc"))}, 1 + 3 + 2 + 3},
		{Item{"m": Map(map[string]Value{"k": Str("v")})}, 1 + 3 + 1 + 1 + 1},
		{Item{"s": StrSet("a", "bb")}, 1 + 3},
	}
	for _, tt := range tests {
		if got := ItemSize(tt.item); got != tt.want {
			t.Errorf("ItemSize(%v) = %d, want %d", tt.item, got, tt.want)
		}
	}
}
