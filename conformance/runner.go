package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"
)

// WorkerEnv names the environment variable that carries a worker process's
// JSON WorkerConfig. A process started by Execute finds it set and runs
// WorkerMain instead of its usual main.
const WorkerEnv = "DDBKIT_CONFORM_WORKER"

// resultsFD is the file descriptor on which a worker writes its results
// (JSON lines), leaving stdout to ginkgo's console reporter.
const resultsFD = 3

// IsWorker reports whether this process was started as a suite worker.
func IsWorker() bool { return os.Getenv(WorkerEnv) != "" }

// WorkerMain runs the worker described by WorkerEnv, writing results to
// file descriptor 3, and returns the process exit code. Call it first thing
// in the program Execute starts (TestMain in tests, a hidden subcommand in
// the CLI) when IsWorker() is true.
func WorkerMain(ctx context.Context) int {
	var cfg WorkerConfig
	if err := json.Unmarshal([]byte(os.Getenv(WorkerEnv)), &cfg); err != nil {
		fmt.Fprintf(os.Stderr, "conformance worker: bad %s: %v\n", WorkerEnv, err)
		return 2
	}
	out := os.NewFile(resultsFD, "results")
	if out == nil {
		fmt.Fprintln(os.Stderr, "conformance worker: no results descriptor")
		return 2
	}
	w := bufio.NewWriter(out)
	emit := jsonLines(w)
	flushing := func(r SpecResult) { emit(r); _ = w.Flush() }
	if err := RunWorker(ctx, cfg, nil, flushing); err != nil {
		fmt.Fprintln(os.Stderr, "conformance worker:", err)
		return 2
	}
	_ = w.Flush()
	return 0
}

// RunConfig describes a run of the suite against one target.
type RunConfig struct {
	Target      Target
	LabelFilter string
	// Unimplemented declares areas out of the endpoint's scope (area ->
	// reason): their specs are reported skipped, not run.
	Unimplemented map[string]string
	// Workers is the number of suite processes run at once (default 2).
	// Specs are distributed by area, so an area's shared tables stay in one
	// process.
	Workers int
	// Command returns a command that starts a worker: a program that calls
	// WorkerMain when IsWorker(). Execute adds the environment and the
	// results descriptor.
	Command func(ctx context.Context) *exec.Cmd
	// Progress, when set, receives a line per failed or indeterminate spec
	// and a running count.
	Progress io.Writer
	// Seed orders specs and names tables (default: the clock).
	Seed int64
}

// List returns every spec of the suite with its labels, without running
// any: State is Passed for specs the label filter selects, Skipped for the
// others.
func List(ctx context.Context, cfg RunConfig) ([]SpecResult, error) {
	var out []SpecResult
	err := runWorkerProcess(ctx, cfg, WorkerConfig{Target: cfg.Target, LabelFilter: cfg.LabelFilter, DryRun: true, Seed: 1},
		func(r SpecResult) { out = append(out, r) })
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Execute runs the suite against cfg.Target and returns the report.
func Execute(ctx context.Context, cfg RunConfig) (*Results, error) {
	start := time.Now()
	if cfg.Seed == 0 {
		cfg.Seed = start.UnixNano()
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = 2
	}
	plan, err := List(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("conformance: plan: %w", err)
	}
	rep := &Results{Target: cfg.Target.EndpointURL, Started: start}
	count := map[string]int{}
	for _, s := range plan {
		if s.State == Skipped {
			s.Failure = "not selected by the label filter"
			rep.Specs = append(rep.Specs, s)
			continue
		}
		if why, ok := cfg.Unimplemented[s.Area]; ok {
			s.State, s.Failure = Skipped, "declared scope: area not implemented: "+why
			rep.Specs = append(rep.Specs, s)
			continue
		}
		count[s.Area]++
	}
	shards := shardAreas(count, workers)
	total := 0
	for _, n := range count {
		total += n
	}
	prog := &progress{w: cfg.Progress, total: total}
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	errs := make([]error, len(shards))
	for i, sh := range shards {
		wg.Add(1)
		go func(i int, sh []string) {
			defer wg.Done()
			filter := "(" + strings.Join(sh, " || ") + ")"
			if cfg.LabelFilter != "" {
				filter = "(" + cfg.LabelFilter + ") && " + filter
			}
			wc := WorkerConfig{Target: cfg.Target, LabelFilter: filter, Seed: cfg.Seed + int64(i),
				RunID: fmt.Sprintf("%x%d", uint32(cfg.Seed), i)}
			errs[i] = runWorkerProcess(ctx, cfg, wc, func(r SpecResult) {
				mu.Lock()
				defer mu.Unlock()
				if r.State == Skipped && r.Failure == "" {
					return // filtered out in this shard; reported by its own shard
				}
				seen[r.Name] = true
				rep.Specs = append(rep.Specs, r)
				prog.add(r)
			})
		}(i, sh)
	}
	wg.Wait()
	// A spec a worker never reported (it crashed or was killed) is
	// indeterminate: the endpoint was not judged on it.
	for _, s := range plan {
		if s.State == Skipped || seen[s.Name] {
			continue
		}
		if _, ok := cfg.Unimplemented[s.Area]; ok {
			continue
		}
		why := "no result: worker did not report this spec"
		for _, e := range errs {
			if e != nil {
				why += ": " + e.Error()
				break
			}
		}
		s.State, s.Failure = Indeterminate, why
		rep.Specs = append(rep.Specs, s)
	}
	sort.SliceStable(rep.Specs, func(i, j int) bool { return rep.Specs[i].Name < rep.Specs[j].Name })
	rep.Duration = time.Since(start)
	return rep, ctx.Err()
}

// shardAreas distributes areas over n shards, largest first onto the
// lightest shard.
func shardAreas(count map[string]int, n int) [][]string {
	names := make([]string, 0, len(count))
	for a := range count {
		names = append(names, a)
	}
	sort.Slice(names, func(i, j int) bool {
		if count[names[i]] != count[names[j]] {
			return count[names[i]] > count[names[j]]
		}
		return names[i] < names[j]
	})
	if n > len(names) {
		n = len(names)
	}
	shards := make([][]string, n)
	load := make([]int, n)
	for _, a := range names {
		k := 0
		for j := range load {
			if load[j] < load[k] {
				k = j
			}
		}
		shards[k] = append(shards[k], a)
		load[k] += count[a]
	}
	return shards
}

// runWorkerProcess starts one worker and feeds its results to emit.
func runWorkerProcess(ctx context.Context, cfg RunConfig, wc WorkerConfig, emit func(SpecResult)) error {
	if cfg.Command == nil {
		return fmt.Errorf("conformance: RunConfig.Command is required")
	}
	js, err := json.Marshal(wc)
	if err != nil {
		return fmt.Errorf("conformance: encode worker config: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("conformance: results pipe: %w", err)
	}
	defer r.Close()
	cmd := cfg.Command(ctx)
	// On cancellation, interrupt rather than kill: ginkgo stops after the
	// request in flight, so no connection is reset mid-request (dynalite
	// 4.0.0 dies when one is).
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	cmd.Env = append(os.Environ(), WorkerEnv+"="+string(js))
	cmd.ExtraFiles = []*os.File{w}
	var stderr tailBuffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("conformance: start worker: %w", err)
	}
	w.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var res SpecResult
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			continue
		}
		emit(res)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("conformance: worker: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// tailBuffer keeps the last 8 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if t.buf.Len() > 8192 {
		b := append([]byte(nil), t.buf.Bytes()[t.buf.Len()-8192:]...)
		t.buf.Reset()
		t.buf.Write(b)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// progress prints failures as they happen and a count every 50 specs.
type progress struct {
	w            io.Writer
	total, done  int
	pass, fail   int
	indet, skips int
}

func (p *progress) add(r SpecResult) {
	p.done++
	switch r.State {
	case Passed:
		p.pass++
	case Failed:
		p.fail++
	case Indeterminate:
		p.indet++
	case Skipped:
		p.skips++
	}
	if p.w == nil {
		return
	}
	if r.State == Failed || r.State == Indeterminate {
		fmt.Fprintf(p.w, "  %-13s %s\n", strings.ToUpper(string(r.State)), r.Name)
	}
	if p.done%50 == 0 || p.done == p.total {
		fmt.Fprintf(p.w, "[%d/%d] passed %d, failed %d, indeterminate %d, skipped %d\n",
			p.done, p.total, p.pass, p.fail, p.indet, p.skips)
	}
}
