package api

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"weak"
)

// Background configures the work a Handler does between requests.
type Background struct {
	// Disabled turns all background work off (tests drive it by hand
	// through Handler.RunBackgroundOnce).
	Disabled bool
	// Interval between passes (default 1s).
	Interval time.Duration
	// TxnRecoverAfter is the age at which a transaction's ledger record is
	// finished by recovery (default 5s).
	TxnRecoverAfter time.Duration
}

// background is the running background work of a Handler.
type background struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startBackground starts the background goroutines. They hold the Handler
// only weakly: a Handler that is dropped without Close (a server that does
// not call it) stops its background work once it is garbage collected,
// instead of working on a stopped engine forever.
func (h *Handler) startBackground(o Background) {
	if o.Disabled {
		return
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	bg := &background{cancel: cancel}
	h.bg = bg
	wp := weak.Make(h)
	kick := h.gsi.kick
	bg.done.Add(2)
	go func() { // GSI feeder, woken by writes
		defer bg.done.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
				h := wp.Value()
				if h == nil {
					return
				}
				if err := h.guard(ctx, "gsi feeder", h.feedGSIs); err != nil && ctx.Err() == nil {
					h.log.Warn("gsi feeder", "err", err)
				}
			}
		}
	}()
	go func() { // periodic passes
		defer bg.done.Done()
		tick := time.NewTicker(o.Interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				h := wp.Value()
				if h == nil {
					return
				}
				h.RunBackgroundOnce(ctx)
			}
		}
	}()
	runtime.AddCleanup(h, func(stop context.CancelFunc) { stop() }, cancel)
}

// RunBackgroundOnce runs one pass of every background task: transaction
// recovery, then the TTL sweeper and secondary-index feeding. Errors are
// logged; a pass that fails is retried by the next one. A task that panics
// is logged and counted as failed: nothing here may crash the process (no
// HTTP handler's recover stands between these goroutines and it).
func (h *Handler) RunBackgroundOnce(ctx context.Context) {
	recoverTxns := func(ctx context.Context) error { _, err := h.txn.Recover(ctx); return err }
	if err := h.guard(ctx, "transaction recovery", recoverTxns); err != nil && ctx.Err() == nil {
		h.log.Warn("transaction recovery pass", "err", err)
	}
	expireTokens := func(ctx context.Context) error { _, err := h.tokens.Expire(ctx); return err }
	if err := h.guard(ctx, "client token expiry", expireTokens); err != nil && ctx.Err() == nil {
		h.log.Warn("client token expiry pass", "err", err)
	}
	for _, task := range h.backgroundTasks() {
		if err := h.guard(ctx, "background", task); err != nil && ctx.Err() == nil {
			h.log.Warn("background pass", "err", err)
		}
	}
}

// guard runs one background task and turns a panic into a logged error.
func (h *Handler) guard(ctx context.Context, name string, task func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic in a background task", "task", name, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("api: %s task panicked: %v", name, p)
		}
	}()
	return task(ctx)
}

// Close stops the background work and waits for the pass in progress.
func (h *Handler) Close() error {
	if h.bg != nil {
		h.bg.cancel()
		h.bg.done.Wait()
	}
	return nil
}

// backgroundTasks lists the periodic tasks beyond transaction recovery.
func (h *Handler) backgroundTasks() []func(context.Context) error {
	return []func(context.Context) error{h.sweepTTL, h.feedGSIs}
}
