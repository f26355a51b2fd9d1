package jepsen

import (
	"slices"
	"time"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Stats summarize the operations of a history.
type Stats struct {
	// Operations by completion type and function.
	Operations int                                   `json:"operations"`
	ByType     map[history.Type]int                  `json:"by_type"`
	ByFunc     map[history.Func]map[history.Type]int `json:"by_func"`
	// Duration of the operation phase and throughput of ok operations.
	Duration   time.Duration `json:"duration"`
	Throughput float64       `json:"ok_per_second"`
	// Latency of ok operations.
	LatencyP50 time.Duration `json:"latency_p50"`
	LatencyP99 time.Duration `json:"latency_p99"`
	LatencyMax time.Duration `json:"latency_max"`
}

func computeStats(pairs []history.Pair, duration time.Duration) Stats {
	s := Stats{ByType: map[history.Type]int{}, ByFunc: map[history.Func]map[history.Type]int{}, Duration: duration}
	var lat []time.Duration
	for _, p := range pairs {
		if p.Invoke.Final {
			continue
		}
		s.Operations++
		t := p.Type()
		s.ByType[t]++
		if s.ByFunc[p.Invoke.F] == nil {
			s.ByFunc[p.Invoke.F] = map[history.Type]int{}
		}
		s.ByFunc[p.Invoke.F][t]++
		if t == history.OK {
			lat = append(lat, time.Duration(p.Return()-p.Call()))
		}
	}
	if duration > 0 {
		s.Throughput = float64(s.ByType[history.OK]) / duration.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		s.LatencyP50 = lat[len(lat)/2]
		s.LatencyP99 = lat[min(len(lat)-1, len(lat)*99/100)]
		s.LatencyMax = lat[len(lat)-1]
	}
	return s
}
