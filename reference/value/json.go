package value

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// MaxDepth is DynamoDB's limit on nesting of maps and lists (32 levels).
const MaxDepth = 32

// Wire is the JSON form of an AttributeValue exactly as the DynamoDB JSON 1.0
// protocol sends it. Pointers record which members were present so that an
// empty or doubly typed value can be rejected as DynamoDB rejects it.
// Decode request bodies into Wire (or maps of it), then call ToValue.
type Wire struct {
	S    *string          `json:"S,omitempty"`
	N    *string          `json:"N,omitempty"`
	B    *[]byte          `json:"B,omitempty"`
	BOOL *bool            `json:"BOOL,omitempty"`
	NULL *bool            `json:"NULL,omitempty"`
	M    *map[string]Wire `json:"M,omitempty"`
	L    *[]Wire          `json:"L,omitempty"`
	SS   *[]string        `json:"SS,omitempty"`
	NS   *[]string        `json:"NS,omitempty"`
	BS   *[][]byte        `json:"BS,omitempty"`
}

// WireItem is the JSON form of an item.
type WireItem map[string]Wire

// Messages DynamoDB sends for malformed attribute values.
const (
	msgEmptyAV    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgManyTypes  = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNullFalse  = "One or more parameter values were invalid: Null attribute value types must have the value of true"
	msgEmptySS    = "One or more parameter values were invalid: An string set  may not be empty"
	msgEmptyNS    = "One or more parameter values were invalid: An number set  may not be empty"
	msgEmptyBS    = "One or more parameter values were invalid: Binary sets should not be empty"
	msgNesting    = "Nesting Levels have exceeded supported limits"
	msgDupNumbers = "Input collection contains duplicates"
)

// ToValue validates w and converts it to a Value.
func (w *Wire) ToValue() (Value, error) { return w.toValue(1) }

func (w *Wire) toValue(depth int) (Value, error) {
	n := 0
	var v Value
	var err error
	if w.S != nil {
		n++
		v = Value{T: S, Str: *w.S}
	}
	if w.N != nil {
		n++
		var c string
		if c, err = CanonicalNumber(*w.N); err != nil {
			return Value{}, err
		}
		v = Value{T: N, Str: c}
	}
	if w.B != nil {
		n++
		v = Value{T: B, Bin: *w.B}
		if v.Bin == nil {
			v.Bin = []byte{}
		}
	}
	if w.BOOL != nil {
		n++
		v = Value{T: BOOL, Bool: *w.BOOL}
	}
	if w.NULL != nil {
		n++
		if !*w.NULL {
			return Value{}, ddberr.New(ddberr.Validation, msgNullFalse)
		}
		v = Value{T: NULL}
	}
	if w.SS != nil {
		n++
		if len(*w.SS) == 0 {
			return Value{}, ddberr.New(ddberr.Validation, msgEmptySS)
		}
		if dupString(*w.SS) {
			return Value{}, ddberr.Invalid("Input collection %s contains duplicates.", listString(*w.SS))
		}
		v = Value{T: SS, Strs: *w.SS}
	}
	if w.NS != nil {
		n++
		if len(*w.NS) == 0 {
			return Value{}, ddberr.New(ddberr.Validation, msgEmptyNS)
		}
		out := make([]string, len(*w.NS))
		for i, s := range *w.NS {
			if out[i], err = CanonicalNumber(s); err != nil {
				return Value{}, err
			}
		}
		if dupString(out) {
			return Value{}, ddberr.New(ddberr.Validation, msgDupNumbers)
		}
		v = Value{T: NS, Strs: out}
	}
	if w.BS != nil {
		n++
		if len(*w.BS) == 0 {
			return Value{}, ddberr.New(ddberr.Validation, msgEmptyBS)
		}
		seen := make(map[string]struct{}, len(*w.BS))
		for _, b := range *w.BS {
			if _, ok := seen[string(b)]; ok {
				return Value{}, ddberr.Invalid("Input collection %s of type BS contains duplicates.", binListString(*w.BS))
			}
			seen[string(b)] = struct{}{}
		}
		v = Value{T: BS, Bins: *w.BS}
	}
	if w.M != nil {
		n++
		if depth > MaxDepth {
			return Value{}, ddberr.New(ddberr.Validation, msgNesting)
		}
		m := make(map[string]Value, len(*w.M))
		for k, sub := range *w.M {
			if m[k], err = sub.toValue(depth + 1); err != nil {
				return Value{}, err
			}
		}
		v = Value{T: M, Map: m}
	}
	if w.L != nil {
		n++
		if depth > MaxDepth {
			return Value{}, ddberr.New(ddberr.Validation, msgNesting)
		}
		l := make([]Value, len(*w.L))
		for i := range *w.L {
			if l[i], err = (*w.L)[i].toValue(depth + 1); err != nil {
				return Value{}, err
			}
		}
		v = Value{T: L, List: l}
	}
	switch {
	case n == 0:
		return Value{}, ddberr.New(ddberr.Validation, msgEmptyAV)
	case n > 1:
		return Value{}, ddberr.New(ddberr.Validation, msgManyTypes)
	}
	return v, nil
}

// ToItem validates and converts a wire item.
func (w WireItem) ToItem() (Item, error) {
	it := make(Item, len(w))
	for k, wv := range w {
		if k == "" {
			// Developer Guide, "Naming rules": attribute names are at least
			// one character long. (Message wording not confirmed against
			// DynamoDB.)
			return nil, ddberr.Invalid("Empty attribute name is not allowed")
		}
		v, err := wv.ToValue()
		if err != nil {
			return nil, err
		}
		it[k] = v
	}
	return it, nil
}

func dupString(l []string) bool {
	if len(l) < 2 {
		return false
	}
	seen := make(map[string]struct{}, len(l))
	for _, s := range l {
		if _, ok := seen[s]; ok {
			return true
		}
		seen[s] = struct{}{}
	}
	return false
}

func listString(l []string) string {
	b := []byte{'['}
	for i, s := range l {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, s...)
	}
	return string(append(b, ']'))
}

func binListString(l [][]byte) string {
	s := make([]string, len(l))
	for i, b := range l {
		s[i] = base64.StdEncoding.EncodeToString(b)
	}
	return listString(s)
}

// MarshalJSON writes the DynamoDB wire form of v.
func (v Value) MarshalJSON() ([]byte, error) { return v.AppendJSON(nil), nil }

// UnmarshalJSON reads the wire form, validating as DynamoDB does.
func (v *Value) UnmarshalJSON(b []byte) error {
	var w Wire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	x, err := w.ToValue()
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// AppendJSON appends the wire JSON of v to b.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.T {
	case S:
		b = append(b, `{"S":`...)
		b = AppendString(b, v.Str)
	case N:
		b = append(b, `{"N":"`...)
		b = append(b, v.Str...)
		b = append(b, '"')
	case B:
		b = append(b, `{"B":"`...)
		b = base64.StdEncoding.AppendEncode(b, v.Bin)
		b = append(b, '"')
	case BOOL:
		b = append(b, `{"BOOL":`...)
		b = strconv.AppendBool(b, v.Bool)
	case NULL:
		b = append(b, `{"NULL":true`...)
	case SS, NS:
		b = append(b, `{"`...)
		b = append(b, v.T.String()...)
		b = append(b, `":[`...)
		for i, s := range v.Strs {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, s)
		}
		b = append(b, ']')
	case BS:
		b = append(b, `{"BS":[`...)
		for i, x := range v.Bins {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, x)
			b = append(b, '"')
		}
		b = append(b, ']')
	case L:
		b = append(b, `{"L":[`...)
		for i, x := range v.List {
			if i > 0 {
				b = append(b, ',')
			}
			b = x.AppendJSON(b)
		}
		b = append(b, ']')
	case M:
		b = append(b, `{"M":`...)
		b = Item(v.Map).AppendJSON(b)
	default:
		panic(fmt.Sprintf("value: AppendJSON of invalid type %d", v.T))
	}
	return append(b, '}')
}

// AppendJSON appends the wire JSON of an item ({"a":{"S":"x"},...}).
func (i Item) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	for k, v := range i {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendString(b, k)
		b = append(b, ':')
		b = v.AppendJSON(b)
	}
	return append(b, '}')
}

// MarshalJSON writes the item's wire form.
func (i Item) MarshalJSON() ([]byte, error) { return i.AppendJSON(nil), nil }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string literal.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
