package checker

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// tx is a transaction for hand-written list-append histories: each gets its
// own process, and its invocation and completion times; reads list their
// results (nil: no result, as in an invocation or a failed read).
type tx struct {
	typ       history.Type
	call, ret int64
	final     bool
	mops      []history.Mop
}

func ap(k int, e int64) history.Mop { return history.Mop{F: history.MopAppend, Key: k, Value: i64(e)} }
func rd(k int, l ...int64) history.Mop {
	if l == nil {
		l = []int64{}
	}
	return history.Mop{F: history.MopRead, Key: k, List: l}
}

// txHistory turns txs into pairs; times default to the list order
// (serial).
func txHistory(txs []tx) []history.Pair {
	var ops []history.Op
	for i, t := range txs {
		call, ret := t.call, t.ret
		if call == 0 && ret == 0 {
			call, ret = int64(2*i+1), int64(2*i+2)
		}
		inv := history.Op{Type: history.Invoke, Process: i, F: history.Txn, Time: call, Final: t.final, Txn: history.CloneTxn(t.mops)}
		for j := range inv.Txn {
			inv.Txn[j].List = nil
		}
		c := inv
		c.Type, c.Time, c.Txn = t.typ, ret, history.CloneTxn(t.mops)
		if t.typ != history.OK {
			c.Txn = inv.Txn
		}
		ops = append(ops, inv, c)
	}
	slices.SortStableFunc(ops, func(a, b history.Op) int { return cmpInt64(a.Time, b.Time) })
	for i := range ops {
		ops[i].Index = i
	}
	return history.Pairs(ops)
}

func fin(mops ...history.Mop) tx { return tx{typ: ok, final: true, mops: mops} }

func TestListAppend(t *testing.T) {
	cases := []struct {
		name    string
		txs     []tx
		want    []string // anomaly names; nil: valid
		unknown bool
	}{
		{"serial", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1)}},
			{typ: ok, mops: []history.Mop{rd(1, 1), rd(2)}},
			{typ: ok, mops: []history.Mop{ap(1, 2), ap(2, 3)}},
			{typ: ok, mops: []history.Mop{rd(1, 1, 2), rd(2, 3)}},
			fin(rd(1, 1, 2), rd(2, 3)),
		}, nil, false},
		{"indeterminate appends seen and unseen, failed one unseen", []tx{
			{typ: inf, mops: []history.Mop{ap(1, 1), ap(2, 2)}},
			{typ: inf, mops: []history.Mop{ap(1, 3)}},
			{typ: fl, mops: []history.Mop{ap(2, 4)}},
			{typ: ok, mops: []history.Mop{rd(1, 1)}},
			fin(rd(1, 1), rd(2, 2)),
		}, nil, false},
		{"concurrent but serializable", []tx{
			{typ: ok, call: 1, ret: 10, mops: []history.Mop{ap(1, 1), ap(2, 1)}},
			{typ: ok, call: 2, ret: 3, mops: []history.Mop{rd(1), rd(2)}},
			{typ: ok, call: 4, ret: 11, mops: []history.Mop{rd(1, 1), rd(2, 1)}},
			{typ: ok, call: 12, ret: 13, final: true, mops: []history.Mop{rd(1, 1), rd(2, 1)}},
		}, nil, false},
		{"no final read", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1)}},
		}, nil, true},
		{"G0 write cycle", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1), ap(2, 1)}},
			{typ: ok, mops: []history.Mop{ap(1, 2), ap(2, 2)}},
			fin(rd(1, 1, 2), rd(2, 2, 1)),
		}, []string{G0}, false},
		{"G1a aborted read", []tx{
			{typ: fl, mops: []history.Mop{ap(1, 1)}},
			{typ: ok, mops: []history.Mop{rd(1, 1)}},
			fin(rd(1, 1)),
		}, []string{G1a}, false},
		{"G1c circular information flow", []tx{
			{typ: ok, call: 1, ret: 5, mops: []history.Mop{ap(1, 1), rd(2, 2)}},
			{typ: ok, call: 2, ret: 6, mops: []history.Mop{ap(2, 2), rd(1, 1)}},
			{typ: ok, call: 7, ret: 8, final: true, mops: []history.Mop{rd(1, 1), rd(2, 2)}},
		}, []string{G1c}, false},
		{"G-single read skew (a torn transactional read)", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1), ap(2, 1)}},
			{typ: ok, mops: []history.Mop{rd(1, 1), rd(2)}},
			fin(rd(1, 1), rd(2, 1)),
		}, []string{GSingle}, false},
		{"G2 two readers see opposite halves", []tx{
			{typ: ok, call: 1, ret: 10, mops: []history.Mop{ap(1, 1)}},
			{typ: ok, call: 1, ret: 10, mops: []history.Mop{ap(2, 2)}},
			{typ: ok, call: 2, ret: 9, mops: []history.Mop{rd(1, 1), rd(2)}},
			{typ: ok, call: 2, ret: 9, mops: []history.Mop{rd(2, 2), rd(1)}},
			{typ: ok, call: 11, ret: 12, final: true, mops: []history.Mop{rd(1, 1), rd(2, 2)}},
		}, []string{G2}, false},
		{"duplicate element", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1)}},
			fin(rd(1, 1, 1)),
		}, []string{Duplicate}, false},
		{"incompatible orders", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1)}},
			{typ: ok, mops: []history.Mop{ap(1, 2)}},
			{typ: ok, mops: []history.Mop{rd(1, 2)}},
			fin(rd(1, 1, 2)),
		}, []string{IncompatibleOrder}, false},
		{"garbage element", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1)}},
			fin(rd(1, 1, 99)),
		}, []string{Garbage}, false},
		{"element read on another key", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1)}},
			fin(rd(1, 1), rd(2, 1)),
		}, []string{Garbage}, false},
		{"lost append (non-atomic transaction)", []tx{
			{typ: ok, mops: []history.Mop{ap(1, 1), ap(2, 2)}},
			fin(rd(1, 1), rd(2)),
		}, []string{Lost}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := CheckListAppend(txHistory(tc.txs))
			var got []string
			for n := range res.Anomalies {
				got = append(got, n)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || res.Unknown != tc.unknown || res.Valid != (tc.want == nil && !tc.unknown) {
				t.Fatalf("anomalies %v unknown %v valid %v, want %v unknown %v\n%s\n%v", got, res.Unknown, res.Valid, tc.want, tc.unknown, res, res.Examples)
			}
			for _, a := range res.Examples {
				if len(a.Steps) > 0 && a.Steps[0].From != a.Steps[len(a.Steps)-1].To {
					t.Fatalf("example is not a cycle: %v", a)
				}
			}
			t.Log(res, res.Examples)
		})
	}
}

// TestListAppendCycleExamples checks that a reported cycle has the edge
// kinds its name claims.
func TestListAppendCycleExamples(t *testing.T) {
	res := CheckListAppend(txHistory([]tx{
		{typ: ok, mops: []history.Mop{ap(1, 1), ap(2, 1)}},
		{typ: ok, mops: []history.Mop{rd(1, 1), rd(2)}},
		fin(rd(1, 1), rd(2, 1)),
	}))
	if len(res.Examples) != 1 {
		t.Fatalf("examples %v", res.Examples)
	}
	a := res.Examples[0]
	rels := map[string]int{}
	for _, s := range a.Steps {
		rels[s.Rel]++
	}
	if a.Name != GSingle || rels["rw"] != 1 || len(a.Steps) != 2 || a.String() == "" {
		t.Fatalf("example %v (%s)", a, a)
	}
}

// TestListAppendSerialIsValid: any serial execution of append-only and
// read-only transactions (some failed and not applied, some indeterminate
// and applied or not), recorded with arbitrary overlapping times (the
// checker ignores real time), is valid.
func TestListAppendSerialIsValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := rapid.IntRange(1, 4).Draw(t, "keys")
		n := rapid.IntRange(0, 40).Draw(t, "txns")
		state := map[int][]int64{}
		var next int64
		var txs []tx
		for range n {
			width := rapid.IntRange(1, keys).Draw(t, "width")
			perm := make([]int, keys)
			for j := range perm {
				perm[j] = j
			}
			perm = rapid.Permutation(perm).Draw(t, "perm")[:width]
			typ := rapid.SampledFrom([]history.Type{ok, ok, ok, fl, inf}).Draw(t, "typ")
			applied := typ == ok || (typ == inf && rapid.Bool().Draw(t, "applied"))
			call := rapid.Int64Range(1, 1000).Draw(t, "call")
			ret := call + rapid.Int64Range(1, 1000).Draw(t, "len")
			var mops []history.Mop
			if rapid.Bool().Draw(t, "write") {
				for _, k := range perm {
					next++
					mops = append(mops, ap(k, next))
					if applied {
						state[k] = append(state[k], next)
					}
				}
			} else {
				if typ != ok {
					continue
				}
				for _, k := range perm {
					mops = append(mops, rd(k, slices.Clone(state[k])...))
				}
			}
			txs = append(txs, tx{typ: typ, call: call, ret: ret, mops: mops})
		}
		var final []history.Mop
		for k := range keys {
			final = append(final, rd(k, slices.Clone(state[k])...))
		}
		txs = append(txs, tx{typ: ok, call: 3000, ret: 3001, final: true, mops: final})
		res := CheckListAppend(txHistory(txs))
		if !res.Valid {
			t.Fatalf("serial history judged %s\n%v", res, res.Examples)
		}
	})
}
