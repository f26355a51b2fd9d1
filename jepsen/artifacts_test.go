package jepsen

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/jepsen/fakeddb"
	"github.com/ddbkit/ddbkit/jepsen/history"
	"github.com/ddbkit/ddbkit/jepsen/nemesis"
)

// TestArtifacts runs a short register test with a hook nemesis (recording
// its commands) and checks every artifact: the streamed history reads back
// as the result's history, faults appear in results and the visualization.
func TestArtifacts(t *testing.T) {
	url := startFake(t, fakeddb.Options{Indeterminacy: indeterminate, Seed: 9})
	db, err := target.NewClient(t.Context(), target.Options{EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hookLog := filepath.Join(dir, "hook.log")
	var hist bytes.Buffer
	res, err := Run(t.Context(), Config{
		Workload: Register, DB: db, Endpoint: url, Seed: 9,
		Clients: 4, Keys: 2, Rate: 400, Duration: 1500 * time.Millisecond, OpTimeout: 250 * time.Millisecond,
		Nemesis:  &nemesis.HookNemesis{StartCmd: "echo start >> " + hookLog, StopCmd: "echo stop >> " + hookLog, Seed: 9},
		Faults:   []string{nemesis.Hook},
		Schedule: nemesis.ScheduleOptions{Quiet: 300 * time.Millisecond, MinFault: 300 * time.Millisecond, MaxFault: 400 * time.Millisecond},
	}, &hist)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Valid || len(res.Faults) == 0 {
		t.Fatalf("verdict %s, faults %v\n%s", res.Verdict, res.Faults, Summary(res))
	}
	b, err := os.ReadFile(hookLog)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "start"); n != len(res.Faults) || strings.Count(string(b), "stop") != n {
		t.Fatalf("hook log %q for %d faults", b, len(res.Faults))
	}
	got, err := history.ReadJSONL(&hist)
	if err != nil {
		t.Fatal(err)
	}
	// (Params come back with JSON's types, so compare the rest.)
	if !reflect.DeepEqual(got.Ops, res.History.Ops) || got.Header.Seed != 9 || got.Header.Workload != Register {
		t.Fatalf("streamed history differs from the result's")
	}
	out := filepath.Join(dir, "out")
	paths, err := WriteArtifacts(out, res, ArtifactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Fatalf("artifacts %v", paths)
	}
	for _, name := range []string{HistoryFile, ResultsFile, SummaryFile, TimelineFile, PorcupineFile} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", name, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, PorcupineFile))
	if !strings.Contains(string(html), `"nemesis"`) {
		t.Fatalf("porcupine.html lacks the fault annotations")
	}
	png, _ := os.ReadFile(filepath.Join(out, TimelineFile))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("timeline is not a PNG")
	}
	results, _ := os.ReadFile(filepath.Join(out, ResultsFile))
	for _, want := range []string{`"verdict": "valid"`, `"fault": "hook"`, `"simplify"`} {
		if !strings.Contains(string(results), want) {
			t.Fatalf("results.json lacks %s", want)
		}
	}
}
