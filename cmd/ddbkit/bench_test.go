package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/bench/results"
)

// TestBenchAndMergeCommands runs `ddbkit bench` against its default target
// (the embedded reference engine) and merges the run with itself.
func TestBenchAndMergeCommands(t *testing.T) {
	dir := t.TempDir()
	one, merged := filepath.Join(dir, "one"), filepath.Join(dir, "merged")
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		root := newRootCmd()
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(args)
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("ddbkit %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	out := run("bench", "--workload", "b", "-p", "recordcount=200", "--operations", "500",
		"--concurrency", "4", "--no-progress", "--out", one)
	if !strings.Contains(out, "[OVERALL], Throughput(ops/sec)") || !strings.Contains(out, "== target reference") {
		t.Errorf("no YCSB-style summary for the embedded reference:\n%s", out)
	}
	run("report", "merge", one, one, "--out", merged)
	a, err := results.Read(filepath.Join(one, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := results.Read(filepath.Join(merged, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Targets[0].Run.Operations != 500 || m.Targets[0].Run.Operations != 1000 {
		t.Errorf("operations: run %d, merged %d; want 500 and 1000", a.Targets[0].Run.Operations, m.Targets[0].Run.Operations)
	}
	for _, o := range a.Targets[0].Run.Ops {
		if o.Errors != 0 {
			t.Errorf("%s: %d errors %v against the reference", o.Name, o.Errors, o.ErrorTypes)
		}
	}
}
