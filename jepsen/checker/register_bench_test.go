package checker

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// syntheticRegister builds a linearizable register history: per key, a
// sequence of operations by `procs` concurrent processes, each taking
// effect at a random point inside its interval; about 2% of writes time
// out (info), half of those applied.
func syntheticRegister(seed uint64, keys, perKey, procs int) []history.Pair {
	return syntheticRegisterInfo(seed, keys, perKey, procs, 50)
}

// syntheticRegisterInfo is syntheticRegister with one write in infoEvery
// indeterminate.
func syntheticRegisterInfo(seed uint64, keys, perKey, procs, infoEvery int) []history.Pair {
	rng := rand.New(rand.NewPCG(seed, 1))
	var pairs []history.Pair
	next := int64(1)
	for k := range keys {
		type ev struct {
			p     history.Pair
			point int64
		}
		var evs []ev
		free := make([]int64, procs) // when each process is free again
		for range perKey {
			pr := rng.IntN(procs)
			call := free[pr] + rng.Int64N(50)
			ret := call + 1 + rng.Int64N(100)
			free[pr] = ret + 1
			inv := history.Op{Type: history.Invoke, Process: k*procs + pr, Key: k, Time: call}
			switch rng.IntN(3) {
			case 0:
				inv.F = history.Read
			case 1:
				inv.F = history.Write
				inv.Value = history.Int(next)
				next++
			default:
				inv.F = history.CAS
				inv.Value = history.Int(next)
				inv.Expect = history.Int(next - 1 - rng.Int64N(2))
				next++
			}
			c := inv
			c.Type, c.Time = history.OK, ret
			point := call + rng.Int64N(ret-call+1)
			if inv.F != history.Read && rng.IntN(infoEvery) == 0 {
				c.Type = history.Info
				if rng.IntN(2) == 0 {
					point = -1
				}
			}
			evs = append(evs, ev{history.Pair{Invoke: inv, Complete: c}, point})
		}
		slices.SortStableFunc(evs, func(a, b ev) int { return cmpInt64(a.point, b.point) })
		var cur *int64
		for i := range evs {
			e := &evs[i]
			if e.point < 0 {
				continue
			}
			inv := e.p.Invoke
			switch inv.F {
			case history.Read:
				e.p.Complete.Value = cur
			case history.Write:
				cur = inv.Value
			case history.CAS:
				if cur != nil && *cur == *inv.Expect {
					cur = inv.Value
				} else if e.p.Complete.Type == history.OK {
					e.p.Complete.Type = history.Fail
				}
			}
		}
		for _, e := range evs {
			pairs = append(pairs, e.p)
		}
	}
	return pairs
}

func TestSyntheticRegisterIsLinearizable(t *testing.T) {
	pairs := syntheticRegister(1, 50, 100, 5)
	res := CheckRegister(pairs, RegisterOptions{})
	if !res.Valid {
		t.Fatalf("%+v", res)
	}
	// Corrupt one read: the checker must notice.
	for i := range pairs {
		if pairs[i].Invoke.F == history.Read && pairs[i].Complete.Value != nil && pairs[i].Complete.Type == history.OK {
			pairs[i].Complete.Value = history.Int(*pairs[i].Complete.Value + 1_000_000)
			break
		}
	}
	if res := CheckRegister(pairs, RegisterOptions{}); res.Valid || len(res.IllegalKeys) != 1 {
		t.Fatalf("corrupted history accepted: %+v", res)
	}
}

// BenchmarkCheckRegister checks a 100,000-operation history over 1,000 keys
// (goal: well under a second per check).
func BenchmarkCheckRegister(b *testing.B) {
	pairs := syntheticRegister(7, 1000, 100, 5)
	b.ResetTimer()
	for b.Loop() {
		if res := CheckRegister(pairs, RegisterOptions{}); !res.Valid {
			b.Fatalf("%+v", res)
		}
	}
	b.ReportMetric(float64(len(pairs)), "ops/history")
}

// BenchmarkSimplify compares checking histories where one write in five
// timed out, with and without Simplify: raw porcupine must consider every
// indeterminate write at every later point, which matters most when the
// history is NOT linearizable and the whole space must be exhausted.
func BenchmarkSimplify(b *testing.B) {
	legal := syntheticRegisterInfo(3, 20, 100, 5, 5)
	illegal := syntheticRegisterInfo(3, 20, 100, 5, 5)
	corruptLastRead(illegal)
	for _, h := range []struct {
		name  string
		pairs []history.Pair
		want  porcupine.CheckResult
	}{{"linearizable", legal, porcupine.Ok}, {"violation", illegal, porcupine.Illegal}} {
		for _, raw := range []bool{false, true} {
			name := h.name + "/simplified"
			if raw {
				name = h.name + "/raw"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					res := CheckRegister(h.pairs, RegisterOptions{NoSimplify: raw, Timeout: 30 * time.Second})
					if res.Result != h.want {
						b.Logf("result %v, want %v", res.Result, h.want)
						b.ReportMetric(1, "wrong-or-timeout")
					}
				}
			})
		}
	}
}

// corruptLastRead makes the last ok read of key 0 return the key's first
// written value, long overwritten: a stale read.
func corruptLastRead(pairs []history.Pair) {
	var first *int64
	for i := range pairs {
		p := &pairs[i]
		if p.Invoke.Key != 0 {
			continue
		}
		if first == nil && p.Invoke.F == history.Write && p.Complete.Type == history.OK {
			first = p.Invoke.Value
		}
	}
	for i := len(pairs) - 1; i >= 0; i-- {
		p := &pairs[i]
		if p.Invoke.Key == 0 && p.Invoke.F == history.Read && p.Complete.Type == history.OK {
			p.Complete.Value = first
			return
		}
	}
}
