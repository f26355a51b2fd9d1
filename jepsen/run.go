package jepsen

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ddbkit/ddbkit/jepsen/client"
	"github.com/ddbkit/ddbkit/jepsen/history"
	"github.com/ddbkit/ddbkit/jepsen/nemesis"
)

// Run executes one test run: setup, operations under faults, heal, final
// reads, check. If historyOut is not nil the history is streamed to it as
// JSON lines while the run goes on. The returned error is about the run
// itself (no table, a canceled context); a violation is reported in
// Result.Verdict, not as an error.
func Run(ctx context.Context, cfg Config, historyOut io.Writer) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	gen, err := newGenerator(cfg.Workload, cfg.Keys, cfg.OpsPerKey, cfg.ECReads)
	if err != nil {
		return nil, err
	}
	if cfg.Workload != Register {
		cfg.ECReads = 0
	}
	sched, err := nemesis.NewSchedule(cfg.Seed, cfg.Faults, cfg.Duration, cfg.Schedule)
	if err != nil {
		return nil, err
	}
	params := map[string]any{
		"clients": cfg.Clients, "keys": cfg.Keys, "ops_per_key": cfg.OpsPerKey, "rate": cfg.Rate,
		"duration": cfg.Duration.String(), "max_ops": cfg.MaxOps, "op_timeout": cfg.OpTimeout.String(),
		"ec_reads": cfg.ECReads, "faults": cfg.Faults, "table": cfg.Table,
	}
	log := cfg.Log.With("workload", cfg.Workload, "seed", cfg.Seed)
	setupCtx, cancel := context.WithTimeout(ctx, time.Minute)
	err = client.CreateTable(setupCtx, cfg.DB, cfg.Table, time.Minute)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("jepsen: setup: %w", err)
	}
	// ACTIVE is not always usable yet on every node: wait for one
	// successful consistent read before the clock starts.
	if err := probe(ctx, client.Client{DB: cfg.DB, Table: cfg.Table}, cfg.OpTimeout); err != nil {
		return nil, fmt.Errorf("jepsen: setup: table %s never became readable: %w", cfg.Table, err)
	}
	if cfg.Workload == Bank {
		bank := bankOptions(cfg.Keys)
		params["accounts"], params["total"] = bank.Accounts, bank.Total
		if err := openAccounts(ctx, client.Client{DB: cfg.DB, Table: cfg.Table}, bank.Accounts, cfg.OpTimeout); err != nil {
			return nil, fmt.Errorf("jepsen: setup: %w", err)
		}
	}
	if !cfg.KeepTable {
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := client.DeleteTable(dctx, cfg.DB, cfg.Table); err != nil {
				log.Warn("jepsen: delete table", "err", err)
			}
		}()
	}

	rec := history.NewRecorder(history.Header{
		Workload: cfg.Workload, Seed: cfg.Seed, Start: time.Now().UTC().Format(time.RFC3339Nano),
		Endpoint: cfg.Endpoint, Params: params,
	}, history.MonotonicClock(), historyOut)
	r := &runner{cfg: cfg, gen: gen, rec: rec, db: client.Client{DB: cfg.DB, Table: cfg.Table}}
	r.limiter = rate.NewLimiter(rate.Limit(cfg.Rate), max(1, cfg.Clients))
	r.nextProcess.Store(int64(cfg.Clients))

	// The operation phase: workers and the nemesis, bounded by Duration.
	log.Info("jepsen: run", "table", cfg.Table, "clients", cfg.Clients, "duration", cfg.Duration, "faults", len(sched.Faults))
	phase, cancelPhase := context.WithTimeout(ctx, cfg.Duration)
	since := func() time.Duration { return time.Duration(rec.Now()) }
	var nem, workers sync.WaitGroup
	nem.Go(func() { nemesis.Execute(phase, cfg.Nemesis, sched, since, recObserver{rec}, log) })
	for w := range cfg.Clients {
		workers.Go(func() { r.worker(phase, w) })
	}
	workers.Wait()
	cancelPhase() // MaxOps reached before Duration: the nemesis stops too
	nem.Wait()
	opsEnd := time.Duration(rec.Now())

	// Heal, wait for health, final reads.
	res := &Result{Workload: cfg.Workload, Seed: cfg.Seed, Endpoint: cfg.Endpoint, Table: cfg.Table, Params: params, Schedule: sched}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.HealTimeout)
	if err := cfg.Nemesis.Heal(hctx); err != nil {
		res.HealError = err.Error()
	} else if err := cfg.Nemesis.WaitHealthy(hctx); err != nil {
		res.HealError = err.Error()
	}
	cancel()
	if res.HealError != "" {
		log.Warn("jepsen: not healthy after the run", "err", res.HealError)
	}
	r.finalReads(context.WithoutCancel(ctx))
	res.Replicas = "not checked"
	var diverged bool
	if cfg.Converge != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.HealTimeout)
		if err := cfg.Converge(cctx); err != nil {
			res.Replicas, diverged = "DIVERGED: "+err.Error(), true
		} else {
			res.Replicas = "equal"
		}
		cancel()
	}
	if err := rec.Flush(); err != nil {
		return nil, err
	}
	res.History = rec.History()
	Check(res, cfg.CheckTimeout, opsEnd)
	if diverged {
		res.Verdict = Invalid
	}
	log.Info("jepsen: verdict", "verdict", res.Verdict, "ops", res.Stats.Operations)
	if ctx.Err() != nil {
		return res, fmt.Errorf("jepsen: run interrupted: %w", ctx.Err())
	}
	return res, nil
}

type runner struct {
	cfg         Config
	gen         *generator
	rec         *history.Recorder
	db          client.Client
	limiter     *rate.Limiter
	ops         atomic.Int64
	nextProcess atomic.Int64
}

// do runs one operation: invoke, request, complete.
func (r *runner) do(ctx context.Context, op history.Op) history.Op {
	inv := r.rec.Invoke(op)
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.OpTimeout)
	c := r.db.Do(octx, inv)
	cancel()
	return r.rec.Complete(c)
}

// worker issues operations until the phase ends or the count is reached.
// After an indeterminate write the worker continues as a new process and
// only reads that key until a read succeeds, so every uncertain write is
// soon followed by a read that can observe it (see checker.Simplify).
func (r *runner) worker(ctx context.Context, w int) {
	rng := rand.New(rand.NewPCG(uint64(r.cfg.Seed), uint64(w)+1))
	process := w
	pending := -1
	for ctx.Err() == nil {
		if err := r.limiter.Wait(ctx); err != nil {
			return
		}
		if r.ops.Add(1) > int64(r.cfg.MaxOps) {
			return
		}
		var op history.Op
		if pending >= 0 {
			op = history.Op{F: history.Read, Key: pending}
		} else {
			op = r.gen.op(rng)
		}
		op.Process = process
		c := r.do(ctx, op)
		if c.Type == history.Info {
			// Jepsen's rule: a process with an indeterminate operation may
			// still be executing it; go on as a fresh process.
			process = int(r.nextProcess.Add(1)) - 1
			if r.cfg.Workload == Register && op.F != history.Read && op.F != history.ReadEC {
				pending = op.Key
			}
		}
		if c.Type == history.OK {
			if op.F == history.Read && op.Key == pending {
				pending = -1
			}
			if r.cfg.Workload == Register {
				if op.F == history.Read || op.F == history.ReadEC {
					r.gen.observe(op.Key, c.Value)
				} else {
					r.gen.observe(op.Key, op.Value)
				}
			}
		}
	}
}

// finalReads reads every key (with ConsistentRead, or in a transaction)
// until one read of it succeeds or FinalTimeout passes.
func (r *runner) finalReads(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.FinalTimeout)
	defer cancel()
	ops := make(chan history.Op)
	var wg sync.WaitGroup
	for range r.cfg.Clients {
		wg.Go(func() {
			for op := range ops {
				for ctx.Err() == nil {
					op.Process = int(r.nextProcess.Add(1)) - 1
					op.Final = true
					c := r.do(ctx, op)
					if c.Type == history.OK {
						break
					}
					select {
					case <-ctx.Done():
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
		})
	}
	for _, op := range r.gen.finalOps() {
		ops <- op
	}
	close(ops)
	wg.Wait()
}

type recObserver struct{ rec *history.Recorder }

func (o recObserver) FaultStarted(f nemesis.Fault) {
	o.rec.Event(history.Op{Type: history.Info, Process: history.NemesisProcess, F: history.FaultStart, Fault: f.Name, Target: f.Target})
}

func (o recObserver) FaultStopped(f nemesis.Fault) {
	o.rec.Event(history.Op{Type: history.Info, Process: history.NemesisProcess, F: history.FaultStop, Fault: f.Name, Target: f.Target})
}

// probe reads key 0 until a read succeeds (at most a minute).
func probe(ctx context.Context, db client.Client, opTimeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		octx, ocancel := context.WithTimeout(ctx, opTimeout)
		c := db.Do(octx, history.Op{F: history.Read, Key: 0})
		ocancel()
		if c.Type == history.OK {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %s)", ctx.Err(), c.Error)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// openAccounts writes every bank account's opening balance before the
// history starts, retrying each (at most a minute): rewriting the same
// balance is harmless while no transfer runs.
func openAccounts(ctx context.Context, db client.Client, accounts int, opTimeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for k := range accounts {
		for {
			octx, ocancel := context.WithTimeout(ctx, opTimeout)
			err := db.PutBalance(octx, k, OpeningBalance)
			ocancel()
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w (last: %w)", ctx.Err(), err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}
