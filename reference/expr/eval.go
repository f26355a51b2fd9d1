package expr

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/ddbkit/ddbkit/reference/value"
)

// Eval evaluates the condition against an item (nil when there is no
// item). Evaluation is deterministic and never fails for a parsed
// condition: type mismatches and missing attributes make a comparison
// false, as in DynamoDB. The error result is kept for future checks that
// depend on item contents.
func (c *Condition) Eval(item value.Item) (bool, error) {
	if c.root == nil { // an empty legacy Expected or filter
		return true, nil
	}
	return evalCond(c.root, item), nil
}

func evalCond(c *cond, item value.Item) bool {
	switch c.kind {
	case cAnd:
		return evalCond(c.kids[0], item) && evalCond(c.kids[1], item)
	case cOr:
		return evalCond(c.kids[0], item) || evalCond(c.kids[1], item)
	case cNot:
		return !evalCond(c.kids[0], item)
	case cCmp:
		a, aok := evalOperand(c.args[0], item)
		b, bok := evalOperand(c.args[1], item)
		return compare(c.op, a, aok, b, bok)
	case cBetween:
		x, xok := evalOperand(c.args[0], item)
		lo, lok := evalOperand(c.args[1], item)
		hi, hok := evalOperand(c.args[2], item)
		if !xok || !lok || !hok {
			return false
		}
		c1, ok1 := value.Compare(lo, x)
		c2, ok2 := value.Compare(x, hi)
		return ok1 && ok2 && c1 <= 0 && c2 <= 0
	case cIn:
		x, ok := evalOperand(c.args[0], item)
		if !ok {
			return false
		}
		for _, o := range c.args[1:] {
			if v, ok := evalOperand(o, item); ok && value.Equal(x, v) {
				return true
			}
		}
		return false
	case cFunc:
		return evalFunc(c.call, item)
	}
	return false
}

// compare applies a comparator. A missing operand makes every comparison
// false except <>, which is then true; different types are unequal and
// unordered.
func compare(op string, a value.Value, aok bool, b value.Value, bok bool) bool {
	switch op {
	case "=":
		return aok && bok && value.Equal(a, b)
	case "<>":
		return !(aok && bok && value.Equal(a, b))
	}
	if !aok || !bok {
		return false
	}
	c, ok := value.Compare(a, b)
	if !ok {
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// evalOperand returns an operand's value and whether it exists.
func evalOperand(o *operand, item value.Item) (value.Value, bool) {
	switch o.kind {
	case opPath:
		if item == nil {
			return value.Value{}, false
		}
		return o.path.Get(item)
	case opValue:
		return o.val, true
	}
	if o.fn == "size" {
		v, ok := evalOperand(o.args[0], item)
		if !ok {
			return value.Value{}, false
		}
		n, ok := sizeOf(v)
		if !ok {
			return value.Value{}, false
		}
		return value.Value{T: value.N, Str: strconv.Itoa(n)}, true
	}
	return value.Value{}, false
}

// sizeOf is the size() function: the length of a string (UTF-8 bytes) or
// binary, the number of elements of a set, list or map.
func sizeOf(v value.Value) (int, bool) {
	switch v.T {
	case value.S:
		return len(v.Str), true
	case value.B:
		return len(v.Bin), true
	case value.SS, value.NS:
		return len(v.Strs), true
	case value.BS:
		return len(v.Bins), true
	case value.L:
		return len(v.List), true
	case value.M:
		return len(v.Map), true
	}
	return 0, false
}

func evalFunc(f *operand, item value.Item) bool {
	switch f.fn {
	case "attribute_exists":
		_, ok := evalOperand(f.args[0], item)
		return ok
	case "attribute_not_exists":
		_, ok := evalOperand(f.args[0], item)
		return !ok
	}
	a, aok := evalOperand(f.args[0], item)
	b, bok := evalOperand(f.args[1], item)
	if !aok || !bok {
		return false
	}
	switch f.fn {
	case "attribute_type":
		return b.T == value.S && a.T.String() == b.Str
	case "begins_with":
		switch {
		case a.T == value.S && b.T == value.S:
			return strings.HasPrefix(a.Str, b.Str)
		case a.T == value.B && b.T == value.B:
			return bytes.HasPrefix(a.Bin, b.Bin)
		}
		return false
	case "contains":
		return contains(a, b)
	}
	return false
}

// contains is the contains() function: substring of a string or binary,
// member of a set of the matching type, or element of a list.
func contains(a, b value.Value) bool {
	switch a.T {
	case value.S:
		return b.T == value.S && strings.Contains(a.Str, b.Str)
	case value.B:
		return b.T == value.B && bytes.Contains(a.Bin, b.Bin)
	case value.SS:
		return b.T == value.S && containsString(a.Strs, b.Str)
	case value.NS:
		return b.T == value.N && containsString(a.Strs, b.Str)
	case value.BS:
		if b.T != value.B {
			return false
		}
		for _, x := range a.Bins {
			if bytes.Equal(x, b.Bin) {
				return true
			}
		}
	case value.L:
		for _, x := range a.List {
			if value.Equal(x, b) {
				return true
			}
		}
	}
	return false
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
