package checker

import (
	"slices"
	"testing"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// genRegisterHistory draws a small single-key register history: operations
// with random intervals, executed against a real register at a random
// linearization point inside their interval, with unique written values;
// some writes and cas become indeterminate (their outcome unknown, applied
// or not, possibly after their nominal end), and some reads are corrupted
// so that non-linearizable histories occur too.
func genRegisterHistory(t *rapid.T) []porcupine.Operation {
	n := rapid.IntRange(1, 9).Draw(t, "n")
	type planned struct {
		op    porcupine.Operation
		point int64 // linearization point; -1: never takes effect
	}
	var ps []planned
	next := int64(1)
	var written []int64
	for i := range n {
		call := int64(rapid.IntRange(0, 40).Draw(t, "call"))
		ret := call + int64(rapid.IntRange(0, 15).Draw(t, "dur"))
		in := RegisterInput{Key: 0}
		switch rapid.IntRange(0, 2).Draw(t, "f") {
		case 0:
			in.F = history.Read
		case 1:
			in.F = history.Write
			in.Value = next
			written = append(written, next)
			next++
		case 2:
			in.F = history.CAS
			in.Value = next
			written = append(written, next)
			next++
			in.Expect = int64(rapid.IntRange(1, int(next)).Draw(t, "expect"))
		}
		point := call + int64(rapid.IntRange(0, int(ret-call)).Draw(t, "point"))
		out := RegisterOutput{}
		if in.F != history.Read && rapid.IntRange(0, 2).Draw(t, "info") == 0 {
			out.Unknown = true
			switch rapid.IntRange(0, 2).Draw(t, "fate") {
			case 0:
				point = -1 // never applied
			case 1:
				point = ret + int64(rapid.IntRange(0, 30).Draw(t, "late")) // applied late
			}
			ret = history.Never
		}
		ps = append(ps, planned{porcupine.Operation{ClientId: i, Input: in, Output: out, Call: call, Return: ret}, point})
	}
	// Execute in linearization-point order.
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(ps[a].point - ps[b].point) })
	st := registerState{}
	keep := make([]bool, len(ps))
	for _, i := range order {
		p := &ps[i]
		in := p.op.Input.(RegisterInput)
		out := p.op.Output.(RegisterOutput)
		keep[i] = true
		if p.point < 0 {
			continue
		}
		switch in.F {
		case history.Read:
			out.Exists, out.Value = st.Exists, st.V
		case history.Write:
			st = registerState{true, in.Value}
		case history.CAS:
			if st.Exists && st.V == in.Expect {
				st = registerState{true, in.Value}
			} else if !out.Unknown {
				keep[i] = false // a failed cas: not in the history
			}
		}
		p.op.Output = out
	}
	var ops []porcupine.Operation
	for i, p := range ps {
		if !keep[i] {
			continue
		}
		op := p.op
		in := op.Input.(RegisterInput)
		if in.F == history.Read && rapid.IntRange(0, 4).Draw(t, "corrupt") == 0 {
			out := RegisterOutput{}
			if len(written) > 0 && rapid.Bool().Draw(t, "exists") {
				out.Exists, out.Value = true, rapid.SampledFrom(written).Draw(t, "value")
			}
			op.Output = out
		}
		ops = append(ops, op)
	}
	return ops
}

// TestSimplifyPreservesVerdict compares porcupine's verdict on random small
// histories with and without Simplify.
func TestSimplifyPreservesVerdict(t *testing.T) {
	var legal, illegal, simplified int
	rapid.Check(t, func(t *rapid.T) {
		ops := genRegisterHistory(t)
		got, st := Simplify(ops)
		want := porcupine.CheckOperations(RegisterModel, ops)
		if have := porcupine.CheckOperations(RegisterModel, got); have != want {
			t.Fatalf("verdict %v with simplification, %v without (stats %+v)\nraw: %+v\nsimplified: %+v", have, want, st, ops, got)
		}
		for _, op := range got {
			if op.Return == history.Never {
				t.Fatalf("an indeterminate operation survived: %+v", op)
			}
		}
		if want {
			legal++
		} else {
			illegal++
		}
		if st.Indeterminate > 0 {
			simplified++
		}
	})
	// The generator must exercise both verdicts and the simplification,
	// or this test proves nothing.
	if legal == 0 || illegal == 0 || simplified == 0 {
		t.Fatalf("generator coverage: %d legal, %d illegal, %d with info ops", legal, illegal, simplified)
	}
	t.Logf("%d legal, %d illegal, %d with indeterminate operations", legal, illegal, simplified)
}
