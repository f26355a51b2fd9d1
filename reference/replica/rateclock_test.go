package replica

import (
	"math"
	"testing"
	"time"
)

// The schedule's arithmetic, on injected times: no sleeping, no timing.
func TestRateScheduleStep(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := time.Millisecond
	cases := []struct {
		name     string
		s        rateSchedule
		now      time.Duration // real time after t0
		due, d   time.Duration
		fire     bool
		next     time.Duration
		wait     time.Duration
		waitSlop time.Duration // wait may exceed the exact figure by this (rounding up)
	}{
		{"real time, not yet due", rateSchedule{base: t0, rate: 1}, 4 * ms, 10 * ms, 10 * ms, false, 10 * ms, 6 * ms, 1},
		{"real time, due", rateSchedule{base: t0, rate: 1}, 10 * ms, 10 * ms, 10 * ms, true, 20 * ms, 10 * ms, 1},
		{"real time, late: missed ticks skipped", rateSchedule{base: t0, rate: 1}, 35 * ms, 10 * ms, 10 * ms, true, 40 * ms, 5 * ms, 1},
		{"ten times slower", rateSchedule{base: t0, rate: 0.1}, 50 * ms, 10 * ms, 10 * ms, false, 10 * ms, 50 * ms, 1},
		{"ten times slower, due", rateSchedule{base: t0, rate: 0.1}, 100 * ms, 10 * ms, 10 * ms, true, 20 * ms, 100 * ms, 1},
		{"twice as fast", rateSchedule{base: t0, rate: 2}, 5 * ms, 10 * ms, 10 * ms, true, 20 * ms, 5 * ms, 1},
		{"slowed after running at 1 for 8ms", rateSchedule{base: t0.Add(8 * ms), virt: 8 * ms, rate: 0.05}, 10 * ms, 10 * ms, 10 * ms, false, 10 * ms, 38 * ms, 1},
		{"very slow: wait capped", rateSchedule{base: t0, rate: 1e-15}, 0, 10 * ms, 10 * ms, false, 10 * ms, maxRateWait, 0},
		{"a hair early: waits at least 1µs", rateSchedule{base: t0, rate: 1}, 10*ms - 1, 10 * ms, 10 * ms, false, 10 * ms, time.Microsecond, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fire, next, wait := tc.s.step(t0.Add(tc.now), tc.due, tc.d)
			if fire != tc.fire || next != tc.next {
				t.Fatalf("step = fire %v, next %v; want %v, %v", fire, next, tc.fire, tc.next)
			}
			if wait < tc.wait || wait > tc.wait+tc.waitSlop {
				t.Fatalf("wait %v, want %v (+%v)", wait, tc.wait, tc.waitSlop)
			}
			// Unless capped, the wait brings the clock to the next tick.
			if wait != maxRateWait && wait != time.Microsecond {
				if v := tc.s.virtual(t0.Add(tc.now + wait)); v < next {
					t.Fatalf("after the wait the clock reads %v, before the next tick %v", v, next)
				}
			}
		})
	}
}

// A change of rate keeps the clock's time: it never jumps or goes back.
func TestRateScheduleRebase(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := rateSchedule{base: t0, rate: 1}
	at := t0.Add(100 * time.Millisecond)
	for _, rate := range []float64{0.1, 0.05, 3, 1} {
		before := s.virtual(at)
		s = s.rebase(at, rate)
		if got := s.virtual(at); got != before {
			t.Fatalf("rate %v: clock reads %v right after the change, %v right before", rate, got, before)
		}
		later := at.Add(time.Second)
		if got, want := s.virtual(later)-before, time.Duration(float64(time.Second)*rate); got != want {
			t.Fatalf("rate %v: a real second advanced the clock %v, want %v", rate, got, want)
		}
		at = later
	}
}

func TestRateClockSetRateRejects(t *testing.T) {
	c := NewRateClock()
	for _, r := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if err := c.SetRate(r); err == nil {
			t.Errorf("SetRate(%v) accepted", r)
		}
	}
	if c.Rate() != 1 {
		t.Fatalf("rate %v after rejected changes, want 1", c.Rate())
	}
}

// The ticker against real time. Its bounds go one way only, so a loaded
// machine (which delays ticks) cannot fail them: ticks come at rate 1; at a
// very slow rate at most the one tick already on its way arrives; and
// setting the rate back wakes a ticker that was waiting for a tick the slow
// rate had put 20 seconds away.
func TestRateClockTicker(t *testing.T) {
	c := NewRateClock()
	ticks, stop := c.NewTicker(2 * time.Millisecond)
	defer stop()
	recv := func(within time.Duration) bool {
		select {
		case <-ticks:
			return true
		case <-time.After(within):
			return false
		}
	}
	for i := 0; i < 3; i++ {
		if !recv(10 * time.Second) {
			t.Fatalf("rate 1: tick %d did not come within 10s", i)
		}
	}
	if err := c.SetRate(1e-4); err != nil { // one tick per 20s of real time
		t.Fatal(err)
	}
	n := 0
	deadline := time.After(300 * time.Millisecond)
	for done := false; !done; {
		select {
		case <-ticks:
			n++
		case <-deadline:
			done = true
		}
	}
	if n > 2 { // one held in the channel, one computed before the change
		t.Fatalf("rate 1e-4: %d ticks in 300ms", n)
	}
	if err := c.SetRate(1); err != nil {
		t.Fatal(err)
	}
	if !recv(5 * time.Second) {
		t.Fatal("back at rate 1: no tick within 5s (the slow rate's wait was not cut short)")
	}
	stop()
	stop() // idempotent
	c.mu.Lock()
	left := len(c.tickers)
	c.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d tickers registered after stop", left)
	}
}
