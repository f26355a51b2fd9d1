package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Baseline is what an endpoint is expected to get wrong, each with a
// reason, so CI can gate on "no difference from the baseline": a new
// failure and an unexpected pass both fail the run.
type Baseline struct {
	// Endpoint describes what the baseline is for (name and version).
	Endpoint string `json:"endpoint"`
	// Notes explain how the baseline was made and judged.
	Notes string `json:"notes,omitempty"`
	// Unimplemented declares areas out of the endpoint's scope (area ->
	// reason): their specs are skipped, not run.
	Unimplemented map[string]string `json:"unimplemented,omitempty"`
	// ExpectedFailures lists the specs expected to fail.
	ExpectedFailures []ExpectedFailure `json:"expected_failures"`
}

// ExpectedFailure is one spec expected to fail, and why.
type ExpectedFailure struct {
	Spec   string `json:"spec"`
	Reason string `json:"reason"`
	// Flaky marks a spec that passes or fails from run to run on this
	// endpoint (a peer's own instability, e.g. under load): either outcome
	// matches the baseline, and the run reports which it was. Use it only
	// for peers, with the observed failure in Reason, never to hide a
	// failure of the system being developed.
	Flaky bool `json:"flaky,omitempty"`
}

// LoadBaseline reads a baseline file (JSON).
func LoadBaseline(path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("conformance: baseline: %w", err)
	}
	defer f.Close()
	var b Baseline
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("conformance: baseline %s: %w", path, err)
	}
	for i, x := range b.ExpectedFailures {
		if strings.TrimSpace(x.Reason) == "" {
			return nil, fmt.Errorf("conformance: baseline %s: expected failure %d (%q) has no reason", path, i, x.Spec)
		}
	}
	return &b, nil
}

// Write writes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return fmt.Errorf("conformance: write baseline: %w", err)
	}
	return nil
}

// Diff is how a run differs from its baseline.
type Diff struct {
	// NewFailures failed but are not expected to.
	NewFailures []SpecResult
	// UnexpectedPasses are expected to fail but passed: fixed, so the
	// baseline must shrink.
	UnexpectedPasses []ExpectedFailure
	// Unknown baseline entries name no spec of the suite (renamed or
	// removed specs): the baseline is stale.
	Unknown []ExpectedFailure
	// Indeterminate specs are reported, never gating.
	Indeterminate []SpecResult
	// FlakyFailed are specs marked flaky that failed this time (reported,
	// not gating).
	FlakyFailed []SpecResult
}

// OK reports whether the run matches the baseline.
func (d Diff) OK() bool {
	return len(d.NewFailures) == 0 && len(d.UnexpectedPasses) == 0 && len(d.Unknown) == 0
}

// Compare compares a run with the baseline.
func (b *Baseline) Compare(r *Results) Diff {
	expected := map[string]ExpectedFailure{}
	for _, x := range b.ExpectedFailures {
		expected[x.Spec] = x
	}
	var d Diff
	seen := map[string]bool{}
	for _, s := range r.Specs {
		seen[s.Name] = true
		x, isExpected := expected[s.Name]
		switch s.State {
		case Failed:
			switch {
			case !isExpected:
				d.NewFailures = append(d.NewFailures, s)
			case x.Flaky:
				d.FlakyFailed = append(d.FlakyFailed, s)
			}
		case Passed:
			if isExpected && !x.Flaky {
				d.UnexpectedPasses = append(d.UnexpectedPasses, x)
			}
		case Indeterminate:
			d.Indeterminate = append(d.Indeterminate, s)
		}
	}
	for _, x := range b.ExpectedFailures {
		if !seen[x.Spec] {
			d.Unknown = append(d.Unknown, x)
		}
	}
	sort.Slice(d.UnexpectedPasses, func(i, j int) bool { return d.UnexpectedPasses[i].Spec < d.UnexpectedPasses[j].Spec })
	return d
}

// Print writes the differences for a human.
func (d Diff) Print(w io.Writer) {
	for _, s := range d.NewFailures {
		fmt.Fprintf(w, "NEW FAILURE      %s\n                 %s\n", s.Name, firstLines(s.Failure, 3))
	}
	for _, s := range d.FlakyFailed {
		fmt.Fprintf(w, "FLAKY (failed)   %s\n                 %s\n", s.Name, firstLines(s.Failure, 3))
	}
	for _, x := range d.UnexpectedPasses {
		fmt.Fprintf(w, "UNEXPECTED PASS  %s\n                 (baseline reason: %s) — remove it from the baseline\n", x.Spec, x.Reason)
	}
	for _, x := range d.Unknown {
		fmt.Fprintf(w, "STALE BASELINE   %s: no such spec\n", x.Spec)
	}
	for _, s := range d.Indeterminate {
		fmt.Fprintf(w, "INDETERMINATE    %s: %s\n", s.Name, firstLine(s.Failure))
	}
}

// BaselineFrom makes a baseline listing every failure of r, with reason
// as the reason of each (to be edited by a human before it is checked in).
func BaselineFrom(r *Results, endpoint string, reason func(SpecResult) string) *Baseline {
	b := &Baseline{Endpoint: endpoint}
	for _, s := range r.Specs {
		if s.State == Failed {
			b.ExpectedFailures = append(b.ExpectedFailures, ExpectedFailure{Spec: s.Name, Reason: reason(s)})
		}
	}
	sort.Slice(b.ExpectedFailures, func(i, j int) bool { return b.ExpectedFailures[i].Spec < b.ExpectedFailures[j].Spec })
	return b
}

// firstLines returns the first n non-empty lines of s, joined with " | "
// (gomega's first line alone is often just "Unexpected error:").
func firstLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
			if len(out) == n {
				break
			}
		}
	}
	return strings.Join(out, " | ")
}
