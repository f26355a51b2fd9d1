package jepsen

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Summary renders a result for humans (summary.txt and the CLI).
func Summary(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ddbkit jepsen: %s workload, seed %d, endpoint %s, table %s\n", r.Workload, r.Seed, orDefault(r.Endpoint, "(unnamed)"), r.Table)
	fmt.Fprintf(&b, "verdict: %s\n\n", strings.ToUpper(string(r.Verdict)))
	s := r.Stats
	fmt.Fprintf(&b, "operations: %d in %v (%.0f ok/s): ok %d, fail %d, info %d\n",
		s.Operations, s.Duration.Round(time.Millisecond), s.Throughput, s.ByType[history.OK], s.ByType[history.Fail], s.ByType[history.Info])
	var fs []string
	for f := range s.ByFunc {
		fs = append(fs, string(f))
	}
	slices.Sort(fs)
	for _, f := range fs {
		m := s.ByFunc[history.Func(f)]
		fmt.Fprintf(&b, "  %-8s ok %d, fail %d, info %d\n", f, m[history.OK], m[history.Fail], m[history.Info])
	}
	fmt.Fprintf(&b, "latency of ok operations: p50 %v, p99 %v, max %v\n", s.LatencyP50.Round(time.Microsecond), s.LatencyP99.Round(time.Microsecond), s.LatencyMax.Round(time.Microsecond))
	if len(r.Faults) == 0 {
		fmt.Fprintf(&b, "faults: none\n")
	} else {
		fmt.Fprintf(&b, "faults:\n")
		for _, w := range r.Faults {
			fmt.Fprintf(&b, "  %-18s %8.2fs .. %8.2fs  %s\n", w.Fault, time.Duration(w.Start).Seconds(), time.Duration(w.Stop).Seconds(), w.Target)
		}
	}
	if r.Replicas != "" {
		fmt.Fprintf(&b, "replica digests after the run: %s\n", r.Replicas)
	}
	if r.HealError != "" {
		fmt.Fprintf(&b, "NOT HEALTHY after healing: %s\n", r.HealError)
	}
	b.WriteString("\n")
	if reg := r.Register; reg != nil {
		fmt.Fprintf(&b, "register (linearizability, porcupine): %s — %d operations over %d keys\n", reg.Result, reg.Operations, reg.Keys)
		fmt.Fprintf(&b, "  indeterminate writes: %d (%d observed and completed, %d never observed and dropped)\n",
			reg.Simplify.Indeterminate, reg.Simplify.Completed, reg.Simplify.Dropped)
		if len(reg.IllegalKeys) > 0 {
			fmt.Fprintf(&b, "  NOT LINEARIZABLE on keys %v (see porcupine.html)\n", reg.IllegalKeys)
		}
	}
	if st := r.Staleness; st != nil {
		fmt.Fprintf(&b, "%s\n", st)
	}
	if set := r.Set; set != nil {
		fmt.Fprintf(&b, "%s\n", set)
		for _, e := range set.Lost[:min(len(set.Lost), 10)] {
			fmt.Fprintf(&b, "  LOST: key %d element %d (acknowledged, missing from the final read)\n", e.Key, e.Value)
		}
		for _, e := range set.Unexpected[:min(len(set.Unexpected), 10)] {
			fmt.Fprintf(&b, "  UNEXPECTED: key %d element %d (never successfully attempted)\n", e.Key, e.Value)
		}
		for _, s := range set.Stale[:min(len(set.Stale), 10)] {
			fmt.Fprintf(&b, "  STALE: read #%d of key %d misses %d known elements\n", s.Read, s.Key, len(s.Missing))
		}
		if set.Unknown {
			fmt.Fprintf(&b, "  no final read for keys %v\n", set.KeysWithoutFinalRead)
		}
	}
	if c := r.Counter; c != nil {
		fmt.Fprintf(&b, "%s\n", c)
		for _, e := range c.Errors[:min(len(c.Errors), 10)] {
			fmt.Fprintf(&b, "  OUT OF BOUNDS: read #%d of key %d = %d, bounds [%d, %d]\n", e.Read, e.Key, e.Value, e.Lower, e.Upper)
		}
		for _, e := range c.Final {
			fmt.Fprintf(&b, "  final key %d = %d within [%d, %d]\n", e.Key, e.Value, e.Lower, e.Upper)
		}
		if c.Unknown {
			fmt.Fprintf(&b, "  no final read for keys %v\n", c.KeysWithoutFinalRead)
		}
	}
	if len(r.Cancellations) > 0 {
		fmt.Fprintf(&b, "failed transactions by reason: %s\n", formatCounts(r.Cancellations))
	}
	if bank := r.Bank; bank != nil {
		fmt.Fprintf(&b, "%s\n", bank)
		for _, e := range bank.Errors[:min(len(bank.Errors), 10)] {
			fmt.Fprintf(&b, "  BAD READ: %s\n", e)
		}
		if bank.Unknown {
			fmt.Fprintf(&b, "  no successful final read\n")
		}
	}
	if la := r.ListAppend; la != nil {
		fmt.Fprintf(&b, "%s\n", la)
		for _, a := range la.Examples[:min(len(la.Examples), 10)] {
			fmt.Fprintf(&b, "  %s\n", a)
		}
		if la.Unknown {
			fmt.Fprintf(&b, "  no final read for keys %v\n", la.KeysWithoutFinalRead)
		}
		fmt.Fprintf(&b, "  (Elle can check %s too: see jepsen/README.md)\n", EDNFile)
	}
	return b.String()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
