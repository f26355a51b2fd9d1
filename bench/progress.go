package bench

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ddbkit/ddbkit/bench/measure"
)

// progress ticks the recorder once a second (closing each second's
// interval histograms) and prints a live progress line. It returns a stop
// function that waits for the ticker to finish.
func (b *benchmark) progress(ctx context.Context, rec *measure.Recorder, label string, total func() (done, bound int64), st ...*runStats) func() {
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	start := b.cfg.now()
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		lines := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := b.cfg.now()
			n, p99, err := rec.Tick(now)
			if err != nil {
				slog.Warn("bench: tick", "err", err)
			}
			if b.cfg.Progress == nil {
				continue
			}
			done, bound := total()
			_, errs := rec.Totals()
			elapsed := now.Sub(start).Truncate(time.Second)
			line := fmt.Sprintf("[%s] %v", label, elapsed)
			if len(st) > 0 && b.cfg.Duration > 0 {
				line += fmt.Sprintf("/%v", b.cfg.Duration)
			}
			line += fmt.Sprintf(" %d", done)
			if bound > 0 {
				line += fmt.Sprintf("/%d (%.0f%%)", bound, 100*float64(done)/float64(bound))
			}
			line += fmt.Sprintf(" ops, %d ops/s, p99 %s, errors %d", n, fmtUs(p99), errs)
			if len(st) > 0 && b.cfg.Rate > 0 {
				line += fmt.Sprintf(", missed starts %d", st[0].missed.Load())
			}
			lines++
			switch {
			case b.cfg.TTY:
				fmt.Fprintf(b.cfg.Progress, "\r\033[K%s", line)
			case lines%10 == 1:
				fmt.Fprintln(b.cfg.Progress, line)
			}
		}
	}()
	return func() {
		cancel()
		<-finished
		if b.cfg.Progress != nil && b.cfg.TTY {
			fmt.Fprintln(b.cfg.Progress)
		}
	}
}

func fmtUs(us int64) string {
	switch {
	case us >= 1000000:
		return fmt.Sprintf("%.2fs", float64(us)/1e6)
	case us >= 1000:
		return fmt.Sprintf("%.2fms", float64(us)/1e3)
	default:
		return fmt.Sprintf("%dµs", us)
	}
}
