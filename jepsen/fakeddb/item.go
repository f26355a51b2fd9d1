package fakeddb

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// wireAttr is an AttributeValue as sent: {"S":"x"}, {"N":"1"}, {"NS":["1"]}.
type wireAttr map[string]json.RawMessage

// attr is a stored attribute: a string, an integer, or a set of integers
// (all the workloads need).
type attr struct {
	kind string // "S", "N", "NS" or "L" (a list of numbers)
	s    string
	n    int64
	ns   map[int64]bool
	l    []int64
}

type item map[string]attr

func parseAttr(w wireAttr) (attr, error) {
	if len(w) != 1 {
		return attr{}, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	for k, raw := range w {
		switch k {
		case "S":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return attr{}, validation("bad S: %v", err)
			}
			return attr{kind: "S", s: s}, nil
		case "N":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return attr{}, validation("bad N: %v", err)
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return attr{}, validation("fakeddb supports only int64 numbers: %v", err)
			}
			return attr{kind: "N", n: n}, nil
		case "NS":
			var ss []string
			if err := json.Unmarshal(raw, &ss); err != nil {
				return attr{}, validation("bad NS: %v", err)
			}
			a := attr{kind: "NS", ns: map[int64]bool{}}
			for _, s := range ss {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return attr{}, validation("fakeddb supports only int64 numbers: %v", err)
				}
				a.ns[n] = true
			}
			return a, nil
		case "L":
			var ws []wireAttr
			if err := json.Unmarshal(raw, &ws); err != nil {
				return attr{}, validation("bad L: %v", err)
			}
			a := attr{kind: "L", l: []int64{}}
			for _, w := range ws {
				e, err := parseAttr(w)
				if err != nil {
					return attr{}, err
				}
				if e.kind != "N" {
					return attr{}, validation("fakeddb supports only lists of numbers")
				}
				a.l = append(a.l, e.n)
			}
			return a, nil
		default:
			return attr{}, validation("fakeddb does not support type %s", k)
		}
	}
	panic("unreachable")
}

func (a attr) wire() map[string]any {
	switch a.kind {
	case "S":
		return map[string]any{"S": a.s}
	case "N":
		return map[string]any{"N": strconv.FormatInt(a.n, 10)}
	case "L":
		out := make([]any, len(a.l))
		for i, n := range a.l {
			out[i] = map[string]any{"N": strconv.FormatInt(n, 10)}
		}
		return map[string]any{"L": out}
	default:
		ns := slices.Sorted(maps.Keys(a.ns))
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = strconv.FormatInt(n, 10)
		}
		return map[string]any{"NS": out}
	}
}

func (a attr) equal(b attr) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case "S":
		return a.s == b.s
	case "N":
		return a.n == b.n
	case "L":
		return slices.Equal(a.l, b.l)
	default:
		return maps.Equal(a.ns, b.ns)
	}
}

func (it item) wire() map[string]any {
	out := make(map[string]any, len(it))
	for k, a := range it {
		out[k] = a.wire()
	}
	return out
}

// clone copies it deeply (number sets included), so versions never share
// mutable state.
func (it item) clone() item {
	out := make(item, len(it))
	for k, a := range it {
		if a.ns != nil {
			a.ns = maps.Clone(a.ns)
		}
		if a.l != nil {
			a.l = slices.Clone(a.l)
		}
		out[k] = a
	}
	return out
}

// keyOf is the item's identity: the table's key attributes in a canonical
// text form (the fake ignores the key schema and uses whatever key is sent).
func keyOf(key map[string]wireAttr) (string, error) {
	if len(key) == 0 {
		return "", validation("The provided key element does not match the schema")
	}
	names := slices.Sorted(maps.Keys(key))
	s := ""
	for _, n := range names {
		a, err := parseAttr(key[n])
		if err != nil {
			return "", err
		}
		b, _ := json.Marshal(a.wire())
		s += n + "=" + string(b) + ";"
	}
	return s, nil
}
