package conformance

import (
	"sort"
	"time"
)

// State is the outcome of one spec.
type State string

// Spec outcomes. Indeterminate means the endpoint could not be judged
// (timeout, throttling, a transport fault): neither a pass nor a failure.
const (
	Passed        State = "passed"
	Failed        State = "failed"
	Skipped       State = "skipped"
	Indeterminate State = "indeterminate"
)

// SpecResult is one spec's outcome, as written by --json.
type SpecResult struct {
	Name     string   `json:"name"`
	Area     string   `json:"area"`
	Labels   []string `json:"labels"`
	State    State    `json:"state"`
	Failure  string   `json:"failure,omitempty"`
	Location string   `json:"location,omitempty"`
	Seconds  float64  `json:"duration_seconds"`
}

// Results is a whole run against one target.
type Results struct {
	Target   string        `json:"target"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Specs    []SpecResult  `json:"specs"`
}

// Score counts outcomes the way the community's Parity Suite does:
// divergence = failed/total, coverage = (passed+failed)/total. Skipped specs
// (declared out of scope or filtered) and indeterminate ones count in the
// total only.
type Score struct {
	Area          string  `json:"area"`
	Total         int     `json:"total"`
	Passed        int     `json:"passed"`
	Failed        int     `json:"failed"`
	Skipped       int     `json:"skipped"`
	Indeterminate int     `json:"indeterminate"`
	Divergence    float64 `json:"divergence"`
	Coverage      float64 `json:"coverage"`
}

func (s *Score) add(st State) {
	s.Total++
	switch st {
	case Passed:
		s.Passed++
	case Failed:
		s.Failed++
	case Skipped:
		s.Skipped++
	case Indeterminate:
		s.Indeterminate++
	}
}

func (s *Score) finish() {
	if s.Total > 0 {
		s.Divergence = float64(s.Failed) / float64(s.Total)
		s.Coverage = float64(s.Passed+s.Failed) / float64(s.Total)
	}
}

// Scores returns the overall score (Area "all") followed by one per area
// present in the report, in area order.
func (r *Results) Scores() []Score {
	all := Score{Area: "all"}
	by := map[string]*Score{}
	for _, s := range r.Specs {
		all.add(s.State)
		a := s.Area
		if by[a] == nil {
			by[a] = &Score{Area: a}
		}
		by[a].add(s.State)
	}
	all.finish()
	out := []Score{all}
	for _, a := range orderedAreas(by) {
		by[a].finish()
		out = append(out, *by[a])
	}
	return out
}

func orderedAreas(by map[string]*Score) []string {
	rank := map[string]int{}
	for i, a := range areas {
		rank[a] = i
	}
	keys := make([]string, 0, len(by))
	for a := range by {
		keys = append(keys, a)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, iok := rank[keys[i]]
		rj, jok := rank[keys[j]]
		if iok != jok {
			return iok
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// Count returns how many specs are in state st.
func (r *Results) Count(st State) int {
	n := 0
	for _, s := range r.Specs {
		if s.State == st {
			n++
		}
	}
	return n
}

// Find returns the result of the spec named name.
func (r *Results) Find(name string) (SpecResult, bool) {
	for _, s := range r.Specs {
		if s.Name == name {
			return s, true
		}
	}
	return SpecResult{}, false
}
