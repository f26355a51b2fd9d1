package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ddbkit/ddbkit/bench/driver"
	"github.com/ddbkit/ddbkit/bench/keygen"
	"github.com/ddbkit/ddbkit/bench/measure"
	"github.com/ddbkit/ddbkit/bench/results"
)

// runStats are the open-loop schedule's own counters.
type runStats struct {
	scheduled atomic.Int64
	missed    atomic.Int64
	maxLagUs  atomic.Int64
}

func (s *runStats) lag(us int64) {
	for {
		cur := s.maxLagUs.Load()
		if us <= cur || s.maxLagUs.CompareAndSwap(cur, us) {
			return
		}
	}
}

// runPhase runs the transaction phase against one client.
func (b *benchmark) runPhase(ctx context.Context, c driver.Client, tgt Target) (results.Phase, error) {
	spec := b.layout.spec
	var ops []string
	for _, m := range spec.Mix() {
		ops = append(ops, m.Op)
	}
	inserts := keygen.NewAckCounter(spec.RecordCount) // as CoreWorkload: inserts continue after recordcount
	chooser, err := keygen.NewChooser(spec, inserts)
	if err != nil {
		return results.Phase{}, err
	}
	start := b.cfg.now()
	rec, err := measure.NewRecorder(start, ops, b.logFile(tgt, "run"))
	if err != nil {
		return results.Phase{}, err
	}
	workers := make([]*worker, b.cfg.Concurrency)
	for i := range workers {
		if workers[i], err = newWorker(b.layout, c, rec, b.cfg.Seed, i, chooser, inserts); err != nil {
			return results.Phase{}, err
		}
	}
	runCtx := ctx
	if b.cfg.Duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, start.Add(b.cfg.Duration))
		defer cancel()
	}
	var st runStats
	bound := b.cfg.Operations
	stop := b.progress(ctx, rec, "run "+tgt.Name, func() (int64, int64) {
		done, _ := rec.Totals()
		return done, bound
	}, &st)
	// runCtx bounds when operations may start; operations in flight at
	// the end finish (bounded by OpTimeout) under ctx and are measured, so
	// the slowest operations of the run are not the ones left out.
	if b.cfg.Rate > 0 {
		b.openLoop(runCtx, ctx, workers, start, &st)
	} else {
		b.closedLoop(runCtx, ctx, workers)
	}
	stop()
	p, err := rec.Phase(b.cfg.now())
	if err != nil {
		return results.Phase{}, err
	}
	if b.cfg.Rate > 0 {
		p.IntendedRate = b.cfg.Rate
		p.Scheduled = st.scheduled.Load()
		p.MissedStarts = st.missed.Load()
		p.MaxStartLagUs = st.maxLagUs.Load()
	}
	if err := ctx.Err(); err != nil {
		return p, fmt.Errorf("bench: run interrupted: %w", err)
	}
	return p, nil
}

// execute runs one operation intended to start at intended and records it.
func (b *benchmark) execute(ctx context.Context, w *worker, intended time.Time) {
	op := w.next()
	opCtx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	sent := b.cfg.now()
	err := w.do(opCtx, op)
	end := b.cfg.now()
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return // the run's bound, not the endpoint, ended this operation
		}
		typ := driver.ErrorType(err)
		w.rec.Fail(op, typ, driver.IsThrottle(typ))
		return
	}
	w.rec.OK(op, end.Sub(intended), end.Sub(sent))
}

// closedLoop: each worker issues its next operation when the previous one
// returns; the intended start is the actual start.
func (b *benchmark) closedLoop(ctx, opCtx context.Context, workers []*worker) {
	var claimed atomic.Int64
	bound := b.cfg.Operations
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for ctx.Err() == nil {
				if bound > 0 && claimed.Add(1) > bound {
					return
				}
				b.execute(opCtx, w, b.cfg.now())
			}
		}(w)
	}
	wg.Wait()
}

// openLoop schedules operations at the configured rate (constant or
// Poisson inter-arrival times) independently of responses. Workers take
// the scheduled start times in order; latency counts from the scheduled
// time, so time spent waiting for a free worker or connection is charged
// to the operation. An operation that cannot start within MaxLag of its
// scheduled time is a missed start: not executed, counted, and the run
// reports the rate as not sustained.
func (b *benchmark) openLoop(ctx, opCtx context.Context, workers []*worker, start time.Time, st *runStats) {
	// The queue holds everything that may still start in time, so the
	// scheduler never waits for workers: lateness shows up as lag.
	queue := len(workers) + int(2*b.cfg.Rate*b.cfg.MaxLag.Seconds())
	starts := make(chan time.Time, min(queue, 1<<20))
	var wg sync.WaitGroup
	maxLag := b.cfg.MaxLag
	for _, w := range workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for intended := range starts {
				lag := b.cfg.now().Sub(intended)
				if ctx.Err() != nil { // the run ended: drain
					if lag > maxLag {
						st.missed.Add(1)
					}
					continue
				}
				st.lag(lag.Microseconds())
				if lag > maxLag {
					st.missed.Add(1)
					continue
				}
				b.execute(opCtx, w, intended)
			}
		}(w)
	}
	r := rand.New(rand.NewPCG(b.cfg.Seed, 1<<48))
	interval := float64(time.Second) / b.cfg.Rate
	var offset float64 // ns since start
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := int64(0); b.cfg.Operations == 0 || i < b.cfg.Operations; i++ {
		if b.cfg.Arrival == "poisson" {
			offset += -math.Log(1-r.Float64()) * interval
		} else if i > 0 {
			offset += interval
		}
		intended := start.Add(time.Duration(offset))
		if b.cfg.Duration > 0 && intended.Sub(start) >= b.cfg.Duration {
			break
		}
		if d := intended.Sub(b.cfg.now()); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		st.scheduled.Add(1)
		select {
		case starts <- intended:
		case <-ctx.Done():
		}
	}
	close(starts)
	wg.Wait()
}
