package conformance_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/conformance"
	"github.com/ddbkit/ddbkit/conformance/peer"
)

// writeBaselines regenerates baselines/*.json from the observed failures
// (reasons derived from what was observed; review before committing).
var writeBaselines = os.Getenv("DDBKIT_WRITE_BASELINES") != ""

// judge runs the whole suite against url and compares it with the named
// checked-in baseline.
func judge(t *testing.T, url, baselineName string, reason func(conformance.SpecResult) string) *conformance.Results {
	t.Helper()
	path := filepath.Join("baselines", baselineName+".json")
	b, err := conformance.LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	res, err := conformance.Execute(ctx, conformance.RunConfig{
		Target:        conformance.Target{EndpointURL: url},
		Unimplemented: b.Unimplemented,
		Command:       selfCommand,
		Workers:       2,
	})
	if err != nil {
		t.Fatalf("run against %s: %v", baselineName, err)
	}
	all := res.Scores()[0]
	t.Logf("%s: %d specs, %d passed, %d failed, %d skipped, %d indeterminate; divergence %.1f%%, coverage %.1f%%, %s",
		baselineName, all.Total, all.Passed, all.Failed, all.Skipped, all.Indeterminate, 100*all.Divergence, 100*all.Coverage, res.Duration.Round(time.Millisecond))
	if dir := os.Getenv("DDBKIT_CONFORM_OUT"); dir != "" {
		writeOutputs(t, dir, baselineName, b.Endpoint, res)
	}
	if writeBaselines {
		nb := conformance.BaselineFrom(res, b.Endpoint, reason)
		nb.Notes, nb.Unimplemented = b.Notes, b.Unimplemented
		old := map[string]string{}
		for _, x := range b.ExpectedFailures {
			old[x.Spec] = x.Reason
		}
		for i, x := range nb.ExpectedFailures {
			if r, ok := old[x.Spec]; ok {
				nb.ExpectedFailures[i].Reason = r // keep reviewed reasons
			}
		}
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := nb.Write(f); err != nil {
			t.Fatal(err)
		}
		return res
	}
	d := b.Compare(res)
	var sb strings.Builder
	d.Print(&sb)
	if !d.OK() {
		t.Errorf("%s differs from its baseline %s:\n%s", baselineName, path, sb.String())
	} else if sb.Len() > 0 {
		t.Logf("%s", sb.String())
	}
	return res
}

func writeOutputs(t *testing.T, dir, name, title string, res *conformance.Results) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for ext, write := range map[string]func(f *os.File) error{
		".md":   func(f *os.File) error { return res.WriteMatrix(f, title) },
		".json": func(f *os.File) error { return res.WriteJSON(f) },
	} {
		f, err := os.Create(filepath.Join(dir, name+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// observed is the default reason for a regenerated baseline entry: what
// the endpoint did instead, in one line.
func observed(prefix string) func(conformance.SpecResult) string {
	return func(s conformance.SpecResult) string {
		msg := strings.Join(strings.Fields(s.Failure), " ")
		if i := strings.Index(msg, "api error "); i >= 0 {
			msg = "got " + msg[i+len("api error "):]
		}
		msg = strings.TrimPrefix(msg, "Unexpected error: ")
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return prefix + msg
	}
}

// TestPeers judges the two peers against their checked-in baselines. The
// peers are started here from var/peers (scripts/peers.sh install); the
// test skips, loudly, only when they are not installed.
func TestPeers(t *testing.T) {
	t.Parallel()
	for _, k := range []peer.Kind{peer.Dynalite, peer.DynamoDBLocal} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			if !peer.Installed(k, "") {
				msg := fmt.Sprintf("PEER %s NOT INSTALLED: run scripts/peers.sh install — its conformance run is SKIPPED", k)
				fmt.Fprintln(os.Stderr, "\n*** "+msg+" ***")
				t.Skip(msg)
			}
			p, err := peer.Start(context.Background(), k, peer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			reason := map[peer.Kind]string{peer.Dynalite: "dynalite 4.0.0 differs: ", peer.DynamoDBLocal: "DynamoDB Local differs: "}[k]
			judge(t, p.URL(), string(k), observed(reason))
			// Every request was answered before Execute returned (workers drain
			// their requests before exiting); the peer must have survived.
			if !p.Alive() {
				t.Errorf("%s died during the run", k)
			}
		})
	}
}
