package txn

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func (f *fakeClock) now() time.Time          { return time.Unix(0, f.ns.Load()) }
func (f *fakeClock) advance(d time.Duration) { f.ns.Add(int64(d)) }

func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func setup(t tb) (*catalog.Catalog, *catalog.Table) {
	t.Helper()
	cat := catalog.New(catalog.Options{Partitions: 4})
	tab, err := cat.Create(&catalog.Table{
		Name:       "accounts",
		Schema:     partition.KeySchema{HashKey: "pk", HashType: value.S},
		Attributes: []catalog.AttributeDefinition{{Name: "pk", Type: value.S}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat, tab
}

func k(pk string) value.Item { return value.Item{"pk": value.Str(pk)} }

func put(tab *catalog.Table, pk, bal string) Write {
	return Write{Table: tab, Cmd: &partition.Command{Op: partition.OpPut, Key: k(pk), Item: value.Item{"pk": value.Str(pk), "bal": value.Num(bal)}}}
}

// add changes a balance by delta if the result stays >= 0.
func add(tab *catalog.Table, pk string, delta int) Write {
	cmd := &partition.Command{Op: partition.OpUpdate, Key: k(pk), Update: "SET bal = bal + :d",
		Values: map[string]value.Value{":d": value.Num(strconv.Itoa(delta))}}
	if delta < 0 {
		cmd.Condition = "bal >= :m"
		cmd.Values[":m"] = value.Num(strconv.Itoa(-delta))
	}
	if err := cmd.Prepare(); err != nil {
		panic(err)
	}
	return Write{Table: tab, Cmd: cmd, ReturnOld: true}
}

func balance(t tb, c *Coordinator, tab *catalog.Table, pks ...string) []int {
	t.Helper()
	rs := make([]Read, len(pks))
	for i, pk := range pks {
		rs[i] = Read{Table: tab, Key: k(pk)}
	}
	items, err := c.Get(context.Background(), rs)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int, len(items))
	for i, it := range items {
		out[i], _ = strconv.Atoi(it["bal"].Str)
	}
	return out
}

func TestWriteCommitsAndCancels(t *testing.T) {
	ctx := context.Background()
	cat, tab := setup(t)
	c := New(cat, Options{})
	if _, err := c.Write(ctx, []Write{put(tab, "a", "10"), put(tab, "b", "0"), put(tab, "c", "5")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, []Write{add(tab, "a", -7), add(tab, "b", 7)}); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, c, tab, "a", "b", "c"); fmt.Sprint(got) != "[3 7 5]" {
		t.Fatalf("balances %v", got)
	}
	// Overdraw: the condition on a fails, b is untouched, reasons in order.
	_, err := c.Write(ctx, []Write{add(tab, "b", 7), add(tab, "a", -7)})
	reasons, ok := IsCanceled(err)
	if !ok || len(reasons) != 2 || reasons[0].Code != CodeNone || reasons[1].Code != CodeConditionalCheckFailed || reasons[1].Item["bal"].Str != "3" {
		t.Fatalf("err %v reasons %+v", err, reasons)
	}
	want := "TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
	if err.Error() != want {
		t.Fatalf("%s\nwant %s", err, want)
	}
	if got := balance(t, c, tab, "a", "b"); fmt.Sprint(got) != "[3 7]" {
		t.Fatalf("balances after cancel %v", got)
	}
	if n := ledgerLen(t, c); n != 0 {
		t.Fatalf("%d ledger records left", n)
	}
}

func ledgerLen(t tb, c *Coordinator) int {
	recs, err := c.ledger.scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// The coordinator dies between prepare and commit: the items are locked
// (plain writes conflict) until a recovery pass, on another coordinator,
// finds the stale ledger record. Dying before the decision cancels; dying
// after a COMMITTED decision commits.
func TestRecoveryOfDeadCoordinator(t *testing.T) {
	for _, tc := range []struct {
		point string
		want  string // balances after recovery
	}{
		{"prepared", "[10 0]"},
		{"decided", "[3 7]"},
	} {
		t.Run(tc.point, func(t *testing.T) {
			ctx := context.Background()
			cat, tab := setup(t)
			clock := newClock()
			setupC := New(cat, Options{Now: clock.now})
			if _, err := setupC.Write(ctx, []Write{put(tab, "a", "10"), put(tab, "b", "0")}); err != nil {
				t.Fatal(err)
			}
			clock.advance(time.Millisecond) // a later coordinator has a later timestamp
			died := errors.New("coordinator killed")
			dying := New(cat, Options{Now: clock.now, Crash: func(p, _ string) error {
				if p == tc.point {
					return died
				}
				return nil
			}})
			if _, err := dying.Write(ctx, []Write{add(tab, "a", -7), add(tab, "b", 7)}); !errors.Is(err, died) {
				t.Fatalf("err %v", err)
			}
			// Locked: a plain write conflicts, a transactional read cannot
			// complete.
			res, err := tab.PartitionForKey(value.Str("a")).Replica.Propose(ctx, put(tab, "a", "99").Cmd)
			if err != nil || ddberr.TypeOf(res.Err) != ddberr.TransactionConflict {
				t.Fatalf("plain write to a locked item: %v %v", err, res.Err)
			}
			rec := New(cat, Options{Now: clock.now, RecoverAfter: time.Second})
			if n, err := rec.Recover(ctx); n != 0 || err != nil {
				t.Fatalf("recovered a young transaction: %d %v", n, err)
			}
			clock.advance(2 * time.Second)
			if n, err := rec.Recover(ctx); n != 1 || err != nil {
				t.Fatalf("recover: %d %v", n, err)
			}
			if got := balance(t, rec, tab, "a", "b"); fmt.Sprint(got) != tc.want {
				t.Fatalf("balances %v, want %s", got, tc.want)
			}
			for _, p := range tab.Partitions {
				if ids := p.State.PreparedTxns(); len(ids) != 0 {
					t.Fatalf("prepared writes left: %v", ids)
				}
			}
			if n := ledgerLen(t, rec); n != 0 {
				t.Fatalf("%d ledger records left", n)
			}
		})
	}
}

// Concurrent bank transfers (random pairs, random amounts, some
// overdrawing) and concurrent transactional reads of all accounts: every
// read sees the conserved total, and so does the end state. A read that
// observed a half-applied transfer, or a lost update, breaks the total.
func TestBankSerializable(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		cat, tab := setup(rt)
		c := New(cat, Options{})
		nAcc := rapid.IntRange(2, 6).Draw(rt, "accounts")
		workers := rapid.IntRange(2, 6).Draw(rt, "workers")
		perWorker := rapid.IntRange(1, 25).Draw(rt, "transfers")
		seeds := rapid.SliceOfN(rapid.Int64(), workers, workers).Draw(rt, "seeds")
		var pks []string
		var init []Write
		for i := 0; i < nAcc; i++ {
			pks = append(pks, fmt.Sprintf("acct%d", i))
			init = append(init, put(tab, pks[i], "100"))
		}
		if _, err := c.Write(ctx, init); err != nil {
			rt.Fatal(err)
		}
		total := 100 * nAcc
		var wg sync.WaitGroup
		var bad atomic.Value
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(seed int64) {
				defer wg.Done()
				x := uint64(seed)
				next := func(n int) int { // xorshift: deterministic per worker
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
					return int(x % uint64(n))
				}
				for i := 0; i < perWorker; i++ {
					from, to := next(nAcc), next(nAcc)
					if from == to {
						to = (to + 1) % nAcc
					}
					amt := 1 + next(150)
					_, err := c.Write(ctx, []Write{add(tab, pks[from], -amt), add(tab, pks[to], amt)})
					if _, ok := IsCanceled(err); err != nil && !ok {
						bad.Store(err.Error())
					}
					if i%4 == 0 {
						rs := make([]Read, nAcc)
						for j, pk := range pks {
							rs[j] = Read{Table: tab, Key: k(pk)}
						}
						items, err := c.Get(ctx, rs)
						if _, ok := IsCanceled(err); ok {
							continue // too much contention: allowed
						}
						if err != nil {
							bad.Store(err.Error())
							continue
						}
						sum := 0
						for _, it := range items {
							v, _ := strconv.Atoi(it["bal"].Str)
							if v < 0 {
								bad.Store("negative balance " + it["bal"].Str)
							}
							sum += v
						}
						if sum != total {
							bad.Store(fmt.Sprintf("read saw total %d, want %d", sum, total))
						}
					}
				}
			}(seeds[w])
		}
		wg.Wait()
		if b := bad.Load(); b != nil {
			rt.Fatal(b)
		}
		sum := 0
		for _, v := range balance(rt, c, tab, pks...) {
			sum += v
		}
		if sum != total {
			rt.Fatalf("final total %d, want %d", sum, total)
		}
	})
}

// A coordinator whose clock is behind another's is refused by timestamp
// order once, learns the item's timestamp from the refusal, and its retry
// commits.
func TestClockBehindLearnsFromRefusal(t *testing.T) {
	ctx := context.Background()
	cat, tab := setup(t)
	ahead, behind := newClock(), newClock()
	ahead.advance(time.Hour)
	a := New(cat, Options{Now: ahead.now})
	b := New(cat, Options{Now: behind.now})
	if _, err := a.Write(ctx, []Write{put(tab, "x", "1")}); err != nil {
		t.Fatal(err)
	}
	_, err := b.Write(ctx, []Write{put(tab, "x", "2")})
	if r, ok := IsCanceled(err); !ok || r[0].Code != CodeTransactionConflict {
		t.Fatalf("first attempt: %v", err)
	}
	if _, err := b.Write(ctx, []Write{put(tab, "x", "2")}); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := balance(t, b, tab, "x"); got[0] != 2 {
		t.Fatalf("x = %v", got)
	}
}

// A prepared write with no ledger record (a late prepare) is cancelled by
// recovery once it is old; a young one is left alone.
func TestRecoveryCancelsOrphanedPrepare(t *testing.T) {
	ctx := context.Background()
	cat, tab := setup(t)
	clock := newClock()
	c := New(cat, Options{Now: clock.now, RecoverAfter: time.Second})
	orphan := put(tab, "x", "5").Cmd
	orphan.Txn = &partition.TxnStep{ID: "ghost", TS: uint64(clock.now().UnixMicro()), Phase: partition.TxnPrepare}
	p := tab.PartitionForKey(value.Str("x"))
	if r, err := p.Replica.Propose(ctx, orphan); err != nil || r.Err != nil {
		t.Fatal(err, r.Err)
	}
	plain := func() error {
		r, err := p.Replica.Propose(ctx, put(tab, "x", "7").Cmd)
		if err != nil {
			return err
		}
		return r.Err
	}
	if n, err := c.Recover(ctx); n != 0 || err != nil {
		t.Fatalf("young orphan recovered: %d %v", n, err)
	}
	if err := plain(); ddberr.TypeOf(err) != ddberr.TransactionConflict {
		t.Fatalf("plain write to an orphan-locked item: %v", err)
	}
	clock.advance(2 * time.Second)
	if n, err := c.Recover(ctx); n != 1 || err != nil {
		t.Fatalf("recover: %d %v", n, err)
	}
	if err := plain(); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

// Transfers whose coordinators die at random points (after prepare, after
// the decision), interleaved with recovery passes: once recovery has
// finished everything, no prepared write is left and the balances are
// exactly those of a model in which every transfer that succeeded or died
// after a COMMITTED decision applied entirely, and no other did.
func TestAtomicUnderCoordinatorCrashes(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		cat, tab := setup(rt)
		clock := newClock()
		healthy := New(cat, Options{Now: clock.now, RecoverAfter: time.Second})
		nAcc := rapid.IntRange(2, 5).Draw(rt, "accounts")
		var pks []string
		var init []Write
		for i := 0; i < nAcc; i++ {
			pks = append(pks, fmt.Sprint("acct", i))
			init = append(init, put(tab, pks[i], "50"))
		}
		if _, err := healthy.Write(ctx, init); err != nil {
			rt.Fatal(err)
		}
		model := make([]int, nAcc) // expected balances
		for i := range model {
			model[i] = 50
		}
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			clock.advance(time.Millisecond)
			if rapid.IntRange(0, 4).Draw(rt, "recover?") == 0 {
				clock.advance(2 * time.Second)
				if _, err := healthy.Recover(ctx); err != nil {
					rt.Fatal(err)
				}
				continue
			}
			crashAt := rapid.SampledFrom([]string{"", "prepared", "decided"}).Draw(rt, "crashAt")
			decided := ""
			c := New(cat, Options{Now: clock.now, Crash: func(p, id string) error {
				if p != crashAt {
					return nil
				}
				recs, err := healthy.ledger.scan(ctx)
				if err != nil {
					return err
				}
				for _, r := range recs {
					if r.ID == id {
						decided = r.State
					}
				}
				return errors.New("killed")
			}})
			from := rapid.IntRange(0, nAcc-1).Draw(rt, "from")
			to := (from + 1 + rapid.IntRange(0, nAcc-2).Draw(rt, "to")) % nAcc
			amt := rapid.IntRange(1, 80).Draw(rt, "amount")
			_, err := c.Write(ctx, []Write{add(tab, pks[from], -amt), add(tab, pks[to], amt)})
			_, cancelled := IsCanceled(err)
			switch {
			case err == nil || decided == stateCommitted: // committed, delivered now or by recovery
				model[from] -= amt
				model[to] += amt
			case cancelled || err.Error() == "killed":
			default:
				rt.Fatal(err)
			}
		}
		clock.advance(2 * time.Second)
		if _, err := healthy.Recover(ctx); err != nil {
			rt.Fatal(err)
		}
		for _, p := range tab.Partitions {
			if ids := p.State.PreparedTxns(); len(ids) != 0 {
				rt.Fatalf("prepared writes left after recovery: %v", ids)
			}
		}
		if got := balance(rt, healthy, tab, pks...); fmt.Sprint(got) != fmt.Sprint(model) {
			rt.Fatalf("balances %v, model %v", got, model)
		}
	})
}
