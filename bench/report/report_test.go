package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/bench/results"
)

func sampleRun(t *testing.T) *results.Run {
	t.Helper()
	mk := func(name string, us int64, n int) results.Target {
		h := results.NewHist()
		for i := 0; i < n; i++ {
			results.Record(h, us)
		}
		enc, err := results.Encode(h)
		if err != nil {
			t.Fatal(err)
		}
		op := results.Op{Name: "READ", Count: int64(n), OK: int64(n), OpsPerSec: float64(n), Latency: results.Summarize(h), LatencyHist: enc,
			ErrorTypes: map[string]int64{"<script>": 1}}
		return results.Target{Name: name, Run: results.Phase{Operations: int64(n), OpsPerSec: float64(n), Ops: []results.Op{op},
			Timeline: []results.Tick{{Second: 0, Ops: int64(n), P99: us, Hist: enc}}}}
	}
	return &results.Run{Schema: 1, Workload: results.Workload{Name: "workloada", Effective: map[string]string{"a": "<b>"}},
		Settings: results.Settings{Client: "lean", Mode: "closed", Concurrency: 4, Operations: 10},
		Targets:  []results.Target{mk("fast", 100, 1000), mk("slow", 400, 500)}}
}

func TestReportsShowTargetsSideBySide(t *testing.T) {
	r := sampleRun(t)
	var md, h, con bytes.Buffer
	if err := Markdown(&md, r, nil); err != nil {
		t.Fatal(err)
	}
	plots, err := Plots(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(plots) != 3 {
		t.Fatalf("%d plots, want spectrum-READ, throughput, p99", len(plots))
	}
	if err := HTML(&h, r, plots); err != nil {
		t.Fatal(err)
	}
	Console(&con, r)
	for _, want := range []string{"| fast | READ | 1000 |", "| slow | READ | 500 |", "| slow | 0.50× | 4.00× | 4.00× |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(h.String(), "<script>") || strings.Count(h.String(), "<svg") != 3 {
		t.Error("report.html must escape text and inline 3 SVG plots")
	}
	if !strings.Contains(con.String(), "[READ], 99thPercentileLatency(us), 100") {
		t.Errorf("console summary:\n%s", con.String())
	}
}

// The all row of a phase with several operation types carries the
// percentiles of all their latencies together: 900 reads at 100 µs and
// 100 updates at 5,000 µs make a p50 of 100 µs and a p99 of 5,000 µs,
// which neither type's own row shows.
func TestAllRowMergesOperationTypes(t *testing.T) {
	op := func(name string, us int64, n int) results.Op {
		h := results.NewHist()
		for i := 0; i < n; i++ {
			results.Record(h, us)
		}
		enc, err := results.Encode(h)
		if err != nil {
			t.Fatal(err)
		}
		return results.Op{Name: name, Count: int64(n), OK: int64(n), OpsPerSec: float64(n), Latency: results.Summarize(h), LatencyHist: enc}
	}
	r := &results.Run{Schema: 1, Workload: results.Workload{Name: "workloada"},
		Settings: results.Settings{Client: "lean", Mode: "closed", Concurrency: 4, Operations: 1000},
		Targets: []results.Target{{Name: "t", Run: results.Phase{Operations: 1000, OpsPerSec: 1000,
			Ops: []results.Op{op("READ", 100, 900), op("UPDATE", 5000, 100)}}}}}
	var md bytes.Buffer
	if err := Markdown(&md, r, nil); err != nil {
		t.Fatal(err)
	}
	var row string
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| t | **all** |") {
			row = l
		}
	}
	f := strings.Split(row, "|")
	if len(f) < 13 {
		t.Fatalf("all row %q has no percentiles", row)
	}
	p50, _ := strconv.Atoi(strings.TrimSpace(f[7]))
	p99, _ := strconv.Atoi(strings.TrimSpace(f[9]))
	// HdrHistogram keeps 3 significant digits: 5000 reads back as 5003.
	if p50 != 100 || p99 < 5000 || p99 > 5010 {
		t.Fatalf("all row %q: want p50 100 and p99 ~5000", row)
	}
}
