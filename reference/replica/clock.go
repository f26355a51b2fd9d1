package replica

import "time"

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
