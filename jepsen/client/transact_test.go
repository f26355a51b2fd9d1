package client_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/jepsen/client"
	"github.com/ddbkit/ddbkit/jepsen/fakeddb"
	"github.com/ddbkit/ddbkit/jepsen/history"
)

// TestTransactions drives the transactional operations through the SDK
// against fakeddb: transfers (a short balance cancels the whole transfer:
// fail), reads of every account, list appends and reads.
func TestTransactions(t *testing.T) {
	s := start(t, fakeddb.Options{})
	c := newClient(t, s.URL(), 2*time.Second)
	ctx := t.Context()
	if err := client.CreateTable(ctx, c.DB, c.Table, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		if err := c.PutBalance(ctx, k, 10); err != nil {
			t.Fatal(err)
		}
	}
	i := history.Int
	transfer := func(from, to int, amount int64) history.Op {
		return history.Op{Type: history.Invoke, F: history.Transfer, Txn: []history.Mop{
			{F: history.MopDebit, Key: from, Value: i(amount)}, {F: history.MopCredit, Key: to, Value: i(amount)}}}
	}
	readAll := history.Op{Type: history.Invoke, F: history.ReadAll, Txn: []history.Mop{{F: history.MopRead, Key: 0}, {F: history.MopRead, Key: 1}, {F: history.MopRead, Key: 2}}}
	txn := func(mops ...history.Mop) history.Op {
		return history.Op{Type: history.Invoke, F: history.Txn, Txn: mops}
	}
	ap := func(k int, e int64) history.Mop { return history.Mop{F: history.MopAppend, Key: k, Value: i(e)} }
	rd := func(k int) history.Mop { return history.Mop{F: history.MopRead, Key: k} }
	steps := []struct {
		name string
		op   history.Op
		want history.Type
		err  string
		txn  []history.Mop // the completion's micro-operations
	}{
		{"transfer", transfer(0, 1, 4), history.OK, "", transfer(0, 1, 4).Txn},
		{"overdraft canceled", transfer(0, 1, 7), history.Fail, "ConditionalCheckFailed, None", transfer(0, 1, 7).Txn},
		{"read all", readAll, history.OK, "", []history.Mop{{F: history.MopRead, Key: 0, Value: i(6), List: []int64{}}, {F: history.MopRead, Key: 1, Value: i(14), List: []int64{}}, {F: history.MopRead, Key: 2, List: []int64{}}}},
		{"append", txn(ap(5, 1), ap(6, 2)), history.OK, "", []history.Mop{ap(5, 1), ap(6, 2)}},
		{"append again", txn(ap(5, 3)), history.OK, "", []history.Mop{ap(5, 3)}},
		{"read lists", txn(rd(5), rd(6), rd(7)), history.OK, "", []history.Mop{{F: history.MopRead, Key: 5, List: []int64{1, 3}}, {F: history.MopRead, Key: 6, List: []int64{2}}, {F: history.MopRead, Key: 7, List: []int64{}}}},
		{"same item twice", txn(ap(5, 4), ap(5, 5)), history.Fail, "ValidationException", []history.Mop{ap(5, 4), ap(5, 5)}},
		{"read and write (refused, never sent)", txn(ap(5, 6), rd(6)), history.Fail, "not both", []history.Mop{ap(5, 6), rd(6)}},
	}
	for _, st := range steps {
		got := c.Do(ctx, st.op)
		if got.Type != st.want || !strings.Contains(got.Error, st.err) || !reflect.DeepEqual(got.Txn, st.txn) {
			t.Fatalf("%s: %s (error %q), want %s with %q, %s", st.name, got, got.Error, st.want, st.err, history.TxnString(st.txn))
		}
		if st.op.Txn[0].List != nil {
			t.Fatalf("%s: the invocation was changed", st.name)
		}
	}
}
