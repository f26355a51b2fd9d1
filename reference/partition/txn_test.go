package partition

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

func txnKey(pk string) value.Item { return value.Item{"pk": value.Str(pk), "sk": value.Num("1")} }

func txnPut(pk, v, id string, ts uint64, phase TxnPhase) *Command {
	k := txnKey(pk)
	return &Command{Op: OpPut, Key: k, Item: value.Item{"pk": k["pk"], "sk": k["sk"], "v": value.Num(v)},
		Txn: &TxnStep{ID: id, TS: ts, Phase: phase}}
}

func step(pk, id string, phase TxnPhase) *Command {
	return &Command{Op: OpCheck, Key: txnKey(pk), Txn: &TxnStep{ID: id, Phase: phase}}
}

// Each case applies commands in order to a fresh Machine and checks the
// error type of each, then the final value of "v" of item a ("" = absent).
func TestTxnSteps(t *testing.T) {
	plainPut := &Command{Op: OpPut, Key: txnKey("a"), Item: value.Item{"pk": value.Str("a"), "sk": value.Num("1"), "v": value.Num("9")}}
	cases := []struct {
		name  string
		cmds  []*Command
		errs  []string
		final string
	}{
		{"prepare hides the write until commit", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare)}, []string{""}, ""},
		{"commit installs", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), step("a", "t1", TxnCommit)}, []string{"", ""}, "1"},
		{"cancel drops", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), step("a", "t1", TxnCancel)}, []string{"", ""}, ""},
		{"second transaction conflicts", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), txnPut("a", "2", "t2", 11, TxnPrepare), step("a", "t1", TxnCommit)},
			[]string{"", ddberr.TransactionConflict, ""}, "1"},
		{"plain write conflicts with a prepared write", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), plainPut, step("a", "t1", TxnCommit)},
			[]string{"", ddberr.TransactionConflict, ""}, "1"},
		{"plain write after commit is fine", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), step("a", "t1", TxnCommit), plainPut},
			[]string{"", "", ""}, "9"},
		{"late prepare after cancel is refused", []*Command{step("a", "t1", TxnCancel), txnPut("a", "1", "t1", 10, TxnPrepare)},
			[]string{"", ddberr.TransactionConflict}, ""},
		{"older timestamp than the last transactional write is refused", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), step("a", "t1", TxnCommit), txnPut("a", "2", "t0", 5, TxnPrepare)},
			[]string{"", "", ddberr.TransactionConflict}, "1"},
		{"retried prepare and commit are idempotent", []*Command{txnPut("a", "1", "t1", 10, TxnPrepare), txnPut("a", "1", "t1", 10, TxnPrepare), step("a", "t1", TxnCommit), step("a", "t1", TxnCommit)},
			[]string{"", "", "", ""}, "1"},
		{"condition checked at prepare", []*Command{func() *Command {
			c := txnPut("a", "1", "t1", 10, TxnPrepare)
			c.Condition = "attribute_exists(pk)"
			return c
		}()}, []string{ddberr.ConditionalCheckFailed}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMachine(testSchema)
			for i, c := range tc.cmds {
				enc, err := c.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				r := m.Apply(uint64(i+1), enc).(Result)
				if got := ddberr.TypeOf(r.Err); got != tc.errs[i] {
					t.Fatalf("command %d: error %q (%v), want %q", i, got, r.Err, tc.errs[i])
				}
			}
			it, _ := m.Get(testSchema.Key(txnKey("a")))
			if got := it["v"].Str; got != tc.final {
				t.Fatalf("v = %q, want %q", got, tc.final)
			}
		})
	}
}

// A snapshot carries prepared writes, outcomes and versions: a restored
// replica commits the prepared write and refuses a late prepare.
func TestTxnSnapshot(t *testing.T) {
	m := NewMachine(testSchema)
	apply := func(m Machine, i uint64, c *Command) Result {
		enc, _ := c.Marshal()
		return m.Apply(i, enc).(Result)
	}
	apply(m, 1, txnPut("a", "1", "t1", 10, TxnPrepare))
	apply(m, 2, step("b", "t2", TxnCancel))
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := NewMachine(testSchema)
	if err := r.Restore(2, snap); err != nil {
		t.Fatal(err)
	}
	if got := ddberr.TypeOf(apply(r, 3, txnPut("b", "1", "t2", 11, TxnPrepare)).Err); got != ddberr.TransactionConflict {
		t.Fatalf("late prepare after restore: %q", got)
	}
	apply(r, 4, step("a", "t1", TxnCommit))
	it, v, pending := r.ReadTxn(testSchema.Key(txnKey("a")))
	if it["v"].Str != "1" || v != 4 || pending {
		t.Fatalf("after commit: %v version %d pending %v", it, v, pending)
	}
}

// Items as Puts followed by PreparedCommands rebuild the prepared state:
// the commit then installs what the original prepare computed.
func TestPreparedCommandsRebuild(t *testing.T) {
	m := NewMachine(testSchema)
	apply := func(m Machine, i uint64, c *Command) Result {
		enc, _ := c.Marshal()
		return m.Apply(i, enc).(Result)
	}
	apply(m, 1, &Command{Op: OpPut, Key: txnKey("a"), Item: value.Item{"pk": value.Str("a"), "sk": value.Num("1"), "v": value.Num("1")}})
	upd := &Command{Op: OpUpdate, Key: txnKey("a"), Update: "SET v = v + :d", Values: map[string]value.Value{":d": value.Num("5")},
		Txn: &TxnStep{ID: "t1", TS: 10, Phase: TxnPrepare}}
	if r := apply(m, 2, upd); r.Err != nil {
		t.Fatal(r.Err)
	}
	fresh := NewMachine(testSchema)
	i := uint64(0)
	m.Scan(nil, nil, false, func(_ []byte, it value.Item) bool {
		i++
		apply(fresh, i, &Command{Op: OpPut, Key: testSchema.KeyOnly(it), Item: it})
		return true
	})
	for _, c := range m.PreparedCommands() {
		i++
		if r := apply(fresh, i, c); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	apply(fresh, i+1, step("a", "t1", TxnCommit))
	if it, _ := fresh.Get(testSchema.Key(txnKey("a"))); it["v"].Str != "6" {
		t.Fatalf("after rebuild and commit: %v", it)
	}
}

// A prepared write changes the digest; its commit and a plain write of the
// same item reach equal digests.
func TestDigestCoversPreparedWrites(t *testing.T) {
	a, b := NewMachine(testSchema), NewMachine(testSchema)
	apply := func(m Machine, i uint64, c *Command) {
		enc, _ := c.Marshal()
		m.Apply(i, enc)
	}
	before := a.Digest()
	apply(a, 1, txnPut("a", "1", "t1", 10, TxnPrepare))
	if a.Digest() == before {
		t.Fatal("a prepared write does not change the digest")
	}
	apply(a, 2, step("a", "t1", TxnCommit))
	apply(b, 1, &Command{Op: OpPut, Key: txnKey("a"), Item: value.Item{"pk": value.Str("a"), "sk": value.Num("1"), "v": value.Num("1")}})
	if a.Digest() != b.Digest() {
		t.Fatal("committed and plainly written item digests differ")
	}
}
