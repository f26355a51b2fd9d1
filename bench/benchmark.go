package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"

	"github.com/ddbkit/ddbkit/bench/driver"
	"github.com/ddbkit/ddbkit/bench/results"
)

// benchmark is one Run in progress.
type benchmark struct {
	cfg    Config
	layout *layout
	logs   []io.Closer
}

// Run executes the configured benchmark against every target in turn and
// returns the results (also written under cfg.Out when set). A target that
// fails is reported in its verdicts and the next target still runs.
func Run(ctx context.Context, cfg Config) (*results.Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l, err := newLayout(cfg.Spec, cfg.Seed)
	if err != nil {
		return nil, err
	}
	b := &benchmark{cfg: cfg, layout: l}
	defer b.closeLogs()
	if cfg.Out != "" {
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	run := &results.Run{
		Schema:      results.SchemaVersion,
		Tool:        "ddbkit bench",
		Started:     cfg.now().UTC(),
		Workload:    b.workload(),
		Settings:    b.settings(),
		Environment: []results.Environment{environment(cfg.Args, cfg.Commit)},
	}
	for _, k := range cfg.Spec.Unknown {
		run.Notes = append(run.Notes, "unknown property ignored: "+k)
	}
	for _, tgt := range cfg.Targets {
		t, err := b.target(ctx, tgt)
		if err != nil {
			if ctx.Err() != nil {
				return run, err
			}
			slog.Error("bench: target failed", "target", tgt.Name, "err", err)
			t.Verdicts = append(t.Verdicts, "failed: "+err.Error())
		}
		run.Targets = append(run.Targets, t)
	}
	return run, nil
}

func (b *benchmark) target(ctx context.Context, tgt Target) (results.Target, error) {
	t := results.Target{Name: tgt.Name, Endpoint: tgt.URL}
	if t.Endpoint == "" {
		t.Endpoint = "aws:" + b.cfg.Region
	}
	e := driver.Endpoint{URL: tgt.URL, Region: b.cfg.Region, Conns: max(b.cfg.Concurrency, b.cfg.LoadConcurrency)}
	cfg, err := driver.AWSConfig(ctx, e)
	if err != nil {
		return t, err
	}
	created, err := driver.EnsureTable(ctx, driver.DynamoDB(cfg, e), b.layout.table, 2*60e9)
	if err != nil {
		return t, err
	}
	slog.Info("bench: table ready", "target", tgt.Name, "table", b.layout.table.Name, "created", created)
	c, err := driver.New(ctx, b.cfg.Client, e)
	if err != nil {
		return t, err
	}
	defer c.Close()
	if b.cfg.Load {
		p, err := b.load(ctx, c, tgt)
		if err != nil {
			return t, err
		}
		t.Load = &p
	}
	p, err := b.runPhase(ctx, c, tgt)
	t.Run = p
	if err != nil {
		return t, err
	}
	t.Verdicts = append(t.Verdicts, verdicts(b.cfg, p)...)
	return t, nil
}

// verdicts judges an open-loop run: did the endpoint keep up?
func verdicts(cfg Config, p results.Phase) []string {
	if cfg.Rate <= 0 || p.Scheduled == 0 {
		return nil
	}
	var v []string
	achieved := p.OpsPerSec
	if float64(p.MissedStarts) > 0.001*float64(p.Scheduled) || achieved < 0.95*cfg.Rate*scheduledShare(cfg, p) {
		v = append(v, fmt.Sprintf("rate not sustained: intended %.0f ops/s, achieved %.0f ops/s, %d of %d scheduled starts missed (later than %v) with at most %d operations in flight (--concurrency)",
			cfg.Rate, achieved, p.MissedStarts, p.Scheduled, cfg.MaxLag, cfg.Concurrency))
	}
	return v
}

// scheduledShare corrects the expected rate when the run was bounded by
// operations and ended before its duration.
func scheduledShare(cfg Config, p results.Phase) float64 {
	if p.ElapsedSec <= 0 {
		return 1
	}
	expected := cfg.Rate * p.ElapsedSec
	if expected <= 0 {
		return 1
	}
	return min(1, float64(p.Scheduled)/expected)
}

func (b *benchmark) workload() results.Workload {
	w := results.Workload{Name: b.cfg.WorkloadName, Properties: map[string]string{}, Effective: map[string]string{}}
	for k, v := range b.cfg.Properties {
		w.Properties[k] = v
	}
	s := b.cfg.Spec
	eff := map[string]any{
		"table": s.Table, "recordcount": s.RecordCount, "operationcount": s.OperationCount,
		"insertstart": s.InsertStart, "insertcount": s.InsertCount, "fieldcount": s.FieldCount,
		"fieldlength": s.FieldLength, "minfieldlength": s.MinFieldLength,
		"fieldlengthdistribution": s.FieldLengthDistribution, "fieldnameprefix": s.FieldNamePrefix,
		"readallfields": s.ReadAllFields, "writeallfields": s.WriteAllFields,
		"readproportion": s.ReadProportion, "updateproportion": s.UpdateProportion,
		"insertproportion": s.InsertProportion, "scanproportion": s.ScanProportion,
		"readmodifywriteproportion": s.ReadModifyWriteProportion,
		"requestdistribution":       s.RequestDistribution, "zeropadding": s.ZeroPadding,
		"insertorder":   map[bool]string{true: "ordered", false: "hashed"}[s.OrderedInserts],
		"minscanlength": s.MinScanLength, "maxscanlength": s.MaxScanLength,
		"scanlengthdistribution": s.ScanLengthDistribution,
		"hotspotdatafraction":    s.HotspotDataFraction, "hotspotopnfraction": s.HotspotOpnFraction,
		"exponential.percentile": s.ExponentialPercentile, "exponential.frac": s.ExponentialFrac,
		"ddbkit.conditionalupdateproportion": s.ConditionalUpdateProportion,
		"ddbkit.queryproportion":             s.QueryProportion,
		"ddbkit.batchwriteproportion":        s.BatchWriteProportion,
		"ddbkit.batchsize":                   s.BatchSize, "ddbkit.sortkeys": s.SortKeys,
		"ddbkit.consistentread": s.ConsistentRead,
	}
	for k, v := range eff {
		w.Effective[k] = fmt.Sprint(v)
	}
	return w
}

func (b *benchmark) settings() results.Settings {
	c := b.cfg
	s := results.Settings{
		Client: c.Client, Mode: "closed", Concurrency: c.Concurrency, Operations: c.Operations,
		DurationSec: c.Duration.Seconds(), Seed: c.Seed, Load: c.Load,
	}
	if c.Rate > 0 {
		s.Mode, s.Rate, s.Arrival = "open", c.Rate, c.Arrival
		s.MaxLagMs = float64(c.MaxLag.Microseconds()) / 1000
	}
	return s
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// logFile opens <out>/<target>.<phase>.hlog for the interval log (nil
// without an output directory).
func (b *benchmark) logFile(tgt Target, phase string) io.Writer {
	if b.cfg.Out == "" {
		return nil
	}
	path := filepath.Join(b.cfg.Out, unsafeName.ReplaceAllString(tgt.Name, "_")+"."+phase+".hlog")
	f, err := os.Create(path)
	if err != nil {
		slog.Warn("bench: no interval log", "path", path, "err", err)
		return nil
	}
	b.logs = append(b.logs, f)
	return f
}

func (b *benchmark) closeLogs() {
	for _, f := range b.logs {
		f.Close()
	}
}
