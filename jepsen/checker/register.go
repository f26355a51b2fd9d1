package checker

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// RegisterInput is a register operation as porcupine sees it.
type RegisterInput struct {
	Key    int
	F      history.Func // Read, Write or CAS
	Value  int64        // written value, or the CAS's new value
	Expect int64        // the CAS's expected value
}

// RegisterOutput is what the operation returned.
type RegisterOutput struct {
	// Unknown: the operation is indeterminate (info); a write or cas may
	// have taken effect or not.
	Unknown bool
	// Exists and Value are what a read returned.
	Exists bool
	Value  int64
}

// registerState is one key's register: absent, or holding V.
type registerState struct {
	Exists bool
	V      int64
}

// RegisterModel is the sequential specification of one register per key
// (the state is per partition, i.e. per key).
var RegisterModel = porcupine.Model{
	Partition: func(ops []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[int][]porcupine.Operation{}
		var keys []int
		for _, op := range ops {
			k := op.Input.(RegisterInput).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return registerState{} },
	Step: func(state, input, output any) (bool, any) {
		st := state.(registerState)
		in := input.(RegisterInput)
		out := output.(RegisterOutput)
		switch in.F {
		case history.Read:
			ok := out.Exists == st.Exists && (!st.Exists || out.Value == st.V)
			return ok, st
		case history.Write:
			return true, registerState{Exists: true, V: in.Value}
		case history.CAS:
			match := st.Exists && st.V == in.Expect
			if match {
				return true, registerState{Exists: true, V: in.Value}
			}
			// An acknowledged cas needs a match; an indeterminate one that
			// did not match simply did nothing.
			return out.Unknown, st
		}
		return false, st
	},
	Hash: func(state any) uint64 {
		st := state.(registerState)
		if !st.Exists {
			return 0
		}
		return uint64(st.V)*0x9e3779b97f4a7c15 + 1
	},
	DescribeOperation: func(input, output any) string {
		in := input.(RegisterInput)
		out := output.(RegisterOutput)
		res := ""
		switch {
		case out.Unknown:
			res = " ?"
		case in.F == history.Read && out.Exists:
			res = fmt.Sprintf(" -> %d", out.Value)
		case in.F == history.Read:
			res = " -> nil"
		}
		switch in.F {
		case history.Write:
			return fmt.Sprintf("k%d write(%d)%s", in.Key, in.Value, res)
		case history.CAS:
			return fmt.Sprintf("k%d cas(%d→%d)%s", in.Key, in.Expect, in.Value, res)
		}
		return fmt.Sprintf("k%d read%s", in.Key, res)
	},
	DescribeState: func(state any) string {
		st := state.(registerState)
		if !st.Exists {
			return "nil"
		}
		return fmt.Sprint(st.V)
	},
}

// RegisterOperations turns a history's register operations into porcupine
// operations, without simplification: ok reads, writes and cas; info
// writes and cas with Return = history.Never and an unknown output. Failed
// operations did not happen and are left out, as are indeterminate reads
// (a read changes nothing) and eventually consistent reads (not
// linearizable by contract).
func RegisterOperations(pairs []history.Pair) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, p := range pairs {
		inv, c := p.Invoke, p.Complete
		in := RegisterInput{Key: inv.Key, F: inv.F}
		switch inv.F {
		case history.Read:
			if c.Type != history.OK {
				continue
			}
		case history.Write, history.CAS:
			if c.Type == history.Fail {
				continue
			}
			in.Value = *inv.Value
			if inv.F == history.CAS {
				in.Expect = *inv.Expect
			}
		default:
			continue
		}
		out := RegisterOutput{Unknown: c.Type == history.Info}
		if inv.F == history.Read && c.Value != nil {
			out.Exists, out.Value = true, *c.Value
		}
		ops = append(ops, porcupine.Operation{
			ClientId: max(inv.Process, 0),
			Input:    in,
			Output:   out,
			Call:     inv.Time,
			Return:   p.Return(),
			Metadata: inv.Index,
		})
	}
	return ops
}

// RegisterOptions tune CheckRegister.
type RegisterOptions struct {
	// Timeout bounds porcupine's search (0: none). A timeout gives Unknown.
	Timeout time.Duration
	// NoSimplify checks the raw history (for comparison and debugging).
	NoSimplify bool
}

// RegisterResult is the register checker's verdict.
type RegisterResult struct {
	Valid bool `json:"valid"`
	// Result is porcupine's answer: Ok, Illegal or Unknown.
	Result porcupine.CheckResult `json:"result"`
	// Operations checked (after simplification) and keys.
	Operations int `json:"operations"`
	Keys       int `json:"keys"`
	// IllegalKeys are the keys whose sub-history is not linearizable.
	IllegalKeys []int         `json:"illegal_keys,omitempty"`
	Simplify    SimplifyStats `json:"simplify"`
	// Ops is the history porcupine checked (for the visualization).
	Ops []porcupine.Operation `json:"-"`
}

// CheckRegister checks that the history's register operations are
// linearizable, one register per key.
func CheckRegister(pairs []history.Pair, o RegisterOptions) RegisterResult {
	ops := RegisterOperations(pairs)
	var res RegisterResult
	if !o.NoSimplify {
		ops, res.Simplify = Simplify(ops)
	}
	res.Ops = ops
	res.Operations = len(ops)
	parts := RegisterModel.Partition(ops)
	res.Keys = len(parts)
	res.Result = porcupine.CheckOperationsTimeout(RegisterModel, ops, o.Timeout)
	if res.Result == porcupine.Illegal {
		res.IllegalKeys = illegalKeys(parts, o.Timeout)
	}
	res.Valid = res.Result == porcupine.Ok
	return res
}

// illegalKeys checks every key on its own to say which ones are illegal.
func illegalKeys(parts [][]porcupine.Operation, timeout time.Duration) []int {
	single := RegisterModel
	single.Partition = nil
	var (
		mu  sync.Mutex
		bad []int
		wg  sync.WaitGroup
		sem = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for _, part := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if porcupine.CheckOperationsTimeout(single, part, timeout) == porcupine.Illegal {
				mu.Lock()
				bad = append(bad, part[0].Input.(RegisterInput).Key)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(bad)
	return bad
}
