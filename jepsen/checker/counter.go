package checker

import (
	"fmt"
	"slices"
	"sort"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// CounterResult is the counter checker's verdict, over all keys.
type CounterResult struct {
	Valid bool `json:"valid"`
	// Unknown: some key had no successful final read.
	Unknown              bool  `json:"unknown,omitempty"`
	KeysWithoutFinalRead []int `json:"keys_without_final_read,omitempty"`
	Reads                int   `json:"reads"`
	// Increments acknowledged and indeterminate.
	Acknowledged  int `json:"acknowledged"`
	Indeterminate int `json:"indeterminate"`
	// Errors are reads outside their bounds (at most 20 listed).
	Errors     []CounterError `json:"errors,omitempty"`
	ErrorCount int            `json:"error_count"`
	// Final holds each key's final value with its bounds.
	Final []CounterError `json:"final,omitempty"`
}

// CounterError is a read with the bounds it had to lie in.
type CounterError struct {
	Read  int   `json:"read"` // index of the read's invocation
	Key   int   `json:"key"`
	Value int64 `json:"value"`
	Lower int64 `json:"lower"`
	Upper int64 `json:"upper"`
}

// CheckCounter checks the counter workload: increments by positive amounts
// (history.Incr) and consistent reads. A read invoked at c and completed at
// r must see at least every increment acknowledged before c, and at most
// every increment (acknowledged or indeterminate) invoked before r. The
// final reads, after every increment ended, are held to the same bounds,
// which become [sum of ok, sum of ok + info].
func CheckCounter(pairs []history.Pair) CounterResult {
	var res CounterResult
	type incr struct{ call, ret, delta int64 }
	type keyOps struct {
		ok, possible []incr // ok sorted by ret; possible (ok+info) sorted by call
		reads        []history.Pair
		final        bool
	}
	keys := map[int]*keyOps{}
	get := func(k int) *keyOps {
		if keys[k] == nil {
			keys[k] = &keyOps{}
		}
		return keys[k]
	}
	for _, p := range pairs {
		ko := get(p.Invoke.Key)
		switch p.Invoke.F {
		case history.Incr:
			in := incr{p.Call(), p.Return(), *p.Invoke.Value}
			switch p.Type() {
			case history.OK:
				res.Acknowledged++
				ko.ok = append(ko.ok, in)
				ko.possible = append(ko.possible, in)
			case history.Info:
				res.Indeterminate++
				ko.possible = append(ko.possible, in)
			}
		case history.Read:
			if p.Type() == history.OK {
				ko.reads = append(ko.reads, p)
				ko.final = ko.final || p.Invoke.Final
			}
		}
	}
	var ks []int
	for k := range keys {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		ko := keys[k]
		if !ko.final {
			res.KeysWithoutFinalRead = append(res.KeysWithoutFinalRead, k)
		}
		slices.SortFunc(ko.ok, func(a, b incr) int { return cmpInt64(a.ret, b.ret) })
		slices.SortFunc(ko.possible, func(a, b incr) int { return cmpInt64(a.call, b.call) })
		okSum := prefixSums(ko.ok, func(i incr) int64 { return i.delta })
		possSum := prefixSums(ko.possible, func(i incr) int64 { return i.delta })
		for _, r := range ko.reads {
			res.Reads++
			var v int64
			if r.Complete.Value != nil {
				v = *r.Complete.Value
			}
			// acknowledged strictly before the read's call
			lo := okSum[sort.Search(len(ko.ok), func(i int) bool { return ko.ok[i].ret >= r.Call() })]
			// invoked no later than the read's return
			hi := possSum[sort.Search(len(ko.possible), func(i int) bool { return ko.possible[i].call > r.Return() })]
			ce := CounterError{Read: r.Invoke.Index, Key: k, Value: v, Lower: lo, Upper: hi}
			if r.Invoke.Final {
				res.Final = append(res.Final, ce)
			}
			if v < lo || v > hi {
				res.ErrorCount++
				if len(res.Errors) < maxListed {
					res.Errors = append(res.Errors, ce)
				}
			}
		}
	}
	res.Unknown = len(res.KeysWithoutFinalRead) > 0
	res.Valid = res.ErrorCount == 0 && !res.Unknown
	return res
}

func prefixSums[T any](xs []T, f func(T) int64) []int64 {
	s := make([]int64, len(xs)+1)
	for i, x := range xs {
		s[i+1] = s[i] + f(x)
	}
	return s
}

func (r CounterResult) String() string {
	return fmt.Sprintf("counter: valid=%v reads=%d ok-incr=%d info-incr=%d out-of-bounds=%d",
		r.Valid, r.Reads, r.Acknowledged, r.Indeterminate, r.ErrorCount)
}
