package report

import (
	"bytes"
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
