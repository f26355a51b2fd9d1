package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ddbkit/ddbkit/bench/driver"
	"github.com/ddbkit/ddbkit/bench/measure"
	"github.com/ddbkit/ddbkit/bench/results"
)

// opLoad is the load phase's one operation type.
const opLoad = "BATCH-LOAD"

// load writes records [insertstart, insertstart+insertcount) with
// BatchWriteItem (25 items a request) from LoadConcurrency workers;
// unprocessed items are written again until none is left, and counted.
func (b *benchmark) load(ctx context.Context, c driver.Client, tgt Target) (results.Phase, error) {
	s := b.layout.spec
	first, total := s.InsertStart, s.InsertCount
	start := b.cfg.now()
	rec, err := measure.NewRecorder(start, []string{opLoad}, b.logFile(tgt, "load"))
	if err != nil {
		return results.Phase{}, err
	}
	var next, done atomic.Int64
	var perItem atomic.Bool
	next.Store(first)
	stop := b.progress(ctx, rec, "load "+tgt.Name, func() (int64, int64) { return done.Load(), total })
	var wg sync.WaitGroup
	errc := make(chan error, b.cfg.LoadConcurrency)
	for i := 0; i < b.cfg.LoadConcurrency; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(b.cfg.Seed, 1<<40+uint64(id)))
			bufs := make([][]byte, 25)
			for j := range bufs {
				bufs[j] = make([]byte, 0, 32)
			}
			items := make([]driver.Item, 0, 25)
			for ctx.Err() == nil {
				lo := next.Add(25) - 25
				if lo >= first+total {
					return
				}
				hi := min(lo+25, first+total)
				items = items[:0]
				for n := lo; n < hi; n++ {
					items = append(items, b.layout.item(r, bufs[n-lo][:0], n, make([]driver.Field, 0, len(b.layout.fields))))
				}
				var err error
				if perItem.Load() {
					err = b.writeEach(ctx, c, rec, items)
				} else if err = b.writeBatch(ctx, c, rec, items); driver.ErrorType(err) == "UnknownOperationException" {
					// An endpoint without BatchWriteItem: load with PutItem.
					if perItem.CompareAndSwap(false, true) {
						slog.Warn("bench: endpoint lacks BatchWriteItem; loading with PutItem", "target", tgt.Name)
					}
					err = b.writeEach(ctx, c, rec, items)
				}
				if err != nil {
					errc <- err
					return
				}
				rec.Count(opLoad, "items", hi-lo)
				done.Add(hi - lo)
			}
		}(i)
	}
	wg.Wait()
	stop()
	close(errc)
	if err := <-errc; err != nil {
		return results.Phase{}, err
	}
	if err := ctx.Err(); err != nil {
		return results.Phase{}, fmt.Errorf("bench: load interrupted: %w", err)
	}
	return rec.Phase(b.cfg.now())
}

// writeEach writes items one PutItem at a time (recorded as one load
// operation each).
func (b *benchmark) writeEach(ctx context.Context, c driver.Client, rec *measure.Recorder, items []driver.Item) error {
	for _, it := range items {
		backoff := time.Millisecond
		for attempt := 0; ; attempt++ {
			t0 := b.cfg.now()
			opCtx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
			err := c.PutItem(opCtx, b.layout.table, it)
			cancel()
			if err == nil {
				d := b.cfg.now().Sub(t0)
				rec.OK(opLoad, d, d)
				break
			}
			typ := driver.ErrorType(err)
			rec.Fail(opLoad, typ, driver.IsThrottle(typ))
			if !loadRetryable(typ) || attempt > 50 {
				return fmt.Errorf("bench: load PutItem: %w", err)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("bench: load: %w", ctx.Err())
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 200*time.Millisecond)
		}
	}
	return nil
}

// writeBatch sends one batch until every item is written; a throttle, a
// server error, a timeout or unprocessed items back off briefly and retry;
// any other error (a validation error, say) ends the load.
func (b *benchmark) writeBatch(ctx context.Context, c driver.Client, rec *measure.Recorder, items []driver.Item) error {
	backoff := time.Millisecond
	for attempt := 0; ; attempt++ {
		t0 := b.cfg.now()
		opCtx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
		un, err := c.BatchPut(opCtx, b.layout.table, items)
		cancel()
		if err != nil {
			typ := driver.ErrorType(err)
			rec.Fail(opLoad, typ, driver.IsThrottle(typ))
			// Throttles, server errors and timeouts are retried (a batch of
			// puts is idempotent) a bounded number of times; every failed
			// attempt is counted in the load phase's errors.
			if !loadRetryable(typ) || attempt > 50 {
				return fmt.Errorf("bench: load BatchWriteItem: %w", err)
			}
		} else {
			d := b.cfg.now().Sub(t0)
			rec.OK(opLoad, d, d)
			if un == 0 {
				return nil
			}
			rec.Count(opLoad, "unprocessed", int64(un))
			// The lean client reports how many, not which: write the whole
			// batch again (puts of the same values are idempotent).
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: load: %w", ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}

// loadRetryable reports whether a load batch that failed with errType may
// be sent again.
func loadRetryable(errType string) bool {
	switch errType {
	case "InternalServerError", "ServiceUnavailableException", "ServiceUnavailable", "context", "transport":
		return true
	}
	return driver.IsThrottle(errType)
}
