package conformance_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/conformance"
)

func sample() *conformance.Results {
	return &conformance.Results{Specs: []conformance.SpecResult{
		{Name: "items a", Area: "items", State: conformance.Passed},
		{Name: "items b", Area: "items", State: conformance.Failed, Failure: "expected error X, got Y"},
		{Name: "items c", Area: "items", State: conformance.Indeterminate, Failure: "transport: EOF"},
		{Name: "query d", Area: "query", State: conformance.Skipped, Failure: "declared scope"},
		{Name: "query e", Area: "query", State: conformance.Passed},
	}}
}

func TestScores(t *testing.T) {
	got := sample().Scores()
	want := []conformance.Score{
		{Area: "all", Total: 5, Passed: 2, Failed: 1, Skipped: 1, Indeterminate: 1, Divergence: 0.2, Coverage: 0.6},
		{Area: "items", Total: 3, Passed: 1, Failed: 1, Indeterminate: 1, Divergence: 1.0 / 3, Coverage: 2.0 / 3},
		{Area: "query", Total: 2, Passed: 1, Skipped: 1, Divergence: 0, Coverage: 0.5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d scores, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("score %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestBaselineCompare(t *testing.T) {
	cases := []struct {
		name             string
		expected         []string
		newFailures      []string
		unexpectedPasses []string
		unknown          []string
		ok               bool
	}{
		{name: "exact match", expected: []string{"items b"}, ok: true},
		{name: "a new failure", expected: nil, newFailures: []string{"items b"}},
		{name: "an unexpected pass", expected: []string{"items b", "items a"}, unexpectedPasses: []string{"items a"}},
		{name: "a stale entry", expected: []string{"items b", "gone"}, unknown: []string{"gone"}},
		{name: "indeterminate and skipped specs never gate", expected: []string{"items b", "items c", "query d"}, ok: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &conformance.Baseline{Endpoint: "x"}
			for _, s := range c.expected {
				b.ExpectedFailures = append(b.ExpectedFailures, conformance.ExpectedFailure{Spec: s, Reason: "r"})
			}
			d := b.Compare(sample())
			if d.OK() != c.ok {
				t.Errorf("OK() = %v, want %v", d.OK(), c.ok)
			}
			var nf, up, un []string
			for _, s := range d.NewFailures {
				nf = append(nf, s.Name)
			}
			for _, x := range d.UnexpectedPasses {
				up = append(up, x.Spec)
			}
			for _, x := range d.Unknown {
				un = append(un, x.Spec)
			}
			if strings.Join(nf, ",") != strings.Join(c.newFailures, ",") ||
				strings.Join(up, ",") != strings.Join(c.unexpectedPasses, ",") ||
				strings.Join(un, ",") != strings.Join(c.unknown, ",") {
				t.Errorf("got new=%v unexpected=%v unknown=%v", nf, up, un)
			}
		})
	}
}

func TestLoadBaselineRequiresReasons(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "b.json")
	if err := os.WriteFile(p, []byte(`{"endpoint":"x","expected_failures":[{"spec":"items b","reason":""}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := conformance.LoadBaseline(p); err == nil {
		t.Fatal("a baseline entry without a reason must be rejected")
	}
}

func TestCheckedInBaselinesLoad(t *testing.T) {
	for _, n := range []string{"reference", "dynalite", "ddblocal"} {
		if _, err := conformance.LoadBaseline(filepath.Join("baselines", n+".json")); err != nil {
			t.Error(err)
		}
	}
}

func TestJUnitAndMatrix(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit is not XML: %v", err)
	}
	if doc.Tests != 5 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("junit counts %+v", doc)
	}
	buf.Reset()
	if err := sample().WriteMatrix(&buf, "test endpoint"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| items | 3 | 1 | 1 | 0 | 1 | 33.3% | 66.7% |", "| **all** | 5 |", "| b | failed | expected error X, got Y |"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("matrix lacks %q:\n%s", want, buf.String())
		}
	}
}

// An endpoint that only throttles cannot be judged: its specs are
// indeterminate, never failed (the Parity Suite counts them apart).
func TestThrottlingIsIndeterminate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`))
	}))
	defer srv.Close()
	res, err := conformance.Execute(context.Background(), conformance.RunConfig{
		Target: conformance.Target{EndpointURL: srv.URL}, LabelFilter: "errors", Command: selfCommand, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(conformance.Failed) != 0 || res.Count(conformance.Indeterminate) == 0 {
		t.Errorf("throttled endpoint: %d failed, %d indeterminate; want 0 failed", res.Count(conformance.Failed), res.Count(conformance.Indeterminate))
	}
}

// An endpoint that is not there is a transport fault: indeterminate.
func TestUnreachableIsIndeterminate(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	res, err := conformance.Execute(context.Background(), conformance.RunConfig{
		Target: conformance.Target{EndpointURL: url}, LabelFilter: "numbers", Command: selfCommand, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(conformance.Failed) != 0 || res.Count(conformance.Indeterminate) == 0 {
		t.Errorf("unreachable endpoint: %d failed, %d indeterminate", res.Count(conformance.Failed), res.Count(conformance.Indeterminate))
	}
}

// The suite must stay at least 300 specs deep, each in a known area.
func TestSpecInventory(t *testing.T) {
	specs, err := conformance.List(context.Background(), conformance.RunConfig{Command: selfCommand})
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) < 300 {
		t.Errorf("%d specs, want at least 300", len(specs))
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if s.Area == "" {
			t.Errorf("spec %q has no area label", s.Name)
		}
		if seen[s.Name] {
			t.Errorf("duplicate spec name %q (baselines need unique names)", s.Name)
		}
		seen[s.Name] = true
	}
	for _, a := range conformance.Areas() {
		n := 0
		for _, s := range specs {
			if s.Area == a {
				n++
			}
		}
		if n < 15 {
			t.Errorf("area %s has %d specs; every area should be covered in depth", a, n)
		}
	}
}

// Areas declared out of scope are skipped as declared scope, not run.
func TestDeclaredScopeIsSkipped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("no request may reach an endpoint whose only selected area is out of scope: %s", r.Header.Get("X-Amz-Target"))
		w.WriteHeader(500)
	}))
	defer srv.Close()
	res, err := conformance.Execute(context.Background(), conformance.RunConfig{
		Target: conformance.Target{EndpointURL: srv.URL}, LabelFilter: "capacity",
		Unimplemented: map[string]string{"capacity": "no capacity accounting"}, Command: selfCommand, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	capacity := 0
	for _, s := range res.Specs {
		if s.Area != "capacity" {
			continue
		}
		capacity++
		if s.State != conformance.Skipped || !strings.Contains(s.Failure, "declared scope") {
			t.Errorf("%s: %s %q, want skipped as declared scope", s.Name, s.State, s.Failure)
		}
	}
	if capacity == 0 {
		t.Error("no capacity specs reported")
	}
	sc := res.Scores()
	for _, s := range sc {
		if s.Area == "capacity" && s.Coverage != 0 {
			t.Errorf("capacity coverage %v, want 0", s.Coverage)
		}
	}
}

// A flaky baseline entry matches both outcomes and reports a failure.
func TestBaselineFlaky(t *testing.T) {
	b := &conformance.Baseline{ExpectedFailures: []conformance.ExpectedFailure{{Spec: "a", Reason: "peer flakes", Flaky: true}, {Spec: "b", Reason: "known"}}}
	for _, state := range []conformance.State{conformance.Passed, conformance.Failed} {
		d := b.Compare(&conformance.Results{Specs: []conformance.SpecResult{{Name: "a", State: state}, {Name: "b", State: conformance.Failed}}})
		if !d.OK() {
			t.Fatalf("flaky spec %v: diff not OK: %+v", state, d)
		}
		if (state == conformance.Failed) != (len(d.FlakyFailed) == 1) {
			t.Fatalf("flaky spec %v: FlakyFailed %v", state, d.FlakyFailed)
		}
	}
	// Non-flaky entries still gate both ways.
	d := b.Compare(&conformance.Results{Specs: []conformance.SpecResult{{Name: "a", State: conformance.Passed}, {Name: "b", State: conformance.Passed}}})
	if d.OK() || len(d.UnexpectedPasses) != 1 {
		t.Fatalf("unexpected pass of a non-flaky entry not reported: %+v", d)
	}
}
