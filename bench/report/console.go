package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/ddbkit/ddbkit/bench/results"
)

// Console writes a YCSB-style summary ("[READ], 99thPercentileLatency(us), 812")
// for every target, followed by ddbkit's own lines (p99.9, throttles,
// open-loop schedule and verdicts).
func Console(w io.Writer, r *results.Run) {
	for _, t := range r.Targets {
		fmt.Fprintf(w, "== target %s (%s), workload %s\n", t.Name, t.Endpoint, r.Workload.Name)
		if t.Load != nil {
			fmt.Fprintf(w, "[LOAD], RunTime(ms), %.0f\n", t.Load.ElapsedSec*1000)
			fmt.Fprintf(w, "[LOAD], Throughput(ops/sec), %.1f\n", t.Load.OpsPerSec)
		}
		p := t.Run
		fmt.Fprintf(w, "[OVERALL], RunTime(ms), %.0f\n", p.ElapsedSec*1000)
		fmt.Fprintf(w, "[OVERALL], Throughput(ops/sec), %.1f\n", p.OpsPerSec)
		if p.IntendedRate > 0 {
			fmt.Fprintf(w, "[OVERALL], IntendedThroughput(ops/sec), %.1f\n", p.IntendedRate)
			fmt.Fprintf(w, "[OVERALL], ScheduledOperations, %d\n", p.Scheduled)
			fmt.Fprintf(w, "[OVERALL], MissedStarts, %d\n", p.MissedStarts)
			fmt.Fprintf(w, "[OVERALL], MaxStartLag(us), %d\n", p.MaxStartLagUs)
		}
		for _, o := range p.Ops {
			n := "[" + o.Name + "]"
			fmt.Fprintf(w, "%s, Operations, %d\n", n, o.Count)
			fmt.Fprintf(w, "%s, AverageLatency(us), %.3f\n", n, o.Latency.Mean)
			fmt.Fprintf(w, "%s, MinLatency(us), %d\n", n, o.Latency.Min)
			fmt.Fprintf(w, "%s, MaxLatency(us), %d\n", n, o.Latency.Max)
			fmt.Fprintf(w, "%s, 50thPercentileLatency(us), %d\n", n, o.Latency.P50)
			fmt.Fprintf(w, "%s, 90thPercentileLatency(us), %d\n", n, o.Latency.P90)
			fmt.Fprintf(w, "%s, 99thPercentileLatency(us), %d\n", n, o.Latency.P99)
			fmt.Fprintf(w, "%s, 99.9PercentileLatency(us), %d\n", n, o.Latency.P999)
			fmt.Fprintf(w, "%s, 99.99PercentileLatency(us), %d\n", n, o.Latency.P9999)
			fmt.Fprintf(w, "%s, Return=OK, %d\n", n, o.OK)
			for _, k := range sortedKeys(o.ErrorTypes) {
				fmt.Fprintf(w, "%s, Return=%s, %d\n", n, k, o.ErrorTypes[k])
			}
			if o.Throttles > 0 {
				fmt.Fprintf(w, "%s, Throttles, %d\n", n, o.Throttles)
			}
			for _, k := range sortedKeys(o.Counters) {
				fmt.Fprintf(w, "%s, %s, %d\n", n, k, o.Counters[k])
			}
		}
		for _, v := range t.Verdicts {
			fmt.Fprintf(w, "!! %s\n", v)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
