package nemesis

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Schedule is the plan of a run's faults, reproducible from its seed.
type Schedule struct {
	Seed   int64   `json:"seed"`
	Faults []Fault `json:"faults"`
}

// ScheduleOptions shape a generated schedule.
type ScheduleOptions struct {
	// Quiet is the time without faults before each fault (default 5s); the
	// first fault starts after it, and the run's last Quiet is fault-free
	// too, so the system is seen recovering.
	Quiet time.Duration
	// MinFault and MaxFault bound each fault's duration (default 5s..15s).
	MinFault, MaxFault time.Duration
}

func (o *ScheduleOptions) defaults() {
	if o.Quiet <= 0 {
		o.Quiet = 5 * time.Second
	}
	if o.MinFault <= 0 {
		o.MinFault = 5 * time.Second
	}
	if o.MaxFault < o.MinFault {
		o.MaxFault = max(o.MinFault, 3*o.MinFault)
	}
}

// NewSchedule plans faults named in names over a run of length total:
// alternately a quiet period and one fault, chosen by the seed, one at a
// time. The same arguments always give the same schedule.
func NewSchedule(seed int64, names []string, total time.Duration, o ScheduleOptions) (Schedule, error) {
	o.defaults()
	s := Schedule{Seed: seed}
	if len(names) == 0 {
		return s, nil
	}
	if total < 2*o.Quiet+o.MinFault {
		return s, fmt.Errorf("nemesis: a run of %v is too short for faults (quiet %v, shortest fault %v)", total, o.Quiet, o.MinFault)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6e656d65736973))
	order := rng.Perm(len(names))
	at := o.Quiet
	for i := 0; ; i++ {
		d := o.MinFault
		if o.MaxFault > o.MinFault {
			d += time.Duration(rng.Int64N(int64(o.MaxFault - o.MinFault)))
		}
		if at+d+o.Quiet > total {
			d = total - o.Quiet - at
			if d < o.MinFault {
				break
			}
		}
		// Each name once in a shuffled order, then again reshuffled.
		if i > 0 && i%len(names) == 0 {
			order = rng.Perm(len(names))
		}
		s.Faults = append(s.Faults, Fault{Name: names[order[i%len(names)]], Start: at, Stop: at + d})
		at += d + o.Quiet
	}
	return s, nil
}
