package results

import (
	"fmt"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Merge combines runs made at the same time from several machines (each
// with its own share of the load) into one: histograms are added and the
// percentiles recomputed from the sums; counts and throughputs are added;
// timelines are aligned by second since the phase started and their
// per-second histograms added. Targets and operations match by name.
func Merge(runs []*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("results: nothing to merge")
	}
	out := *runs[0]
	out.Environment = nil
	out.Targets = nil
	out.Notes = append([]string(nil), runs[0].Notes...)
	out.Notes = append(out.Notes, fmt.Sprintf("merged from %d runs: histograms added, percentiles recomputed", len(runs)))
	byName := map[string][]Target{}
	var order []string
	for i, r := range runs {
		if r.Workload.Name != out.Workload.Name {
			return nil, fmt.Errorf("results: run %d ran workload %q, run 0 ran %q", i, r.Workload.Name, out.Workload.Name)
		}
		out.Environment = append(out.Environment, r.Environment...)
		for _, t := range r.Targets {
			if _, ok := byName[t.Name]; !ok {
				order = append(order, t.Name)
			}
			byName[t.Name] = append(byName[t.Name], t)
		}
	}
	for _, name := range order {
		ts := byName[name]
		m := Target{Name: name, Endpoint: ts[0].Endpoint}
		var loads, runsP []Phase
		for _, t := range ts {
			runsP = append(runsP, t.Run)
			if t.Load != nil {
				loads = append(loads, *t.Load)
			}
			m.Verdicts = appendUnique(m.Verdicts, t.Verdicts...)
		}
		p, err := mergePhases(runsP)
		if err != nil {
			return nil, fmt.Errorf("results: target %s: %w", name, err)
		}
		m.Run = p
		if len(loads) > 0 {
			lp, err := mergePhases(loads)
			if err != nil {
				return nil, fmt.Errorf("results: target %s load: %w", name, err)
			}
			m.Load = &lp
		}
		out.Targets = append(out.Targets, m)
	}
	return &out, nil
}

func appendUnique(dst []string, src ...string) []string {
	for _, s := range src {
		found := false
		for _, d := range dst {
			found = found || d == s
		}
		if !found {
			dst = append(dst, s)
		}
	}
	return dst
}

func mergePhases(ps []Phase) (Phase, error) {
	var m Phase
	ops := map[string]*Op{}
	hists := map[string][2]*hdr.Histogram{}
	var order []string
	for _, p := range ps {
		m.ElapsedSec = max(m.ElapsedSec, p.ElapsedSec)
		m.Operations += p.Operations
		m.OpsPerSec += p.OpsPerSec
		m.IntendedRate += p.IntendedRate
		m.Scheduled += p.Scheduled
		m.MissedStarts += p.MissedStarts
		m.MaxStartLagUs = max(m.MaxStartLagUs, p.MaxStartLagUs)
		for _, o := range p.Ops {
			lat, err := Decode(o.LatencyHist)
			if err != nil {
				return Phase{}, err
			}
			svc, err := Decode(o.ServiceHist)
			if err != nil {
				return Phase{}, err
			}
			acc, ok := ops[o.Name]
			if !ok {
				acc = &Op{Name: o.Name, ErrorTypes: map[string]int64{}, Counters: map[string]int64{}}
				ops[o.Name] = acc
				hists[o.Name] = [2]*hdr.Histogram{NewHist(), NewHist()}
				order = append(order, o.Name)
			}
			acc.Count += o.Count
			acc.OK += o.OK
			acc.Errors += o.Errors
			acc.Throttles += o.Throttles
			acc.OpsPerSec += o.OpsPerSec
			for k, v := range o.ErrorTypes {
				acc.ErrorTypes[k] += v
			}
			for k, v := range o.Counters {
				acc.Counters[k] += v
			}
			hists[o.Name][0].Merge(lat)
			hists[o.Name][1].Merge(svc)
		}
	}
	for _, name := range order {
		o := ops[name]
		h := hists[name]
		o.Latency, o.Service = Summarize(h[0]), Summarize(h[1])
		var err error
		if o.LatencyHist, err = Encode(h[0]); err != nil {
			return Phase{}, err
		}
		if o.ServiceHist, err = Encode(h[1]); err != nil {
			return Phase{}, err
		}
		m.Ops = append(m.Ops, *o)
	}
	tl, err := mergeTimelines(ps)
	if err != nil {
		return Phase{}, err
	}
	m.Timeline = tl
	return m, nil
}

func mergeTimelines(ps []Phase) ([]Tick, error) {
	n := 0
	for _, p := range ps {
		for _, t := range p.Timeline {
			n = max(n, t.Second+1)
		}
	}
	ticks := make([]Tick, n)
	hs := make([]*hdr.Histogram, n)
	for i := range ticks {
		ticks[i].Second = i
		ticks[i].PerOp = map[string]int64{}
		hs[i] = NewHist()
	}
	for _, p := range ps {
		for _, t := range p.Timeline {
			m := &ticks[t.Second]
			m.Ops += t.Ops
			m.Errors += t.Errors
			for k, v := range t.PerOp {
				m.PerOp[k] += v
			}
			h, err := Decode(t.Hist)
			if err != nil {
				return nil, err
			}
			hs[t.Second].Merge(h)
		}
	}
	for i := range ticks {
		s := Summarize(hs[i])
		ticks[i].P50, ticks[i].P99, ticks[i].Max = s.P50, s.P99, s.Max
		var err error
		if ticks[i].Hist, err = Encode(hs[i]); err != nil {
			return nil, err
		}
	}
	return ticks, nil
}
