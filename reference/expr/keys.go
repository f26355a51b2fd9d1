package expr

import (
	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// Checks of expressions against a table's key attributes, which need the
// schema and so run after parsing (the api layer calls them).

// Paths returns the document paths the condition reads, in source order
// (an always-true legacy condition has none).
func (c *Condition) Paths() []Path {
	var out []Path
	var walkOp func(o *operand)
	walkOp = func(o *operand) {
		switch o.kind {
		case opPath:
			out = append(out, o.path)
		case opFunc:
			for _, a := range o.args {
				walkOp(a)
			}
		}
	}
	var walk func(n *cond)
	walk = func(n *cond) {
		for _, k := range n.kids {
			walk(k)
		}
		if n.call != nil {
			walkOp(n.call)
		}
		for _, a := range n.args {
			walkOp(a)
		}
	}
	if c.root != nil {
		walk(c.root)
	}
	return out
}

// CheckNestedKeyPaths returns DynamoDB's error when a path steps into a key
// attribute with '.' or '[]'. keys are checked in the order given (the
// table's partition key, then sort key); label is "Key" for table keys and
// "IndexKey" for index keys.
func CheckNestedKeyPaths(paths []Path, label string, keys ...string) error {
	for _, k := range keys {
		for _, p := range paths {
			if len(p) > 1 && p.Top() == k {
				return ddberr.Validationf("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: %s", label, k)
			}
		}
	}
	return nil
}

// CheckFilterKeys returns DynamoDB's error when a Query filter refers to a
// key attribute of the queried table or index. what is "Filter Expression"
// or "QueryFilter"; keys are checked in the order given.
func CheckFilterKeys(what string, paths []Path, keys ...string) error {
	for _, k := range keys {
		if k == "" {
			continue
		}
		for _, p := range paths {
			if p.Top() == k {
				return ddberr.Validationf("%s can only contain non-primary key attributes: Primary key attribute: %s", what, k)
			}
		}
	}
	return nil
}
