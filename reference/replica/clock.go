package replica

import (
	"slices"
	"sync"
	"time"
)

// Clock is the source of the node's raft ticks.
type Clock interface {
	// NewTicker returns a channel that fires every d and a stop function.
	NewTicker(d time.Duration) (<-chan time.Time, func())
}

// RealClock ticks with time.Ticker.
type RealClock struct{}

// NewTicker implements Clock.
func (RealClock) NewTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// ManualClock ticks only when told to: tests drive raft time tick by tick
// and count timeouts in ticks instead of wall time.
type ManualClock struct {
	mu      sync.Mutex
	tickers []chan time.Time
}

// NewTicker implements Clock; d is ignored.
func (c *ManualClock) NewTicker(time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.tickers = append(c.tickers, ch)
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.tickers = slices.DeleteFunc(c.tickers, func(x chan time.Time) bool { return x == ch })
	}
}

// Tick fires every ticker once (a ticker whose previous tick is still
// pending keeps just one, as time.Ticker drops ticks for slow receivers).
func (c *ManualClock) Tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.tickers {
		select {
		case ch <- time.Time{}:
		default:
		}
	}
}
