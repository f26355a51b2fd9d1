package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
)

// WorkerConfig is what one suite process runs: ginkgo allows one RunSpecs
// per process, so a run is one or more worker processes (see Execute).
type WorkerConfig struct {
	Target      Target `json:"target"`
	LabelFilter string `json:"label_filter,omitempty"`
	// DryRun reports every spec without running any (for --list and for
	// planning shards).
	DryRun bool `json:"dry_run,omitempty"`
	// RunID makes table names and keys unique (default: from Seed).
	RunID string `json:"run_id,omitempty"`
	Seed  int64  `json:"seed,omitempty"`
	// Verbose keeps ginkgo's own console reporter (else succinct).
	Verbose bool `json:"verbose,omitempty"`
}

// fakeT satisfies ginkgo's GinkgoTestingT when the suite runs outside
// `go test` (the CLI) or when the caller judges results itself.
type fakeT struct{ failed bool }

func (f *fakeT) Fail() { f.failed = true }

// defineOnce guards the spec tree: ginkgo has one global tree per process.
var defineOnce sync.Once

// RunWorker runs the suite once in this process and calls emit with each
// spec's result as it completes. It may be called once per process.
func RunWorker(ctx context.Context, cfg WorkerConfig, t GinkgoTestingT, emit func(SpecResult)) error {
	if cfg.Seed == 0 {
		cfg.Seed = time.Now().UnixNano()
	}
	if cfg.RunID == "" {
		cfg.RunID = fmt.Sprintf("%x", uint32(cfg.Seed))
	}
	e := &env{ctx: ctx, runID: cfg.RunID, ind: &indeterminacy{}}
	if !cfg.DryRun {
		c, err := newClient(ctx, cfg.Target, e.ind)
		if err != nil {
			return err
		}
		e.ddb = c
	}
	var defined bool
	defineOnce.Do(func() {
		defined = true
		defineSpecs(e)
		ReportAfterEach(func(r SpecReport) { emit(resultOf(r, e.ind.take())) })
	})
	if !defined {
		return fmt.Errorf("conformance: the suite can run once per process (ginkgo allows one RunSpecs)")
	}
	RegisterFailHandler(Fail)
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter = cfg.LabelFilter
	sc.DryRun = cfg.DryRun
	sc.RandomSeed = cfg.Seed
	sc.FocusStrings, sc.SkipStrings = nil, nil
	rc.NoColor = true
	rc.Succinct = !cfg.Verbose
	if t == nil {
		t = &fakeT{}
	}
	RunSpecs(t, "DynamoDB conformance", sc, rc)
	return nil
}

// resultOf turns ginkgo's report into a SpecResult; ind is the reason the
// spec met an indeterminate outcome, if it did.
func resultOf(r types.SpecReport, ind string) SpecResult {
	labels := r.Labels()
	res := SpecResult{
		Name:    r.FullText(),
		Area:    areaOf(labels),
		Labels:  labels,
		Seconds: r.RunTime.Seconds(),
	}
	switch {
	case r.State.Is(types.SpecStatePassed):
		res.State = Passed
	case r.State.Is(types.SpecStateSkipped | types.SpecStatePending):
		res.State = Skipped
		res.Failure = r.Failure.Message
	case r.State.Is(types.SpecStateTimedout | types.SpecStateInterrupted):
		res.State = Indeterminate
		res.Failure = r.State.String() + ": " + r.Failure.Message
	default:
		res.State = Failed
		res.Failure = r.Failure.Message
		if ind != "" {
			res.State = Indeterminate
			res.Failure = ind + "\n" + r.Failure.Message
		}
	}
	if r.Failure.Location.FileName != "" && res.State != Passed && res.State != Skipped {
		res.Location = r.Failure.Location.String()
	}
	res.Failure = strings.TrimSpace(res.Failure)
	return res
}

// jsonLines returns an emit function writing one JSON SpecResult per line.
func jsonLines(w io.Writer) func(SpecResult) {
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	return func(r SpecResult) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(r)
	}
}
