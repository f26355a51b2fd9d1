package replica

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// RateClock is a Clock whose rate against real time can change while it
// runs: at rate 1 it ticks like RealClock, at 0.1 every tick takes ten times
// as long, at 2 half as long. It models a machine whose clock drifts (a
// slow oscillator, a VM starved of timer interrupts): raft on that node
// counts heartbeats, election timeouts and — with Options.LeaseReads — its
// read lease in its own slow ticks, while the other nodes count real time.
// That is the fault lease reads are not safe against, and what jepsen's
// clock-skew-leader fault injects.
//
// RateClock is safe for concurrent use; SetRate takes effect at once for
// every ticker, including one waiting for a tick that a slower rate had put
// far away.
type RateClock struct {
	now func() time.Time // time.Now; tests may inject another

	mu      sync.Mutex
	sched   rateSchedule
	tickers map[*rateTicker]struct{}
}

// NewRateClock returns a RateClock running at rate 1.
func NewRateClock() *RateClock { return newRateClock(time.Now) }

func newRateClock(now func() time.Time) *RateClock {
	return &RateClock{now: now, sched: rateSchedule{base: now(), rate: 1}, tickers: map[*rateTicker]struct{}{}}
}

// Rate returns the clock's current rate.
func (c *RateClock) Rate() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sched.rate
}

// SetRate makes the clock run at rate (1: real time; 0.1: ten times
// slower) from now on. The clock's time so far is kept: a change of rate
// never moves it back or makes it jump. rate must be a positive finite
// number.
func (c *RateClock) SetRate(rate float64) error {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return fmt.Errorf("replica: clock rate %v: want a positive finite number", rate)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sched = c.sched.rebase(c.now(), rate)
	for t := range c.tickers {
		select { // a pending kick is enough: the ticker rereads the schedule
		case t.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// NewTicker implements Clock: the channel fires every d of the clock's
// time. Like time.Ticker it holds one tick for a slow receiver and drops
// the others.
func (c *RateClock) NewTicker(d time.Duration) (<-chan time.Time, func()) {
	if d <= 0 {
		panic("replica: RateClock.NewTicker: non-positive interval")
	}
	t := &rateTicker{c: make(chan time.Time, 1), kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.mu.Lock()
	due := c.sched.virtual(c.now()) + d
	c.tickers[t] = struct{}{}
	c.mu.Unlock()
	go c.run(t, d, due)
	var once sync.Once
	return t.c, func() {
		once.Do(func() {
			c.mu.Lock()
			delete(c.tickers, t)
			c.mu.Unlock()
			close(t.stop)
		})
	}
}

type rateTicker struct {
	c    chan time.Time
	kick chan struct{} // the rate changed
	stop chan struct{}
}

// run is one ticker's goroutine: it sleeps in real time until the clock's
// time reaches the next tick, rereading the schedule when the rate changes.
func (c *RateClock) run(t *rateTicker, d, due time.Duration) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		c.mu.Lock()
		sched := c.sched
		c.mu.Unlock()
		now := c.now()
		fire, next, wait := sched.step(now, due, d)
		due = next
		if fire {
			select {
			case t.c <- now:
			default: // the receiver has not taken the last tick: drop this one
			}
		}
		timer.Reset(wait)
		select {
		case <-t.stop:
			return
		case <-t.kick: // the next Reset discards the old deadline (Go 1.23 timers)
		case <-timer.C:
		}
	}
}

// maxRateWait bounds one wait of a ticker, so that a very slow rate cannot
// overflow a time.Duration.
const maxRateWait = time.Hour

// rateSchedule maps real time to the clock's (virtual) time: since base the
// clock has advanced rate times as fast as real time, from virt.
type rateSchedule struct {
	base time.Time     // real time of the last rate change
	virt time.Duration // the clock's time at base
	rate float64
}

// virtual returns the clock's time at real time now.
func (s rateSchedule) virtual(now time.Time) time.Duration {
	return s.virt + time.Duration(float64(now.Sub(s.base))*s.rate)
}

// rebase returns the schedule that runs at rate from real time now on,
// continuing from the clock's time at now.
func (s rateSchedule) rebase(now time.Time, rate float64) rateSchedule {
	return rateSchedule{base: now, virt: s.virtual(now), rate: rate}
}

// step decides, at real time now, for a ticker of interval d whose next
// tick is due at clock time due: whether to fire, when the tick after is
// due (ticks missed while the receiver or the scheduler was late are
// skipped, as time.Ticker does), and how long to wait in real time.
func (s rateSchedule) step(now time.Time, due, d time.Duration) (fire bool, next, wait time.Duration) {
	v := s.virtual(now)
	next = due
	if v >= due {
		fire = true
		next = due + d*((v-due)/d+1) // first multiple of d after v
	}
	// Real time until the clock reaches next, rounded up; at least 1µs (a
	// wake-up a hair early steps again), at most maxRateWait (a change of
	// rate wakes the ticker anyway).
	w := math.Ceil(float64(next-v) / s.rate)
	wait = time.Duration(min(max(w, float64(time.Microsecond)), float64(maxRateWait)))
	return fire, next, wait
}
