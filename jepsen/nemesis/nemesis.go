package nemesis

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Nemesis starts and stops faults.
type Nemesis interface {
	// Faults lists the fault names it can inject.
	Faults() []string
	// Start injects f and returns the target it chose.
	Start(ctx context.Context, f Fault) (target string, err error)
	// Stop undoes f (as returned with its target by Start).
	Stop(ctx context.Context, f Fault) error
	// Heal undoes every fault still in effect.
	Heal(ctx context.Context) error
	// WaitHealthy returns once the system under test has recovered (every
	// partition has a leader, every node is up), or ctx ends.
	WaitHealthy(ctx context.Context) error
}

// None injects nothing: the nemesis of an external endpoint without hooks.
type None struct{}

func (None) Faults() []string { return nil }
func (None) Start(context.Context, Fault) (string, error) {
	return "", fmt.Errorf("nemesis: no faults available")
}
func (None) Stop(context.Context, Fault) error { return nil }
func (None) Heal(context.Context) error        { return nil }
func (None) WaitHealthy(context.Context) error { return nil }

// Observer is told when a fault starts and stops (the run records them in
// the history).
type Observer interface {
	FaultStarted(f Fault)
	FaultStopped(f Fault)
}

// retryStart is the pause between attempts to start a fault.
const retryStart = 100 * time.Millisecond

// Execute plays schedule s against n: at each fault's Start offset (from
// the moment Execute is called, measured by since) it starts it, at its
// Stop offset stops it. It returns when the schedule is done or ctx ends;
// either way every fault it started has been stopped or Heal was called.
// A fault that fails to start is logged and skipped: the run goes on.
func Execute(ctx context.Context, n Nemesis, s Schedule, since func() time.Duration, obs Observer, log *slog.Logger) []Fault {
	var done []Fault
	wait := func(at time.Duration) bool {
		d := at - since()
		if d <= 0 {
			return ctx.Err() == nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for _, f := range s.Faults {
		if !wait(f.Start) {
			break
		}
		// A fault may not be startable yet (no leader elected): retry
		// within its window, then skip it. A start under way finishes even
		// if the run ends meanwhile (a slow hook command on a loaded
		// machine), bounded like a stop: killing it halfway would leave
		// the fault in an unknown state and unrecorded.
		start := func() (string, error) {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			return n.Start(sctx, f)
		}
		target, err := start()
		for err != nil && ctx.Err() == nil && since()+retryStart < f.Stop {
			log.Info("nemesis: start failed; retrying", "fault", f.Name, "err", err)
			if !wait(since() + retryStart) {
				break
			}
			target, err = start()
		}
		if err != nil {
			log.Warn("nemesis: start failed; skipped", "fault", f.Name, "err", err)
			continue
		}
		f.Target = target
		f.Start = since()
		obs.FaultStarted(f)
		log.Info("nemesis: fault started", "fault", f.Name, "target", target)
		ok := wait(f.Stop)
		// Stop even if the run ends: a fault never outlives Execute.
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if err := n.Stop(stopCtx, f); err != nil {
			log.Warn("nemesis: stop failed; healing", "fault", f.Name, "err", err)
			if err := n.Heal(stopCtx); err != nil {
				log.Error("nemesis: heal failed", "err", err)
			}
		}
		cancel()
		f.Stop = since()
		obs.FaultStopped(f)
		log.Info("nemesis: fault stopped", "fault", f.Name, "target", target)
		done = append(done, f)
		if !ok {
			break
		}
	}
	return done
}
