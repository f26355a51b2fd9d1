package jepsen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/jepsen/fakeddb"
	"github.com/ddbkit/ddbkit/jepsen/history"
)

// TestArtifactsListAppend: a list-append run's artifacts include
// history.edn with one line per transaction event (final reads included),
// and no porcupine.html; the summary and results name the checker.
func TestArtifactsListAppend(t *testing.T) {
	res := shortRun(t, startFake(t, fakeddb.Options{Seed: 3}), ListAppend, 3)
	if res.Verdict != Valid {
		t.Fatalf("verdict %s\n%s", res.Verdict, Summary(res))
	}
	out := t.TempDir()
	paths, err := WriteArtifacts(out, res, ArtifactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Fatalf("artifacts %v", paths)
	}
	if _, err := os.Stat(filepath.Join(out, PorcupineFile)); err == nil {
		t.Fatalf("porcupine.html written for list-append")
	}
	edn, err := os.ReadFile(filepath.Join(out, EDNFile))
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for _, op := range res.History.Ops {
		if op.F == history.Txn {
			events++
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(edn), "\n"), "\n")
	if len(lines) != events || events < 100 {
		t.Fatalf("history.edn has %d lines for %d transaction events", len(lines), events)
	}
	if !strings.HasPrefix(lines[0], "{:index 0, :type :invoke,") || !strings.Contains(string(edn), ":type :ok") {
		t.Fatalf("history.edn starts %q", lines[0])
	}
	results, _ := os.ReadFile(filepath.Join(out, ResultsFile))
	if !strings.Contains(string(results), `"list_append"`) || !strings.Contains(Summary(res), "list-append (Elle-style") {
		t.Fatalf("results or summary lack the list-append checker")
	}
}
