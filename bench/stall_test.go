package bench

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/bench/results"
	"github.com/ddbkit/ddbkit/workloads"
)

func readOnlySpec(t *testing.T) (workloads.Properties, workloads.Spec) {
	t.Helper()
	p := workloads.Properties{"recordcount": "1000", "operationcount": "1000", "readproportion": "1",
		"updateproportion": "0", "requestdistribution": "uniform"}
	s, err := workloads.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

func opLatency(t *testing.T, tgt results.Target, op string) results.Stats {
	t.Helper()
	for _, o := range tgt.Run.Ops {
		if o.Name == op {
			return o.Latency
		}
	}
	t.Fatalf("no %s in %+v", op, tgt.Run.Ops)
	return results.Stats{}
}

// TestOpenLoopSeesStallsClosedLoopHidesThem runs against a server that
// freezes for X = 100 ms at the start of every Y = 500 ms.
//
// Analytic truth for the open loop (constant arrivals, a negligible service
// time s): an operation scheduled at phase φ of a period waits X-φ if φ < X,
// else only s. A fraction X/Y = 20% of operations wait, uniformly 0..X, so
// for q > 1-X/Y the q-quantile is X - (1-q)·Y: p90 = 50 ms, p99 = 95 ms,
// max ≈ 100 ms, p50 ≈ s.
//
// Negative control: a closed loop with one worker has only one operation
// waiting in each stall, out of hundreds per period, so its p99 stays near
// s while its max still shows the stall: the tail is under-reported.
//
// The offered rate is low (200 ops/s) so that even a heavily loaded 2-core
// machine serves it with room to spare: the test is about where the time
// is counted, not about speed.
//
// Margins for a noisy 2-core machine: scheduling noise only adds latency,
// so the lower bounds are tight (-15 ms). The upper bounds are the truth
// plus 80 ms (with load average 10 on 2 cores, requests released by a stall
// were measured finishing up to ~55 ms late) plus the longest hiccup of the
// process during the runs, measured by a goroutine that sleeps
// 1 ms at a time (as jHiccup does): when the whole process is frozen for
// 200 ms, every operation in flight is 200 ms late, and that is the
// machine's doing, not the driver's. The closed loop's p99 must be below a
// third of the truth. A driver that timed from the actual send (coordinated
// omission) would report p99 ≈ 1 ms and fail the lower bounds by far. An
// upper bound missed while the process hiccuped by more than 20 ms is
// measured again (3 attempts at most); nothing else is.
func TestOpenLoopSeesStallsClosedLoopHidesThem(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2 × 3 s against a stalling server")
	}
	const X, Y = 100 * time.Millisecond, 500 * time.Millisecond
	fake := &fakeDynamo{start: time.Now(), period: Y, stall: X}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	props, spec := readOnlySpec(t)
	base := Config{
		WorkloadName: "stall", Properties: props, Spec: spec,
		Targets:  []Target{{Name: "stalling", URL: srv.URL}},
		Duration: 3 * time.Second, Seed: 1,
	}

	// Only a measurement spoiled by the machine is repeated: when an upper
	// bound fails while the process hiccuped (> 20 ms), up to 3 attempts.
	// Lower bounds and the negative control fail at once.
	for attempt := 1; ; attempt++ {
		noisy := stallAttempt(t, base)
		if !noisy {
			return
		}
		if attempt == 3 {
			t.Errorf("upper bounds failed in 3 attempts, each with the machine freezing the process for more than 20 ms")
			return
		}
		t.Logf("attempt %d spoiled by process hiccups; measuring again", attempt)
	}
}

// stallAttempt measures once and checks; it reports whether an upper
// bound failed on a noisy machine (to be measured again) and fails the
// test for anything else.
func stallAttempt(t *testing.T, base Config) (noisyRetry bool) {
	t.Helper()
	open := base
	open.Rate, open.Arrival, open.Concurrency = 200, "constant", 64
	stopMeter, hiccup := hiccupMeter()
	ro, err := Run(context.Background(), open)
	if err != nil {
		t.Fatal(err)
	}
	closed := base
	closed.Concurrency = 1
	rc, err := Run(context.Background(), closed)
	stopMeter()
	if err != nil {
		t.Fatal(err)
	}
	h := float64(hiccup().Microseconds()) / 1000
	o := opLatency(t, ro.Targets[0], workloads.OpRead)
	c := opLatency(t, rc.Targets[0], workloads.OpRead)
	t.Logf("longest process hiccup during the two runs: %.1f ms", h)
	t.Logf("open:   n=%d p50=%dµs p90=%dµs p99=%dµs max=%dµs missed=%d", o.Count, o.P50, o.P90, o.P99, o.Max, ro.Targets[0].Run.MissedStarts)
	t.Logf("closed: n=%d p50=%dµs p90=%dµs p99=%dµs max=%dµs", c.Count, c.P50, c.P90, c.P99, c.Max)

	ms := func(us int64) float64 { return float64(us) / 1000 }
	checks := []struct {
		name        string
		got, lo, hi float64
	}{
		{"open p90 (truth 50 ms)", ms(o.P90), 35, 130 + h},
		{"open p99 (truth 95 ms)", ms(o.P99), 80, 175 + h},
		{"open max (truth 100 ms)", ms(o.Max), 85, 300 + h},
		{"closed max (the stall, seen once per worker)", ms(c.Max), 85, 300 + h},
	}
	tooHigh := false
	for _, ck := range checks {
		switch {
		case ck.got < ck.lo:
			t.Errorf("%s = %.1f ms, below the truth's margin %v ms", ck.name, ck.got, ck.lo)
		case ck.got > ck.hi && h > 20:
			t.Logf("%s = %.1f ms, above %v ms on a noisy machine", ck.name, ck.got, ck.hi)
			tooHigh = true
		case ck.got > ck.hi:
			t.Errorf("%s = %.1f ms, above %v ms", ck.name, ck.got, ck.hi)
		}
	}
	if ms(c.P99) > 95.0/3 {
		t.Errorf("negative control: closed-loop p99 = %.1f ms, expected it to hide the stalls (< 31.7 ms)", ms(c.P99))
	}
	if o.Count < 550 || ro.Targets[0].Run.MissedStarts > 12 {
		if h > 20 {
			t.Logf("open loop completed %d of 600 scheduled, missed %d, on a noisy machine", o.Count, ro.Targets[0].Run.MissedStarts)
			tooHigh = true
		} else {
			t.Errorf("open loop completed %d of 600 scheduled, missed %d", o.Count, ro.Targets[0].Run.MissedStarts)
		}
	}
	return tooHigh && !t.Failed()
}

// TestOpenLoopReportsUnsustainableRate offers 1000 ops/s to an endpoint
// that can serve at most 2 workers × 1/(20 ms) = 100 ops/s: the run must
// say so (missed starts, a verdict) instead of reporting ever-growing
// latencies.
func TestOpenLoopReportsUnsustainableRate(t *testing.T) {
	fake := &fakeDynamo{delay: 20 * time.Millisecond}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	props, spec := readOnlySpec(t)
	cfg := Config{
		WorkloadName: "slow", Properties: props, Spec: spec,
		Targets: []Target{{Name: "slow", URL: srv.URL}},
		Rate:    1000, Arrival: "poisson", Concurrency: 2, MaxLag: 100 * time.Millisecond,
		Duration: time.Second, Seed: 2,
	}
	r, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Targets[0].Run
	if p.MissedStarts < p.Scheduled/2 || len(r.Targets[0].Verdicts) == 0 {
		t.Errorf("scheduled %d, missed %d, verdicts %v: want most starts missed and a verdict", p.Scheduled, p.MissedStarts, r.Targets[0].Verdicts)
	}
	if l := opLatency(t, r.Targets[0], workloads.OpRead); l.Max > (100*time.Millisecond + time.Second).Microseconds() {
		t.Errorf("max latency %dµs: operations that could not start in time must be missed, not measured", l.Max)
	}
	t.Logf("scheduled %d missed %d achieved %.0f ops/s verdicts %v", p.Scheduled, p.MissedStarts, p.OpsPerSec, r.Targets[0].Verdicts)
}

// hiccupMeter measures how late a goroutine sleeping 1 ms at a time wakes
// up: the longest such delay is a freeze of the whole process (CPU
// starvation, throttling, GC) that every measurement shares.
func hiccupMeter() (stop func(), longest func() time.Duration) {
	done := make(chan struct{})
	finished := make(chan struct{})
	var worst time.Duration
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(time.Millisecond)
			if late := time.Since(t0) - time.Millisecond; late > worst {
				worst = late
			}
		}
	}()
	return func() { close(done); <-finished }, func() time.Duration { return worst }
}
