package value

import (
	"bytes"
	"sort"
)

// Type is an attribute value's data type.
type Type uint8

// The attribute value types, in the order DynamoDB's docs list them.
const (
	TypeNone Type = iota
	S
	N
	B
	BOOL
	NULL
	M
	L
	SS
	NS
	BS
)

var typeNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "?"
}

// ParseType returns the type named by s ("S", "N", ...), or TypeNone.
func ParseType(s string) Type {
	for i, n := range typeNames {
		if i > 0 && n == s {
			return Type(i)
		}
	}
	return TypeNone
}

// IsSet reports whether t is one of the set types.
func (t Type) IsSet() bool { return t == SS || t == NS || t == BS }

// IsScalarKeyType reports whether t may be a key attribute type (S, N, B).
func (t Type) IsScalarKeyType() bool { return t == S || t == N || t == B }

// Value is one attribute value. Exactly the field(s) matching T are used:
//
//	S, N   Str (N in canonical decimal text, see CanonicalNumber)
//	B      Bin
//	BOOL   Bool
//	NULL   (nothing)
//	M      Map
//	L      List
//	SS, NS Strs (NS in canonical decimal text), sorted for equality checks
//	BS     Bins
//
// Values are immutable once built: operations return new values.
type Value struct {
	T    Type
	Bool bool
	Str  string
	Bin  []byte
	Strs []string
	Bins [][]byte
	List []Value
	Map  map[string]Value
}

// Item is a whole item: attribute name to value.
type Item map[string]Value

// Constructors.

func Str(s string) Value           { return Value{T: S, Str: s} }
func Bin(b []byte) Value           { return Value{T: B, Bin: b} }
func Bool(b bool) Value            { return Value{T: BOOL, Bool: b} }
func Null() Value                  { return Value{T: NULL} }
func List(l ...Value) Value        { return Value{T: L, List: l} }
func Map(m map[string]Value) Value { return Value{T: M, Map: m} }

// Num returns an N value from decimal text; it panics on invalid input and is
// meant for tests and constants. Use ParseNumber for input.
func Num(s string) Value {
	c, err := CanonicalNumber(s)
	if err != nil {
		panic(err)
	}
	return Value{T: N, Str: c}
}

// StrSet returns an SS value (input not validated).
func StrSet(s ...string) Value { return Value{T: SS, Strs: s} }

// NumSet returns an NS value; it panics on invalid numbers.
func NumSet(s ...string) Value {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = Num(x).Str
	}
	return Value{T: NS, Strs: out}
}

// BinSet returns a BS value (input not validated).
func BinSet(b ...[]byte) Value { return Value{T: BS, Bins: b} }

// Equal reports whether a and b are the same value. Sets compare as sets,
// numbers numerically (their text is canonical, so textually).
func Equal(a, b Value) bool {
	if a.T != b.T {
		return false
	}
	switch a.T {
	case S, N:
		return a.Str == b.Str
	case B:
		return bytes.Equal(a.Bin, b.Bin)
	case BOOL:
		return a.Bool == b.Bool
	case NULL:
		return true
	case SS, NS:
		if len(a.Strs) != len(b.Strs) {
			return false
		}
		set := make(map[string]struct{}, len(a.Strs))
		for _, s := range a.Strs {
			set[s] = struct{}{}
		}
		for _, s := range b.Strs {
			if _, ok := set[s]; !ok {
				return false
			}
		}
		return true
	case BS:
		if len(a.Bins) != len(b.Bins) {
			return false
		}
		set := make(map[string]struct{}, len(a.Bins))
		for _, s := range a.Bins {
			set[string(s)] = struct{}{}
		}
		for _, s := range b.Bins {
			if _, ok := set[string(s)]; !ok {
				return false
			}
		}
		return true
	case L:
		if len(a.List) != len(b.List) {
			return false
		}
		for i := range a.List {
			if !Equal(a.List[i], b.List[i]) {
				return false
			}
		}
		return true
	case M:
		if len(a.Map) != len(b.Map) {
			return false
		}
		for k, v := range a.Map {
			w, ok := b.Map[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// EqualItems reports whether two items hold the same attributes and values.
func EqualItems(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !Equal(v, w) {
			return false
		}
	}
	return true
}

// Clone returns a copy of the item whose top-level map may be modified
// without affecting i. Values are immutable and shared.
func (i Item) Clone() Item {
	if i == nil {
		return nil
	}
	out := make(Item, len(i))
	for k, v := range i {
		out[k] = v
	}
	return out
}

// SortedNames returns the item's attribute names in sorted order.
func (i Item) SortedNames() []string {
	names := make([]string, 0, len(i))
	for k := range i {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Compare orders two values of the same scalar type (S, N, B) as DynamoDB's
// comparison operators do: numbers numerically, strings by UTF-8 bytes,
// binaries as unsigned bytes. ok is false when the types differ or are not
// comparable.
func Compare(a, b Value) (c int, ok bool) {
	if a.T != b.T {
		return 0, false
	}
	switch a.T {
	case S:
		return cmpStrings(a.Str, b.Str), true
	case B:
		return bytes.Compare(a.Bin, b.Bin), true
	case N:
		return CompareNumbers(a.Str, b.Str), true
	}
	return 0, false
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
