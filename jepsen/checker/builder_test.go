package checker

import (
	"slices"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// hb builds histories for tests: each call adds one operation with its
// interval; events are sorted by time at the end.
type hb struct{ ops []history.Op }

type opSpec struct {
	p         int
	f         history.Func
	key       int
	value     *int64 // written / added / incremented / read
	expect    *int64
	values    []int64
	call, ret int64
	typ       history.Type
	final     bool
}

func (b *hb) add(s opSpec) *hb {
	inv := history.Op{Type: history.Invoke, Process: s.p, F: s.f, Key: s.key, Expect: s.expect, Time: s.call, Final: s.final}
	if s.f != history.Read && s.f != history.ReadEC {
		inv.Value = s.value
	}
	c := inv
	c.Type = s.typ
	c.Time = s.ret
	if s.f == history.Read || s.f == history.ReadEC {
		c.Value, c.Values = s.value, s.values
	}
	b.ops = append(b.ops, inv)
	if s.typ != history.Info || s.ret > 0 {
		b.ops = append(b.ops, c)
	}
	return b
}

func (b *hb) pairs() []history.Pair {
	ops := slices.Clone(b.ops)
	slices.SortStableFunc(ops, func(a, b history.Op) int { return cmpInt64(a.Time, b.Time) })
	for i := range ops {
		ops[i].Index = i
	}
	return history.Pairs(ops)
}

var i64 = history.Int
