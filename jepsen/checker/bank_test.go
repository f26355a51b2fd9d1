package checker

import (
	"testing"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

func TestBank(t *testing.T) {
	o := BankOptions{Accounts: 3, Total: 30}
	bal := func(k int, v int64) history.Mop { return history.Mop{F: history.MopRead, Key: k, Value: i64(v)} }
	missing := func(k int) history.Mop { return history.Mop{F: history.MopRead, Key: k} }
	transfer := func(typ history.Type, from, to int, amount int64) history.Op {
		return history.Op{Type: typ, F: history.Transfer, Txn: []history.Mop{
			{F: history.MopDebit, Key: from, Value: i64(amount)}, {F: history.MopCredit, Key: to, Value: i64(amount)}}}
	}
	read := func(final bool, mops ...history.Mop) history.Op {
		return history.Op{Type: ok, F: history.ReadAll, Final: final, Txn: mops}
	}
	cases := []struct {
		name    string
		o       BankOptions
		ops     []history.Op
		kinds   []string // error kinds, in order
		unknown bool
	}{
		{"conserved", o, []history.Op{
			transfer(ok, 0, 1, 5), transfer(fl, 1, 2, 50), transfer(inf, 2, 0, 3),
			read(false, bal(0, 5), bal(1, 15), bal(2, 10)),
			read(true, bal(0, 8), bal(1, 15), bal(2, 7)),
		}, nil, false},
		{"no final read", o, []history.Op{read(false, bal(0, 10), bal(1, 10), bal(2, 10))}, nil, true},
		{"money destroyed (half a transfer)", o, []history.Op{
			transfer(ok, 0, 1, 5),
			read(false, bal(0, 5), bal(1, 10), bal(2, 10)),
			read(true, bal(0, 5), bal(1, 15), bal(2, 10)),
		}, []string{"wrong-total"}, false},
		{"money created in the final read", o, []history.Op{
			read(true, bal(0, 10), bal(1, 15), bal(2, 10)),
		}, []string{"wrong-total"}, false},
		{"negative balance", o, []history.Op{
			read(true, bal(0, -5), bal(1, 25), bal(2, 10)),
		}, []string{"negative"}, false},
		{"negative balance allowed", BankOptions{Accounts: 3, Total: 30, AllowNegative: true}, []history.Op{
			read(true, bal(0, -5), bal(1, 25), bal(2, 10)),
		}, nil, false},
		{"missing account", o, []history.Op{
			read(true, bal(0, 10), missing(1), bal(2, 20)),
		}, []string{"missing"}, false},
		{"unknown account", o, []history.Op{
			read(true, bal(0, 10), bal(1, 10), bal(2, 10), bal(7, 0)),
		}, []string{"unexpected-account"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ops []history.Op
			for i, op := range tc.ops {
				inv := op
				inv.Type, inv.Process, inv.Time = history.Invoke, i, int64(2*i)
				op.Process, op.Time = i, int64(2*i+1)
				ops = append(ops, inv, op)
			}
			for i := range ops {
				ops[i].Index = i
			}
			res := CheckBank(history.Pairs(ops), tc.o)
			var kinds []string
			for _, e := range res.Errors {
				kinds = append(kinds, e.Kind)
			}
			if len(kinds) != len(tc.kinds) || res.Unknown != tc.unknown || res.Valid != (tc.kinds == nil && !tc.unknown) {
				t.Fatalf("errors %v unknown %v valid %v, want %v unknown %v\n%s", kinds, res.Unknown, res.Valid, tc.kinds, tc.unknown, res)
			}
			for i := range kinds {
				if kinds[i] != tc.kinds[i] {
					t.Fatalf("errors %v, want %v", kinds, tc.kinds)
				}
			}
			t.Log(res, res.Errors)
		})
	}
}
