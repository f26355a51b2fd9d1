package checker

import (
	"fmt"
	"slices"
	"time"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// StalenessResult describes eventually consistent reads of registers. None
// of it is a violation: DynamoDB allows an eventually consistent read to
// return an older value.
type StalenessResult struct {
	// Reads is the number of ok eventually consistent reads.
	Reads int `json:"reads"`
	// Stale reads returned a value that had certainly been overwritten
	// before the read began (an acknowledged write invoked after the value's
	// write completed had itself completed).
	Stale int `json:"stale"`
	// StaleFraction = Stale / Reads.
	StaleFraction float64 `json:"stale_fraction"`
	// Staleness of the stale reads: the time from the acknowledgement of the
	// first newer write to the read's invocation (a lower bound on how old
	// the value was).
	StalenessP50 time.Duration `json:"staleness_p50"`
	StalenessP99 time.Duration `json:"staleness_p99"`
	StalenessMax time.Duration `json:"staleness_max"`
	// ReadYourWrites counts reads that followed an acknowledged write of the
	// same key by the same process; RYWMisses, those of them that returned
	// a value older than that write.
	ReadYourWrites int `json:"read_your_writes"`
	RYWMisses      int `json:"ryw_misses"`
	// MonotonicPairs counts successive reads of a key by one process;
	// MonotonicRegressions, those where the later read returned a value
	// certainly older than the earlier read's.
	MonotonicPairs       int `json:"monotonic_pairs"`
	MonotonicRegressions int `json:"monotonic_regressions"`
}

// CheckStaleness measures the eventually consistent reads (history.ReadEC)
// of a register history with unique written values.
func CheckStaleness(pairs []history.Pair) StalenessResult {
	var res StalenessResult
	type write struct {
		call, ret int64
		process   int
	}
	type kv struct {
		key int
		v   int64
	}
	writers := map[kv]write{}  // value -> its write (any outcome but fail)
	acked := map[int][]write{} // key -> acknowledged effective writes
	var reads []history.Pair
	for _, p := range pairs {
		inv := p.Invoke
		switch inv.F {
		case history.Write, history.CAS:
			if p.Type() == history.Fail {
				continue
			}
			w := write{p.Call(), p.Return(), inv.Process}
			writers[kv{inv.Key, *inv.Value}] = w
			if p.Type() == history.OK {
				acked[inv.Key] = append(acked[inv.Key], w)
			}
		case history.ReadEC:
			if p.Type() == history.OK {
				reads = append(reads, p)
			}
		}
	}
	// initial is the "write" of the absent value: before everything.
	initial := write{call: -1, ret: -1, process: history.NemesisProcess}
	writerOf := func(r history.Pair) (write, bool) {
		if r.Complete.Value == nil {
			return initial, true
		}
		w, ok := writers[kv{r.Invoke.Key, *r.Complete.Value}]
		return w, ok
	}
	var staleness []time.Duration
	type pk struct{ process, key int }
	last := map[pk]history.Pair{}
	slices.SortFunc(reads, func(a, b history.Pair) int { return cmpInt64(a.Call(), b.Call()) })
	for _, r := range reads {
		res.Reads++
		w, known := writerOf(r)
		if !known {
			continue // a value nobody wrote: the linearizability checker's business
		}
		// The first acknowledged write that certainly came after w and was
		// acknowledged before the read began.
		newest := history.Never
		own := false
		for _, x := range acked[r.Invoke.Key] {
			if x.ret < r.Call() && x.call > w.ret {
				newest = min(newest, x.ret)
			}
		}
		for _, x := range acked[r.Invoke.Key] {
			if x.process == r.Invoke.Process && x.ret < r.Call() {
				res.ReadYourWrites++
				own = true
				break
			}
		}
		if newest != history.Never {
			res.Stale++
			staleness = append(staleness, time.Duration(r.Call()-newest))
			for _, x := range acked[r.Invoke.Key] {
				if own && x.process == r.Invoke.Process && x.ret < r.Call() && x.call > w.ret {
					res.RYWMisses++
					break
				}
			}
		}
		id := pk{r.Invoke.Process, r.Invoke.Key}
		if prev, ok := last[id]; ok {
			res.MonotonicPairs++
			if pw, ok := writerOf(prev); ok && w.ret < pw.call {
				res.MonotonicRegressions++
			}
		}
		last[id] = r
	}
	if res.Reads > 0 {
		res.StaleFraction = float64(res.Stale) / float64(res.Reads)
	}
	if len(staleness) > 0 {
		slices.Sort(staleness)
		res.StalenessP50 = staleness[len(staleness)/2]
		res.StalenessP99 = staleness[min(len(staleness)-1, len(staleness)*99/100)]
		res.StalenessMax = staleness[len(staleness)-1]
	}
	return res
}

func (r StalenessResult) String() string {
	return fmt.Sprintf("staleness (eventually consistent reads, not violations): reads=%d stale=%d (%.1f%%) p50=%v p99=%v max=%v ryw-misses=%d/%d monotonic-regressions=%d/%d",
		r.Reads, r.Stale, 100*r.StaleFraction, r.StalenessP50, r.StalenessP99, r.StalenessMax,
		r.RYWMisses, r.ReadYourWrites, r.MonotonicRegressions, r.MonotonicPairs)
}
