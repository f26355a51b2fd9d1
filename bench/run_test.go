package bench

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/ddbkit/ddbkit/bench/report"
	"github.com/ddbkit/ddbkit/bench/results"
	"github.com/ddbkit/ddbkit/workloads"
)

// TestRunWritesEverything runs YCSB-A (load + 2000 operations, closed
// loop) against two fake targets and checks the artifacts: counts, the
// operation mix, results.json, report.md/html with plots, and interval
// logs that HdrHistogram's log reader reads back.
func TestRunWritesEverything(t *testing.T) {
	fake := &fakeDynamo{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	props, err := workloads.Load("a")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := workloads.Parse(props)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var progress bytes.Buffer
	cfg := Config{
		WorkloadName: "workloada", Properties: props, Spec: spec,
		Targets:    []Target{{Name: "one", URL: srv.URL}, {Name: "two", URL: srv.URL}},
		Operations: 2000, Concurrency: 4, Load: true, LoadConcurrency: 2, Seed: 7,
		Out: out, Progress: &progress, Args: []string{"ddbkit", "bench"},
	}
	r, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteAll(out, r); err != nil {
		t.Fatal(err)
	}
	if len(r.Targets) != 2 {
		t.Fatalf("%d targets", len(r.Targets))
	}
	for _, tg := range r.Targets {
		if tg.Load == nil || tg.Load.Operations != 40 { // 1000 records / 25 per batch
			t.Errorf("%s: load phase %+v, want 40 batches", tg.Name, tg.Load)
		}
		if tg.Run.Operations != 2000 {
			t.Errorf("%s: %d operations, want 2000", tg.Name, tg.Run.Operations)
		}
		var reads int64
		for _, o := range tg.Run.Ops {
			if o.Errors != 0 {
				t.Errorf("%s %s: %d errors %v", tg.Name, o.Name, o.Errors, o.ErrorTypes)
			}
			if o.Name == workloads.OpRead {
				reads = o.Count
			}
		}
		if reads < 850 || reads > 1150 { // 50% of 2000, ±7 sd
			t.Errorf("%s: %d reads of 2000, want about half", tg.Name, reads)
		}
	}
	if got := fake.count("BatchWriteItem"); got != 80 {
		t.Errorf("server saw %d BatchWriteItem, want 80", got)
	}
	for _, f := range []string{"results.json", "report.md", "report.html", "throughput.svg", "p99.svg", "spectrum-READ.svg", "spectrum-UPDATE.svg", "one.run.hlog", "two.load.hlog"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !bytes.Contains(html, []byte("<svg")) || bytes.Contains(html, []byte("<?xml")) {
		t.Error("report.html does not inline its SVG plots")
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(md), "| two | READ |") || !strings.Contains(string(md), "Ratios against one") {
		t.Errorf("report.md lacks the side-by-side table:\n%s", md)
	}
	back, err := results.Read(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if back.Targets[1].Run.Ops[0].Latency != r.Targets[1].Run.Ops[0].Latency {
		t.Error("results.json does not round-trip")
	}
	checkIntervalLog(t, filepath.Join(out, "one.run.hlog"), r.Targets[0].Run)
}

func checkIntervalLog(t *testing.T, path string, p results.Phase) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := hdr.NewHistogramLogReader(f)
	counts := map[string]int64{}
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		counts[h.Tag()] += h.TotalCount()
	}
	for _, o := range p.Ops {
		if counts[o.Name] != o.OK {
			t.Errorf("interval log holds %d %s, results %d", counts[o.Name], o.Name, o.OK)
		}
	}
}
