package history

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Clock returns nanoseconds since the start of the run. It must be
// monotonic (never decrease).
type Clock func() int64

// MonotonicClock returns a Clock that counts from now on Go's monotonic
// clock (time.Since never goes back, even if the wall clock does).
func MonotonicClock() Clock {
	start := time.Now()
	return func() int64 { return int64(time.Since(start)) }
}

// Recorder appends events to a history from many goroutines. Events are
// numbered in the order the recorder sees them, and their times come from
// the same clock under the same lock, so Index order and Time order agree.
// With a writer, every event is also streamed as a JSON line as it happens,
// so a crashed run still leaves its history on disk.
type Recorder struct {
	mu    sync.Mutex
	clock Clock
	h     History
	w     *bufio.Writer
	err   error
}

// NewRecorder starts a history with header hdr. If w is not nil, the header
// and every event are written to it as JSON lines.
func NewRecorder(hdr Header, clock Clock, w io.Writer) *Recorder {
	r := &Recorder{clock: clock, h: History{Header: hdr}}
	if w != nil {
		r.w = bufio.NewWriter(w)
		r.err = writeLine(r.w, headerLine{Header: &hdr})
	}
	return r
}

// Invoke records the invocation of op (its Type is set to Invoke) and
// returns it as recorded.
func (r *Recorder) Invoke(op Op) Op {
	op.Type = Invoke
	return r.append(op)
}

// Complete records the completion of op; op.Type must be OK, Fail or Info.
func (r *Recorder) Complete(op Op) Op {
	if op.Type == Invoke || op.Type == "" {
		panic(fmt.Sprintf("history: completion with type %q", op.Type))
	}
	return r.append(op)
}

// Event records a nemesis event (or any other event without a completion).
func (r *Recorder) Event(op Op) Op { return r.append(op) }

func (r *Recorder) append(op Op) Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	op.Index = len(r.h.Ops)
	op.Time = r.clock()
	r.h.Ops = append(r.h.Ops, op)
	if r.w != nil && r.err == nil {
		r.err = writeLine(r.w, op)
	}
	return op
}

// Now reads the recorder's clock.
func (r *Recorder) Now() int64 { return r.clock() }

// History returns a copy of the events so far.
func (r *Recorder) History() History {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.h
	h.Ops = append([]Op(nil), r.h.Ops...)
	return h
}

// Flush writes buffered lines to the writer and reports the first write
// error, if any.
func (r *Recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return nil
	}
	if r.err != nil {
		return r.err
	}
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("history: flush: %w", err)
	}
	return nil
}

func writeLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("history: encode: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("history: write: %w", err)
	}
	return nil
}
