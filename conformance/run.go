package conformance

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"
)

// Options tune Run.
type Options struct {
	// LabelFilter selects specs by area label (ginkgo syntax, e.g.
	// "items || query", "!capacity").
	LabelFilter string
	// Baseline, when set, is the endpoint's expected failures: Run fails
	// the test on any new failure or unexpected pass, and skips the
	// baseline's unimplemented areas.
	Baseline *Baseline
	// Unimplemented declares more areas out of scope (area -> reason).
	Unimplemented map[string]string
	// Seed orders specs and names tables (default: the clock).
	Seed int64
}

// Run runs the whole suite in this process against target and reports
// through t: each failing spec is a test error (or, with a baseline, each
// difference from it). It returns the results for further use.
//
// Ginkgo runs one suite per process, so Run may be called once per test
// binary; to judge several endpoints from one binary, use Execute, which
// runs the suite in worker processes.
func Run(t *testing.T, target Target, opts ...Options) *Results {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	scope := map[string]string{}
	if o.Baseline != nil {
		for a, why := range o.Baseline.Unimplemented {
			scope[a] = why
		}
	}
	for a, why := range o.Unimplemented {
		scope[a] = why
	}
	filter := scopedFilter(o.LabelFilter, scope)
	res := &Results{Target: target.EndpointURL, Started: time.Now()}
	emit := func(r SpecResult) {
		if r.State == Skipped && r.Failure == "" {
			if why, ok := scope[r.Area]; ok {
				r.Failure = "declared scope: area not implemented: " + why
			} else {
				r.Failure = "not selected by the label filter"
			}
		}
		res.Specs = append(res.Specs, r)
	}
	if err := RunWorker(context.Background(), WorkerConfig{Target: target, LabelFilter: filter, Seed: o.Seed}, nil, emit); err != nil {
		t.Fatalf("conformance: %v", err)
	}
	res.Duration = time.Since(res.Started)
	sort.SliceStable(res.Specs, func(i, j int) bool { return res.Specs[i].Name < res.Specs[j].Name })
	all := res.Scores()[0]
	t.Logf("conformance: %d specs: %d passed, %d failed, %d skipped, %d indeterminate (divergence %.1f%%, coverage %.1f%%) in %s",
		all.Total, all.Passed, all.Failed, all.Skipped, all.Indeterminate, 100*all.Divergence, 100*all.Coverage, res.Duration.Round(time.Millisecond))
	if o.Baseline != nil {
		d := o.Baseline.Compare(res)
		var b strings.Builder
		d.Print(&b)
		if !d.OK() {
			t.Errorf("conformance: run differs from the baseline for %s:\n%s", o.Baseline.Endpoint, b.String())
		} else if b.Len() > 0 {
			t.Log(b.String())
		}
		return res
	}
	for _, s := range res.Specs {
		if s.State == Failed {
			t.Errorf("%s\n%s\n%s", s.Name, s.Failure, s.Location)
		}
	}
	return res
}

// scopedFilter adds "!area" for every out-of-scope area to filter.
func scopedFilter(filter string, scope map[string]string) string {
	var parts []string
	if filter != "" {
		parts = append(parts, "("+filter+")")
	}
	areas := make([]string, 0, len(scope))
	for a := range scope {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	for _, a := range areas {
		parts = append(parts, "!"+a)
	}
	return strings.Join(parts, " && ")
}
