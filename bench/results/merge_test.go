package results

import "testing"

// TestMergeAddsHistograms: merging a run with itself doubles every count
// and keeps every percentile (the same distribution), which averaging
// percentiles would also do, so a second, slower run checks that the
// merged p99 comes from the added histograms.
func TestMergeAddsHistograms(t *testing.T) {
	mk := func(us []int64) *Run {
		h := NewHist()
		for _, v := range us {
			Record(h, v)
		}
		enc, err := Encode(h)
		if err != nil {
			t.Fatal(err)
		}
		op := Op{Name: "READ", Count: int64(len(us)), OK: int64(len(us)), OpsPerSec: 100,
			Latency: Summarize(h), LatencyHist: enc}
		return &Run{Schema: 1, Workload: Workload{Name: "w"},
			Targets: []Target{{Name: "t", Run: Phase{Operations: op.Count, OpsPerSec: 100, Ops: []Op{op},
				Timeline: []Tick{{Second: 0, Ops: op.Count, Hist: enc}}}}}}
	}
	fast := make([]int64, 990)
	for i := range fast {
		fast[i] = 100
	}
	slow := make([]int64, 10)
	for i := range slow {
		slow[i] = 50000
	}
	// Machine A saw 990 fast ops, machine B 10 slow ones: together 1% are
	// slow, so the merged p99.9 is slow and p50 fast. Averaging the two
	// machines' percentiles would give p50 ≈ 25 ms.
	m, err := Merge([]*Run{mk(fast), mk(slow)})
	if err != nil {
		t.Fatal(err)
	}
	o := m.Targets[0].Run.Ops[0]
	if o.Count != 1000 || m.Targets[0].Run.OpsPerSec != 200 {
		t.Errorf("count %d ops/s %v, want 1000 and 200", o.Count, m.Targets[0].Run.OpsPerSec)
	}
	if o.Latency.P50 != 100 || o.Latency.P999 < 49000 || o.Latency.P90 != 100 {
		t.Errorf("merged latency %+v: want p50 = p90 = 100 µs, p99.9 ≈ 50 ms", o.Latency)
	}
	if tl := m.Targets[0].Run.Timeline; len(tl) != 1 || tl[0].Ops != 1000 || tl[0].P50 != 100 {
		t.Errorf("merged timeline %+v", tl)
	}
}
