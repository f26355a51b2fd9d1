package node

import (
	"sync"
	"time"
)

// Splitting for load (DynamoDB splits a partition for throughput as well as
// size, ATC'22 §4.2): each replica of a partition counts the requests it
// serves in a sliding window of loadBuckets buckets — every write it
// applies (partMachine.Apply) and every read served from its state
// (Node.State: local reads, the leader's part of a consistent read from
// another node, remote reads) — and the leader splits the partition when
// the rate stayed above Options.SplitLoad in EVERY bucket of the last
// Options.SplitLoadWindow. Only the leader's count decides; it sees every
// write and every consistent read, not the eventually consistent reads
// that other replicas serve. A burst (a restart replaying its log, one
// batch) fills one bucket, not the window, so it does not split.

// loadBuckets is the number of buckets of the sliding window.
const loadBuckets = 10

// loadMeter counts requests in a sliding window of time buckets. Its zero
// value is not usable: see newLoadMeter.
type loadMeter struct {
	bucket time.Duration
	origin time.Time
	now    func() time.Time

	// The window's complete buckets and the current one.
	mu     sync.Mutex
	counts [loadBuckets + 1]uint64
	epochs [loadBuckets + 1]int64 // the bucket number each count belongs to
}

// newLoadMeter returns a meter whose window is window long, reading time
// from now.
func newLoadMeter(window time.Duration, now func() time.Time) *loadMeter {
	b := max(window/loadBuckets, time.Millisecond)
	m := &loadMeter{bucket: b, origin: now(), now: now}
	for i := range m.epochs {
		m.epochs[i] = -1
	}
	return m
}

func (m *loadMeter) epoch(t time.Time) int64 { return int64(t.Sub(m.origin) / m.bucket) }

// add counts one request now. A nil meter counts nothing.
func (m *loadMeter) add() {
	if m == nil {
		return
	}
	e := m.epoch(m.now())
	i := e % (loadBuckets + 1)
	m.mu.Lock()
	if m.epochs[i] != e {
		m.epochs[i], m.counts[i] = e, 0
	}
	m.counts[i]++
	m.mu.Unlock()
}

// sustained reports whether every one of the last loadBuckets complete
// buckets counted more than perSecond requests per second.
func (m *loadMeter) sustained(perSecond float64) bool {
	if m == nil || perSecond <= 0 {
		return false
	}
	need := perSecond * m.bucket.Seconds()
	cur := m.epoch(m.now())
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := int64(1); k <= loadBuckets; k++ {
		e := cur - k
		if e < 0 {
			return false
		}
		i := e % (loadBuckets + 1)
		if m.epochs[i] != e || float64(m.counts[i]) <= need {
			return false
		}
	}
	return true
}
