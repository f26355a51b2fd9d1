package checker

import (
	"fmt"
	"slices"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// SetResult is the set checker's verdict, over all keys.
type SetResult struct {
	Valid bool `json:"valid"`
	// Unknown: some key had no successful final read, so lost elements
	// cannot be ruled out.
	Unknown bool `json:"unknown,omitempty"`
	// Attempted adds, acknowledged (ok) and indeterminate (info) ones.
	Attempted     int `json:"attempted"`
	Acknowledged  int `json:"acknowledged"`
	Indeterminate int `json:"indeterminate"`
	// Lost: acknowledged adds missing from the final read.
	Lost []Element `json:"lost,omitempty"`
	// Unexpected: elements read that no add ever tried to add, or whose add
	// certainly failed.
	Unexpected []Element `json:"unexpected,omitempty"`
	// Stale: consistent reads that missed an element acknowledged, or
	// already read, before the read began (at most 20 listed).
	Stale      []StaleSetRead `json:"stale,omitempty"`
	StaleCount int            `json:"stale_count"`
	// Recovered: indeterminate adds present in the final read.
	Recovered int `json:"recovered"`
	// KeysWithoutFinalRead lists keys whose final reads all failed.
	KeysWithoutFinalRead []int `json:"keys_without_final_read,omitempty"`
}

// Element is one set element of one key.
type Element struct {
	Key   int   `json:"key"`
	Value int64 `json:"value"`
}

// StaleSetRead is a consistent read missing an element it had to contain.
type StaleSetRead struct {
	Read    int     `json:"read"` // index of the read's invocation
	Key     int     `json:"key"`
	Missing []int64 `json:"missing"`
}

const maxListed = 20

// CheckSet checks the set workload: adds of unique elements (history.Add),
// consistent reads during the run and final reads after it.
func CheckSet(pairs []history.Pair) SetResult {
	var res SetResult
	type addInfo struct {
		typ history.Type
		ret int64 // acknowledgement time (ok only)
	}
	adds := map[Element]addInfo{}
	keys := map[int]bool{}
	var reads []history.Pair
	for _, p := range pairs {
		switch p.Invoke.F {
		case history.Add:
			e := Element{p.Invoke.Key, *p.Invoke.Value}
			keys[e.Key] = true
			adds[e] = addInfo{p.Type(), p.Return()}
			res.Attempted++
			switch p.Type() {
			case history.OK:
				res.Acknowledged++
			case history.Info:
				res.Indeterminate++
			}
		case history.Read:
			keys[p.Invoke.Key] = true
			if p.Type() == history.OK {
				if !slices.IsSorted(p.Complete.Values) {
					p.Complete.Values = slices.Sorted(slices.Values(p.Complete.Values))
				}
				reads = append(reads, p)
			}
		}
	}
	// Every read: unexpected elements.
	unexpected := map[Element]bool{}
	for _, r := range reads {
		for _, v := range r.Complete.Values {
			e := Element{r.Invoke.Key, v}
			if a, ok := adds[e]; (!ok || a.typ == history.Fail) && !unexpected[e] {
				unexpected[e] = true
				res.Unexpected = append(res.Unexpected, e)
			}
		}
	}
	// Final reads: lost and recovered elements.
	final := map[int][]int64{}
	for _, r := range reads {
		if r.Invoke.Final {
			final[r.Invoke.Key] = r.Complete.Values // the last one wins
		}
	}
	for k := range keys {
		if _, ok := final[k]; !ok {
			res.KeysWithoutFinalRead = append(res.KeysWithoutFinalRead, k)
		}
	}
	slices.Sort(res.KeysWithoutFinalRead)
	res.Unknown = len(res.KeysWithoutFinalRead) > 0
	for e, a := range adds {
		got, ok := final[e.Key]
		if !ok {
			continue
		}
		_, present := slices.BinarySearch(got, e.Value)
		switch {
		case a.typ == history.OK && !present:
			res.Lost = append(res.Lost, e)
		case a.typ == history.Info && present:
			res.Recovered++
		}
	}
	sortElements(res.Lost)
	sortElements(res.Unexpected)
	// Consistent reads during the run: each must contain every element
	// known before it began: acknowledged, or returned by a read that
	// completed, before the read was invoked.
	known := map[Element]int64{}
	for e, a := range adds {
		if a.typ == history.OK {
			known[e] = a.ret
		}
	}
	for _, r := range reads {
		for _, v := range r.Complete.Values {
			e := Element{r.Invoke.Key, v}
			if t, ok := known[e]; !ok || r.Return() < t {
				known[e] = r.Return()
			}
		}
	}
	type knownAt struct {
		v  int64
		at int64
	}
	byKey := map[int][]knownAt{}
	for e, at := range known {
		byKey[e.Key] = append(byKey[e.Key], knownAt{e.Value, at})
	}
	for _, ks := range byKey {
		slices.SortFunc(ks, func(a, b knownAt) int { return cmpInt64(a.at, b.at) })
	}
	for _, r := range reads {
		if r.Invoke.Final {
			continue // a final read missing an acknowledged element is "lost"
		}
		var missing []int64
		for _, ka := range byKey[r.Invoke.Key] {
			if ka.at >= r.Call() {
				break
			}
			if _, ok := slices.BinarySearch(r.Complete.Values, ka.v); !ok {
				missing = append(missing, ka.v)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			res.StaleCount++
			if len(res.Stale) < maxListed {
				res.Stale = append(res.Stale, StaleSetRead{Read: r.Invoke.Index, Key: r.Invoke.Key, Missing: missing})
			}
		}
	}
	slices.SortFunc(res.Stale, func(a, b StaleSetRead) int { return a.Read - b.Read })
	res.Valid = len(res.Lost) == 0 && len(res.Unexpected) == 0 && res.StaleCount == 0 && !res.Unknown
	return res
}

func sortElements(es []Element) {
	slices.SortFunc(es, func(a, b Element) int {
		if a.Key != b.Key {
			return a.Key - b.Key
		}
		return cmpInt64(a.Value, b.Value)
	})
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r SetResult) String() string {
	return fmt.Sprintf("set: valid=%v attempted=%d ok=%d info=%d lost=%d unexpected=%d stale-reads=%d recovered=%d",
		r.Valid, r.Attempted, r.Acknowledged, r.Indeterminate, len(r.Lost), len(r.Unexpected), r.StaleCount, r.Recovered)
}
