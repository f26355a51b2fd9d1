package checker

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// BenchmarkCheckListAppend checks a serial list-append history of 100,000
// transactions (half 1–4 appends, half 1–4 reads) over 1,000 keys, each
// retired after 100 transactions, as the workload does.
func BenchmarkCheckListAppend(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, active, perKey = 100_000, 1_000, 100
	state := map[int][]int64{}
	slots := make([]int, active)
	counts := map[int]int{}
	next := active
	for i := range slots {
		slots[i] = i
	}
	var txs []tx
	var elem int64
	for range n {
		width := 1 + rng.IntN(4)
		write := rng.IntN(2) == 0
		var mops []history.Mop
		for _, s := range rng.Perm(active)[:width] {
			k := slots[s]
			if counts[k]++; counts[k] >= perKey {
				slots[s] = next
				next++
			}
			if write {
				elem++
				state[k] = append(state[k], elem)
				mops = append(mops, ap(k, elem))
			} else {
				mops = append(mops, rd(k, slices.Clone(state[k])...))
			}
		}
		txs = append(txs, tx{typ: ok, mops: mops})
	}
	for k, l := range state {
		txs = append(txs, fin(rd(k, l...)))
	}
	pairs := txHistory(txs)
	b.ResetTimer()
	for b.Loop() {
		if res := CheckListAppend(pairs); !res.Valid {
			b.Fatalf("serial history judged %s", res)
		}
	}
}
