package checker

import (
	"github.com/anishathalye/porcupine"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// SimplifyStats counts what Simplify did to indeterminate operations.
type SimplifyStats struct {
	// Indeterminate is the number of info writes and cas in the input.
	Indeterminate int `json:"indeterminate"`
	// Completed were observed (their unique value was read, or expected by
	// an effective cas) and got a finite completion time.
	Completed int `json:"completed"`
	// Dropped were never observed and were removed.
	Dropped int `json:"dropped"`
}

// Simplify removes the cost of indeterminate (info) writes and cas from a
// register history without changing its verdict. It relies on every
// written value (a write's value, a cas's new value) being unique per key,
// which the register workload guarantees; it checks this and returns ops
// unchanged if not.
//
// Let w be an info operation that writes v. w "is observed" when an ok read
// returns v, an ok cas expects v, or an observed info cas expects v.
//
//  1. w observed by an operation o ending at time r: in every linearization
//     w takes effect before o (only w writes v), so before r. Setting w's
//     return time to max(call, r) removes no linearization, and adds only
//     real-time constraints every linearization already satisfies: the
//     verdict is unchanged. (If r < call no linearization exists before or
//     after.)
//  2. w never observed: if the history is linearizable with w, then in that
//     linearization w is followed, until the next effective write, only by
//     operations that do not depend on the register's value being v (no
//     read returns v, no cas expects v) and by other unobserved info
//     operations; removing w leaves every remaining step legal, so the
//     history without w is linearizable. Conversely, if the history
//     without w is linearizable, put w last (its return time is infinite):
//     a write or cas that is last, with an unknown outcome, is always legal.
//
// Failed operations are not in the history at all (they did not happen), so
// no operation constrains the register to "not v"; a model that kept
// ConditionalCheckFailed as "value != expect" would break argument 2.
//
// After Simplify no operation has an infinite return time, so porcupine's
// search stays as small as if there had been no timeouts at all.
func Simplify(ops []porcupine.Operation) ([]porcupine.Operation, SimplifyStats) {
	var st SimplifyStats
	type kv struct {
		key int
		v   int64
	}
	writer := map[kv]int{} // (key, value written) -> index in ops
	for i, op := range ops {
		in := op.Input.(RegisterInput)
		if in.F == history.Read {
			continue
		}
		if _, dup := writer[kv{in.Key, in.Value}]; dup {
			return ops, SimplifyStats{} // values not unique: not applicable
		}
		writer[kv{in.Key, in.Value}] = i
		if op.Output.(RegisterOutput).Unknown {
			st.Indeterminate++
		}
	}
	if st.Indeterminate == 0 {
		return ops, st
	}
	// bound[i]: earliest return time of an operation observing ops[i]'s
	// value; history.Never if none (yet).
	bound := make([]int64, len(ops))
	for i := range bound {
		bound[i] = history.Never
	}
	observe := func(key int, v int64, at int64) bool {
		w, ok := writer[kv{key, v}]
		if !ok || !ops[w].Output.(RegisterOutput).Unknown || at >= bound[w] {
			return false
		}
		bound[w] = at
		return true
	}
	for _, op := range ops {
		in, out := op.Input.(RegisterInput), op.Output.(RegisterOutput)
		switch {
		case in.F == history.Read && out.Exists:
			observe(in.Key, out.Value, op.Return)
		case in.F == history.CAS && !out.Unknown:
			observe(in.Key, in.Expect, op.Return)
		}
	}
	// An observed info cas observes the value it expected, by the time it
	// is itself observed. Propagate along such chains to a fixed point.
	for changed := true; changed; {
		changed = false
		for i, op := range ops {
			in, out := op.Input.(RegisterInput), op.Output.(RegisterOutput)
			if in.F == history.CAS && out.Unknown && bound[i] != history.Never {
				if observe(in.Key, in.Expect, max(op.Call, bound[i])) {
					changed = true
				}
			}
		}
	}
	simplified := make([]porcupine.Operation, 0, len(ops))
	for i, op := range ops {
		if !op.Output.(RegisterOutput).Unknown {
			simplified = append(simplified, op)
			continue
		}
		if bound[i] == history.Never {
			st.Dropped++
			continue
		}
		st.Completed++
		op.Return = max(op.Call, bound[i])
		simplified = append(simplified, op)
	}
	return simplified, st
}
