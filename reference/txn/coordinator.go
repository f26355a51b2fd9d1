package txn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Options configure a Coordinator.
type Options struct {
	// Now is the clock (default time.Now); timestamps and record ages use it.
	Now func() time.Time
	// NewID returns a fresh transaction ID (default 16 random bytes in hex).
	NewID func() string
	// Logger (default slog.Default()).
	Logger *slog.Logger
	// RecoverAfter is how old a ledger record must be before Recover
	// finishes it (default 5s): longer than any live coordinator needs.
	RecoverAfter time.Duration
	// Crash, when set, is called at the named points of a transaction
	// ("prepared", "decided"); an error makes the coordinator stop right
	// there, as if it died, leaving the rest to recovery. Tests use it.
	Crash func(point, id string) error
}

// Coordinator runs transactions over the tables of a catalog.
type Coordinator struct {
	cat    *catalog.Catalog
	ledger ledger
	opts   Options
	lastTS atomic.Uint64
}

// New returns a coordinator for cat.
func New(cat *catalog.Catalog, o Options) *Coordinator {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewID == nil {
		o.NewID = randomID
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.RecoverAfter <= 0 {
		o.RecoverAfter = 5 * time.Second
	}
	return &Coordinator{cat: cat, ledger: ledger{cat}, opts: o}
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// timestamp returns a clock reading in microseconds, strictly greater than
// any this coordinator returned before.
func (c *Coordinator) timestamp() uint64 {
	now := uint64(c.opts.Now().UnixMicro())
	for {
		last := c.lastTS.Load()
		ts := max(now, last+1)
		if c.lastTS.CompareAndSwap(last, ts) {
			return ts
		}
	}
}

// observe moves the coordinator's clock past a timestamp a partition
// reported (Lamport's rule), so that a coordinator whose clock is behind
// another's is not refused forever by timestamp order.
func (c *Coordinator) observe(ts uint64) {
	for {
		last := c.lastTS.Load()
		if ts <= last || c.lastTS.CompareAndSwap(last, ts) {
			return
		}
	}
}

// Write is one action of TransactWriteItems: a command (Put, Update,
// Delete or Check, its condition and update already validated) on an item
// of a table.
type Write struct {
	Table *catalog.Table
	Cmd   *partition.Command
	// ReturnOld asks for the item in the cancellation reason when the
	// condition fails (ReturnValuesOnConditionCheckFailure=ALL_OLD).
	ReturnOld bool
}

// Reason is one entry of CancellationReasons.
type Reason struct {
	Code    string     `json:"Code"`
	Message string     `json:"Message,omitempty"`
	Item    value.Item `json:"Item,omitempty"`
}

// Reason codes.
const (
	CodeNone                   = "None"
	CodeConditionalCheckFailed = "ConditionalCheckFailed"
	CodeTransactionConflict    = "TransactionConflict"
	CodeValidationError        = "ValidationError"
)

// Canceled returns DynamoDB's TransactionCanceledException for reasons
// (one per action, in request order).
func Canceled(reasons []Reason) error { return canceled(reasons) }

func canceled(reasons []Reason) error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	e := ddberr.New(ddberr.TransactionCanceled,
		"Transaction cancelled, please refer cancellation reasons for specific reasons ["+strings.Join(codes, ", ")+"]")
	e.Payload = map[string]any{"CancellationReasons": reasons}
	return e
}

// IsCanceled returns the cancellation reasons of a TransactionCanceledException.
func IsCanceled(err error) ([]Reason, bool) {
	var de *ddberr.Error
	if !errors.As(err, &de) || de.Type != ddberr.TransactionCanceled {
		return nil, false
	}
	r, ok := de.Payload["CancellationReasons"].([]Reason)
	return r, ok
}

// each runs fn(i) for i in [0, n) concurrently and waits; fn(0) runs on
// the caller's goroutine (one hand-off fewer: with in-memory partitions the
// steps take microseconds and goroutine wake-ups dominate).
func each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for i := 1; i < n; i++ {
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	if n > 0 {
		fn(0)
	}
	wg.Wait()
}

func (c *Coordinator) crash(point, id string) error {
	if c.opts.Crash == nil {
		return nil
	}
	return c.opts.Crash(point, id)
}

// step sends one phase of transaction id for one item to its partition.
func step(ctx context.Context, w Write, id string, ts uint64, phase partition.TxnPhase) (partition.Result, error) {
	cmd := *w.Cmd
	if phase != partition.TxnPrepare { // commit and cancel carry the key only
		cmd = partition.Command{Op: w.Cmd.Op, Key: w.Cmd.Key}
	}
	cmd.ID = ""
	cmd.Txn = &partition.TxnStep{ID: id, TS: ts, Phase: phase}
	p := w.Table.PartitionForKey(w.Cmd.Key[w.Table.Schema.HashKey])
	return p.Replica.Propose(ctx, &cmd)
}

// Write runs a transaction and returns each action's result (the item
// before and after) in request order. A transaction that cannot commit
// returns TransactionCanceledException with a reason per action; an error
// of another kind means the outcome is not known to this coordinator
// (recovery will finish the transaction).
func (c *Coordinator) Write(ctx context.Context, ws []Write) ([]partition.Result, error) {
	id, ts := c.opts.NewID(), c.timestamp()
	rec := &record{ID: id, State: statePending, TS: ts, Started: c.opts.Now().UnixNano()}
	for _, w := range ws {
		rec.Items = append(rec.Items, itemRef{Table: w.Table.Name, TableID: w.Table.ID, Key: w.Cmd.Key})
	}
	if err := c.ledger.begin(ctx, rec); err != nil {
		return nil, err
	}

	results := make([]partition.Result, len(ws))
	errs := make([]error, len(ws))
	each(len(ws), func(i int) { results[i], errs[i] = step(ctx, ws[i], id, ts, partition.TxnPrepare) })
	if err := c.crash("prepared", id); err != nil {
		return nil, err
	}

	reasons := make([]Reason, len(ws))
	failed := false
	var unknown error
	for i, r := range results {
		reasons[i] = Reason{Code: CodeNone}
		switch {
		case errs[i] != nil:
			failed, unknown = true, errs[i]
		case r.Err != nil:
			failed = true
			reasons[i] = reasonFor(r, ws[i].ReturnOld)
			var de *ddberr.Error
			if errors.As(r.Err, &de) {
				if ts, ok := de.Payload[partition.ItemTSKey].(uint64); ok {
					c.observe(ts)
				}
			}
		}
	}
	state := stateCommitted
	if failed {
		state = stateCancelled
	}
	got, err := c.ledger.decide(ctx, id, state)
	if err != nil && !errors.Is(err, errDecided) {
		return nil, err // the decision may or may not be recorded: recovery finishes it
	}
	if got == "" { // record gone: a recovery pass cancelled and finished it
		got = stateCancelled
	}
	if got != state && got == stateCancelled && !failed {
		// A recovery pass cancelled this (slow) transaction first.
		failed = true
		for i := range reasons {
			reasons[i] = Reason{Code: CodeTransactionConflict, Message: "Transaction is ongoing for the item"}
		}
	}
	if err := c.crash("decided", id); err != nil {
		return nil, err
	}
	if err := c.finish(ctx, rec, got == stateCommitted); err != nil {
		if got == stateCommitted {
			// Committed in the ledger: the transaction stands, recovery
			// delivers the remaining commits.
			c.opts.Logger.Warn("txn: commit delivery incomplete; recovery will finish", "txn", id, "err", err)
			return results, nil
		}
		c.opts.Logger.Warn("txn: cancel delivery incomplete; recovery will finish", "txn", id, "err", err)
	}
	if unknown != nil {
		return nil, fmt.Errorf("txn %s: prepare: %w", id, unknown)
	}
	if failed {
		return nil, canceled(reasons)
	}
	return results, nil
}

// reasonFor turns a failed prepare into a cancellation reason.
func reasonFor(r partition.Result, returnOld bool) Reason {
	var de *ddberr.Error
	if !errors.As(r.Err, &de) {
		return Reason{Code: "InternalServerError", Message: r.Err.Error()}
	}
	switch de.Type {
	case ddberr.ConditionalCheckFailed:
		reason := Reason{Code: CodeConditionalCheckFailed, Message: de.Message}
		if returnOld {
			reason.Item = r.Old
		}
		return reason
	case ddberr.TransactionConflict:
		return Reason{Code: CodeTransactionConflict, Message: de.Message}
	case ddberr.Validation:
		return Reason{Code: CodeValidationError, Message: de.Message}
	}
	return Reason{Code: strings.TrimSuffix(de.Type, "Exception"), Message: de.Message}
}

// finish sends commit or cancel for every item of rec, then removes the
// ledger record. Steps to tables that no longer exist are skipped.
func (c *Coordinator) finish(ctx context.Context, rec *record, commit bool) error {
	phase := partition.TxnCancel
	if commit {
		phase = partition.TxnCommit
	}
	errs := make([]error, len(rec.Items))
	each(len(rec.Items), func(i int) {
		it := rec.Items[i]
		t, err := c.cat.Get(it.Table)
		if err != nil || t.ID != it.TableID {
			return // table gone: nothing to finish there
		}
		res, err := step(ctx, Write{Table: t, Cmd: &partition.Command{Op: partition.OpCheck, Key: it.Key}}, rec.ID, rec.TS, phase)
		if err == nil {
			err = res.Err
		}
		errs[i] = err
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("txn %s: finish: %w", rec.ID, err)
	}
	return c.ledger.remove(ctx, rec.ID)
}

// Recover finishes every ledger transaction older than RecoverAfter: one
// still PENDING is cancelled (unless its coordinator decides first), then
// commit or cancel is delivered to all its items and the record removed.
// It returns how many transactions it finished.
func (c *Coordinator) Recover(ctx context.Context) (int, error) {
	recs, err := c.ledger.scan(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := c.opts.Now().Add(-c.opts.RecoverAfter).UnixNano()
	done := 0
	var errs []error
	for _, r := range recs {
		if r.Started > cutoff {
			continue
		}
		state := r.State
		if state == statePending {
			got, err := c.ledger.decide(ctx, r.ID, stateCancelled)
			switch {
			case errors.Is(err, errDecided) && got == "":
				continue // finished meanwhile
			case err != nil && !errors.Is(err, errDecided):
				errs = append(errs, err)
				continue
			}
			state = got
		}
		if err := c.finish(ctx, r, state == stateCommitted); err != nil {
			errs = append(errs, err)
			continue
		}
		c.opts.Logger.Info("txn: recovered", "txn", r.ID, "state", state)
		done++
	}
	n, err := c.cancelOrphans(ctx, recs)
	if err != nil {
		errs = append(errs, err)
	}
	return done + n, errors.Join(errs...)
}

// cancelOrphans cancels old prepared writes whose transaction has no
// ledger record: a prepare applied after its transaction was finished
// (delayed past the partition's memory of outcomes, or after a restart
// that forgot them). A live transaction always has its record until every
// commit or cancel is delivered, and a young one is skipped by age (its
// timestamp), so only orphans match. Only partitions held in this process
// are examined.
func (c *Coordinator) cancelOrphans(ctx context.Context, recs []*record) (int, error) {
	live := make(map[string]bool, len(recs))
	for _, r := range recs {
		live[r.ID] = true
	}
	cutoff := uint64(c.opts.Now().Add(-c.opts.RecoverAfter).UnixMicro())
	done := 0
	var errs []error
	for _, t := range c.cat.Tables() {
		if t.System {
			continue
		}
		for _, p := range t.Partitions {
			if p.State == nil {
				continue
			}
			for _, w := range p.State.PreparedWrites() {
				if live[w.Txn] || w.TS > cutoff {
					continue
				}
				res, err := step(ctx, Write{Table: t, Cmd: &partition.Command{Op: partition.OpCheck, Key: w.Key}}, w.Txn, w.TS, partition.TxnCancel)
				if err == nil {
					err = res.Err
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("txn %s: cancel orphan: %w", w.Txn, err))
					continue
				}
				c.opts.Logger.Info("txn: cancelled an orphaned prepared write", "txn", w.Txn, "table", t.Name)
				done++
			}
		}
	}
	return done, errors.Join(errs...)
}

// Run calls Recover every interval until ctx ends.
func (c *Coordinator) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := c.Recover(ctx); err != nil && ctx.Err() == nil {
				c.opts.Logger.Warn("txn: recovery pass", "err", err)
			}
		}
	}
}
