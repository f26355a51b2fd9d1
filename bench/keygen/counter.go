package keygen

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// ackWindow is YCSB's AcknowledgedCounterGenerator.WINDOW_SIZE (2^20).
const ackWindow = 1 << 20

// AckCounter is YCSB's AcknowledgedCounterGenerator: Next hands out insert
// record numbers; Last is the highest number below which every insert has
// been acknowledged, so readers never choose a record still being written.
// It is shared by all workers.
type AckCounter struct {
	next   atomic.Int64
	limit  atomic.Int64
	mu     sync.Mutex
	window []bool
}

// NewAckCounter starts handing out numbers at start; Last is start-1.
func NewAckCounter(start int64) *AckCounter {
	c := &AckCounter{window: make([]bool, ackWindow)}
	c.next.Store(start)
	c.limit.Store(start - 1)
	return c
}

// Next returns a new insert record number.
func (c *AckCounter) Next() int64 { return c.next.Add(1) - 1 }

// Last returns the acknowledged limit.
func (c *AckCounter) Last() int64 { return c.limit.Load() }

// Acknowledge marks v as written (successfully or not) and advances Last
// over every contiguous acknowledged number.
func (c *AckCounter) Acknowledge(v int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := v & (ackWindow - 1)
	if c.window[slot] {
		return fmt.Errorf("keygen: more than %d unacknowledged inserts", ackWindow)
	}
	c.window[slot] = true
	limit := c.limit.Load()
	i := limit + 1
	for ; i <= limit+ackWindow; i++ {
		s := i & (ackWindow - 1)
		if !c.window[s] {
			break
		}
		c.window[s] = false
	}
	c.limit.Store(i - 1)
	return nil
}
