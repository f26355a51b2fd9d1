package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ddbkit/ddbkit/bench/results"
)

// Markdown writes report.md: settings, environment, one table per phase
// with every target side by side, and the verdicts. plotsDir, if not
// empty, is where the SVG plots were written (linked from the report).
func Markdown(w io.Writer, r *results.Run, plots []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# ddbkit bench: %s\n\n", r.Workload.Name)
	fmt.Fprintf(&b, "Started %s. %s\n\n", r.Started.Format("2006-01-02 15:04:05 UTC"), describeSettings(r.Settings))
	b.WriteString("Latencies in microseconds, measured from each operation's intended start " +
		"(closed loop: its actual start); errors and throttles are counted apart and not in the latencies.\n\n")
	if hasLoad(r) {
		b.WriteString("## Load phase\n\n")
		table(&b, r, func(t results.Target) *results.Phase { return t.Load })
	}
	b.WriteString("## Run phase\n\n")
	table(&b, r, func(t results.Target) *results.Phase { return &t.Run })
	if rows := ratios(r); len(rows) > 0 {
		b.WriteString("### Ratios against " + r.Targets[0].Name + "\n\n")
		b.WriteString("| target | ops/s ratio | p50 ratio | p99 ratio |\n|---|---:|---:|---:|\n")
		for _, row := range rows {
			b.WriteString(row)
		}
		b.WriteString("\n")
	}
	for _, t := range r.Targets {
		for _, v := range t.Verdicts {
			fmt.Fprintf(&b, "- **%s**: %s\n", t.Name, v)
		}
	}
	if len(plots) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(p, ".svg"), p)
		}
	}
	b.WriteString("## Environment\n\n")
	for _, e := range r.Environment {
		fmt.Fprintf(&b, "- %s: %s, %d cores, %s/%s, %s, commit %s\n", e.Host, e.CPU, e.Cores, e.OS, e.Arch, e.GoVersion, orDash(e.Commit))
		fmt.Fprintf(&b, "  - command: `%s`\n", strings.Join(e.Args, " "))
	}
	b.WriteString("\n## Workload properties (effective)\n\n```properties\n")
	for _, k := range sortedKeys(r.Workload.Effective) {
		fmt.Fprintf(&b, "%s=%s\n", k, r.Workload.Effective[k])
	}
	b.WriteString("```\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n> %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("report: write markdown: %w", err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func hasLoad(r *results.Run) bool {
	for _, t := range r.Targets {
		if t.Load != nil {
			return true
		}
	}
	return false
}

func describeSettings(s results.Settings) string {
	d := fmt.Sprintf("Client %s, ", s.Client)
	if s.Mode == "open" {
		d += fmt.Sprintf("open loop at %.0f ops/s (%s arrivals, up to %d in flight, a start later than %.0f ms is missed)", s.Rate, s.Arrival, s.Concurrency, s.MaxLagMs)
	} else {
		d += fmt.Sprintf("closed loop with %d workers", s.Concurrency)
	}
	if s.Operations > 0 {
		d += fmt.Sprintf(", %d operations", s.Operations)
	}
	if s.DurationSec > 0 {
		d += fmt.Sprintf(", at most %.0f s", s.DurationSec)
	}
	return d + fmt.Sprintf(", seed %d.", s.Seed)
}

func table(b *strings.Builder, r *results.Run, phase func(results.Target) *results.Phase) {
	b.WriteString("| target | op | count | errors | throttles | ops/s | p50 | p90 | p99 | p99.9 | p99.99 | max |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Targets {
		p := phase(t)
		if p == nil {
			continue
		}
		for _, o := range p.Ops {
			l := o.Latency
			fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %.0f | %d | %d | %d | %d | %d | %d |\n",
				t.Name, o.Name, o.Count, o.Errors, o.Throttles, o.OpsPerSec, l.P50, l.P90, l.P99, l.P999, l.P9999, l.Max)
		}
		extra := ""
		var items int64
		for _, o := range p.Ops {
			if o.Name == "BATCH-LOAD" {
				items += o.Counters["items"]
			}
		}
		if items > 0 && p.ElapsedSec > 0 {
			extra = fmt.Sprintf(" requests/s (%d items, %.0f items/s)", items, float64(items)/p.ElapsedSec)
		}
		if p.IntendedRate > 0 {
			extra = fmt.Sprintf(" (intended %.0f ops/s, %d of %d starts missed)", p.IntendedRate, p.MissedStarts, p.Scheduled)
		}
		// The all row's percentiles are over every operation type's
		// latencies together (the histograms merged).
		if l := overallStats(*p); l.Count > 0 && len(p.Ops) > 1 {
			fmt.Fprintf(b, "| %s | **all** | %d | | | **%.0f**%s | %d | %d | %d | %d | %d | %d |\n",
				t.Name, p.Operations, p.OpsPerSec, extra, l.P50, l.P90, l.P99, l.P999, l.P9999, l.Max)
			continue
		}
		fmt.Fprintf(b, "| %s | **all** | %d | | | **%.0f**%s | | | | | | |\n", t.Name, p.Operations, p.OpsPerSec, extra)
	}
	b.WriteString("\n")
}

// ratios compares each target's run phase with the first target's.
func ratios(r *results.Run) []string {
	if len(r.Targets) < 2 {
		return nil
	}
	base := r.Targets[0].Run
	var rows []string
	for _, t := range r.Targets[1:] {
		if base.OpsPerSec == 0 {
			continue
		}
		p50b, p99b := overall(base)
		p50, p99 := overall(t.Run)
		rows = append(rows, fmt.Sprintf("| %s | %.2f× | %s | %s |\n", t.Name, t.Run.OpsPerSec/base.OpsPerSec, ratio(p50, p50b), ratio(p99, p99b)))
	}
	return rows
}

func ratio(a, b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// overall returns p50 and p99 over all operation types of a phase.
func overall(p results.Phase) (int64, int64) {
	s := overallStats(p)
	return s.P50, s.P99
}

// overallStats summarizes the latencies of all operation types of a phase
// together (their histograms merged).
func overallStats(p results.Phase) results.Stats {
	h := results.NewHist()
	for _, o := range p.Ops {
		if oh, err := results.Decode(o.LatencyHist); err == nil {
			h.Merge(oh)
		}
	}
	return results.Summarize(h)
}
