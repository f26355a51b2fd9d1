package measure

import (
	"fmt"
	"io"

	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/ddbkit/ddbkit/bench/results"
)

// Recorder accumulates one phase's measurements.
type Recorder struct {
	start time.Time
	ops   map[string]*opRec // fixed at construction: read without locking
	names []string

	mu       sync.Mutex // guards the timeline and the log
	timeline []results.Tick
	log      *hdr.HistogramLogWriter
	lastTick time.Time
}

type opRec struct {
	mu             sync.Mutex
	lat, svc       *hdr.Histogram // current interval
	totLat, totSvc *hdr.Histogram // everything before the current interval
	ok, errs, thr  int64
	errTypes       map[string]int64
	counters       map[string]int64
	intervalOK     int64
	intervalErrs   int64
}

// NewRecorder starts a phase at start for the given operation types. If
// log is non-nil, interval histograms are written to it.
func NewRecorder(start time.Time, ops []string, log io.Writer) (*Recorder, error) {
	r := &Recorder{start: start, ops: map[string]*opRec{}, lastTick: start}
	for _, op := range ops {
		r.ops[op] = &opRec{
			lat: results.NewHist(), svc: results.NewHist(),
			totLat: results.NewHist(), totSvc: results.NewHist(),
			errTypes: map[string]int64{}, counters: map[string]int64{},
		}
		r.names = append(r.names, op)
	}
	if log != nil {
		w := hdr.NewHistogramLogWriter(log)
		ms := start.UnixMilli()
		w.SetBaseTime(ms)
		for _, err := range []error{
			w.OutputComment("[Logged with ddbkit bench; values in microseconds; one tagged interval per operation type and second]"),
			w.OutputLogFormatVersion(),
			w.OutputStartTime(ms),
			w.OutputBaseTime(ms),
			w.OutputLegend(),
		} {
			if err != nil {
				return nil, fmt.Errorf("measure: write log header: %w", err)
			}
		}
		r.log = w
	}
	return r, nil
}

func (r *Recorder) op(name string) *opRec {
	o, ok := r.ops[name]
	if !ok {
		panic("measure: operation " + name + " was not declared") // a programming error
	}
	return o
}

// OK records a successful operation: latency from its intended start,
// service time from its actual start.
func (r *Recorder) OK(op string, latency, service time.Duration) {
	o := r.op(op)
	o.mu.Lock()
	results.Record(o.lat, latency.Microseconds())
	results.Record(o.svc, service.Microseconds())
	o.ok++
	o.intervalOK++
	o.mu.Unlock()
}

// Fail records a failed operation by error type; its time is not latency.
func (r *Recorder) Fail(op, errType string, throttle bool) {
	o := r.op(op)
	o.mu.Lock()
	o.errs++
	o.intervalErrs++
	if throttle {
		o.thr++
	}
	o.errTypes[errType]++
	o.mu.Unlock()
}

// Count adds n to a named counter of op (items returned, conflicts, ...).
func (r *Recorder) Count(op, counter string, n int64) {
	o := r.op(op)
	o.mu.Lock()
	o.counters[counter] += n
	o.mu.Unlock()
}

// Tick closes the interval ending at now: it appends a timeline point,
// writes the interval histograms to the log and folds them into the totals.
// It returns the interval's completed operations and its p99 (µs).
func (r *Recorder) Tick(now time.Time) (ops int64, p99 int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tickLocked(now)
}

func (r *Recorder) tickLocked(now time.Time) (int64, int64, error) {
	all := results.NewHist()
	t := results.Tick{Second: len(r.timeline), PerOp: map[string]int64{}}
	var firstErr error
	for _, name := range r.names {
		o := r.ops[name]
		o.mu.Lock()
		lat, svc := o.lat, o.svc
		o.lat, o.svc = results.NewHist(), results.NewHist()
		okN, errN := o.intervalOK, o.intervalErrs
		o.intervalOK, o.intervalErrs = 0, 0
		o.mu.Unlock()

		o.totLat.Merge(lat) // only Tick touches the totals
		o.totSvc.Merge(svc)
		all.Merge(lat)
		t.Ops += okN + errN
		t.Errors += errN
		t.PerOp[name] = okN + errN
		if r.log != nil && lat.TotalCount() > 0 {
			lat.SetTag(name)
			lat.SetStartTimeMs(r.lastTick.UnixMilli())
			lat.SetEndTimeMs(now.UnixMilli())
			if err := r.log.OutputIntervalHistogram(lat); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("measure: write interval log: %w", err)
			}
		}
	}
	s := results.Summarize(all)
	t.P50, t.P99, t.Max = s.P50, s.P99, s.Max
	enc, err := results.Encode(all)
	if err != nil && firstErr == nil {
		firstErr = err
	}
	t.Hist = enc
	r.timeline = append(r.timeline, t)
	r.lastTick = now
	return t.Ops, t.P99, firstErr
}

// Phase closes the last interval at end and returns the phase's results.
func (r *Recorder) Phase(end time.Time) (results.Phase, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _, err := r.tickLocked(end)
	if err != nil {
		return results.Phase{}, err
	}
	elapsed := end.Sub(r.start).Seconds()
	p := results.Phase{ElapsedSec: elapsed, Timeline: r.timeline}
	names := append([]string(nil), r.names...)
	for _, name := range names {
		o := r.ops[name]
		o.mu.Lock()
		op := results.Op{
			Name: name, OK: o.ok, Errors: o.errs, Throttles: o.thr, Count: o.ok + o.errs,
			Latency: results.Summarize(o.totLat), Service: results.Summarize(o.totSvc),
		}
		if len(o.errTypes) > 0 {
			op.ErrorTypes = map[string]int64{}
			for k, v := range o.errTypes {
				op.ErrorTypes[k] = v
			}
		}
		if len(o.counters) > 0 {
			op.Counters = map[string]int64{}
			for k, v := range o.counters {
				op.Counters[k] = v
			}
		}
		o.mu.Unlock()
		if elapsed > 0 {
			op.OpsPerSec = float64(op.Count) / elapsed
		}
		var err error
		if op.LatencyHist, err = results.Encode(o.totLat); err != nil {
			return results.Phase{}, err
		}
		if op.ServiceHist, err = results.Encode(o.totSvc); err != nil {
			return results.Phase{}, err
		}
		p.Operations += op.Count
		p.Ops = append(p.Ops, op)
	}
	if elapsed > 0 {
		p.OpsPerSec = float64(p.Operations) / elapsed
	}
	return p, nil
}

// Totals returns completed operations and errors so far (for progress).
func (r *Recorder) Totals() (ops, errs int64) {
	for _, name := range r.names {
		o := r.ops[name]
		o.mu.Lock()
		ops += o.ok + o.errs
		errs += o.errs
		o.mu.Unlock()
	}
	return ops, errs
}
