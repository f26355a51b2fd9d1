package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ddbkit/ddbkit/bench"
	"github.com/ddbkit/ddbkit/bench/report"
	"github.com/ddbkit/ddbkit/reference/server"
	"github.com/ddbkit/ddbkit/workloads"
)

// embeddedURL is the --target URL that means "start the reference engine
// in this process".
const embeddedURL = "embedded"

type benchFlags struct {
	workload      string
	props         []string
	targets       []string
	endpointURL   string
	region        string
	client        string
	concurrency   int
	rate          float64
	arrival       string
	maxLag        time.Duration
	operations    int64
	duration      time.Duration
	opTimeout     time.Duration
	seed          uint64
	load          bool
	loadConc      int
	out           string
	embeddedDir   string
	embeddedPart  int
	embeddedNodes int
	embeddedSync  bool
	noProgress    bool
}

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmark DynamoDB-protocol endpoints with YCSB and DynamoDB-shaped workloads",
		Long: `Runs a workload (a YCSB property file or a built-in: ` + strings.Join(workloads.Names(), ", ") + `)
against one or more endpoints: a load phase (parallel BatchWriteItem) and a run
phase, closed loop (--concurrency workers) or open loop (--rate ops/s, latency
from each operation's intended start). The table is created when missing and
never dropped. Without --target or --endpoint-url the target is the reference
engine, started in this process.`,
		Example: `  ddbkit bench --workload a --operations 1000000 --out var/reports/a
  ddbkit bench --workload b -p recordcount=100000 --rate 5000 --duration 60s \
      --target reference=embedded --target dynalite=http://127.0.0.1:8001 --out var/reports/ab
  ddbkit bench --workload my.properties --endpoint-url https://dynamodb.eu-west-1.amazonaws.com --region eu-west-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.workload, "workload", "w", "workloada", "built-in workload name (a..f, ddb-*) or property file")
	fl.StringArrayVarP(&f.props, "property", "p", nil, "override a workload property: -p key=value (repeatable)")
	fl.StringArrayVar(&f.targets, "target", nil, `NAME=URL of an endpoint (repeatable; URL "embedded" starts the reference engine)`)
	fl.StringVar(&f.endpointURL, "endpoint-url", "", "one endpoint URL (AWS itself when it is an amazonaws.com URL; default credential chain)")
	fl.StringVar(&f.region, "region", "us-east-1", "AWS region (signing and, without an endpoint, the AWS endpoint)")
	fl.StringVar(&f.client, "client", "lean", "client on the hot path: lean (hand-built JSON, SDK signer, its own HTTP/1.1 keep-alive pool for http:// endpoints), lean-nethttp (the same over net/http) or sdk (aws-sdk-go-v2)")
	fl.IntVarP(&f.concurrency, "concurrency", "c", 16, "closed loop: workers; open loop: most operations in flight")
	fl.Float64Var(&f.rate, "rate", 0, "open loop: intended operations per second (0: closed loop)")
	fl.StringVar(&f.arrival, "arrival", "poisson", "open loop arrivals: poisson or constant")
	fl.DurationVar(&f.maxLag, "max-lag", time.Second, "open loop: an operation that cannot start within this of its intended time is a missed start")
	fl.Int64Var(&f.operations, "operations", 0, "run-phase operations (default: the workload's operationcount unless --duration is set)")
	fl.DurationVar(&f.duration, "duration", 0, "run-phase time bound")
	fl.DurationVar(&f.opTimeout, "op-timeout", 30*time.Second, "per-operation timeout")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed (the same for every target)")
	fl.BoolVar(&f.load, "load", true, "run the load phase (recordcount records) before the run phase")
	fl.IntVar(&f.loadConc, "load-concurrency", 16, "load phase workers")
	fl.StringVar(&f.out, "out", "", "write results.json, report.md, report.html, plots and interval logs to this directory")
	fl.StringVar(&f.embeddedDir, "embedded-dir", "", "make the embedded reference durable in this directory (default: in memory)")
	fl.IntVar(&f.embeddedPart, "embedded-partitions", 0, "partitions per table of the embedded reference (0: its default)")
	fl.IntVar(&f.embeddedNodes, "embedded-nodes", 3, "nodes of the embedded reference: 3 or more is a 3-zone raft-replicated cluster, 1 a single unreplicated node")
	fl.BoolVar(&f.embeddedSync, "embedded-fsync", true, "with --embedded-dir, fsync before acknowledging writes (--embedded-fsync=false only for benchmarks that say so)")
	fl.BoolVar(&f.noProgress, "no-progress", false, "no live progress line")
	return cmd
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	ctx := cmd.Context()
	props, err := workloads.Load(f.workload)
	if err != nil {
		return err
	}
	for _, kv := range f.props {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("bench: -p %q: want key=value", kv)
		}
		props[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	spec, err := workloads.Parse(props)
	if err != nil {
		return err
	}
	for _, k := range spec.Unknown {
		slog.Warn("bench: unknown workload property ignored", "property", k)
	}
	ops := f.operations
	if ops == 0 && f.duration == 0 {
		ops = spec.OperationCount
	}
	targets, err := parseTargets(f)
	if err != nil {
		return err
	}
	var servers []*server.Server
	defer func() {
		for _, s := range servers {
			if err := s.Close(); err != nil {
				slog.Warn("bench: close embedded reference", "err", err)
			}
		}
	}()
	for i, t := range targets {
		if t.URL != embeddedURL {
			continue
		}
		srv, err := server.Start(ctx, server.Options{Addr: "127.0.0.1:0", DataDir: f.embeddedDir, Partitions: f.embeddedPart,
			Nodes: f.embeddedNodes, NoFsync: !f.embeddedSync})
		if err != nil {
			return fmt.Errorf("bench: start embedded reference: %w", err)
		}
		servers = append(servers, srv)
		targets[i].URL = srv.URL()
		mode := "in memory"
		if f.embeddedDir != "" {
			mode = "durable in " + f.embeddedDir
			if !f.embeddedSync {
				mode += " WITHOUT fsync"
			}
		}
		shape := "single node"
		if f.embeddedNodes >= 3 {
			shape = fmt.Sprintf("%d-node 3-zone cluster", f.embeddedNodes)
		}
		slog.Info("bench: embedded reference engine", "url", srv.URL(), "shape", shape, "storage", mode)
	}
	cfg := bench.Config{
		WorkloadName: workloadName(f.workload), Properties: props, Spec: spec,
		Targets: targets, Region: f.region, Client: f.client,
		Concurrency: f.concurrency, Rate: f.rate, Arrival: f.arrival, MaxLag: f.maxLag,
		Operations: ops, Duration: f.duration, OpTimeout: f.opTimeout, Seed: f.seed,
		Load: f.load, LoadConcurrency: f.loadConc, Out: f.out,
		Args: os.Args, Commit: gitCommit(ctx),
	}
	if !f.noProgress {
		cfg.Progress = cmd.ErrOrStderr()
		cfg.TTY = isTerminal(os.Stderr)
	}
	res, runErr := bench.Run(ctx, cfg)
	if res != nil {
		report.Console(cmd.OutOrStdout(), res)
		if f.out != "" {
			if err := report.WriteAll(f.out, res); err != nil {
				return err
			}
			abs, _ := filepath.Abs(f.out)
			fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", filepath.Join(abs, "report.html"))
		}
	}
	if runErr != nil {
		return runErr
	}
	for _, t := range res.Targets {
		for _, v := range t.Verdicts {
			if strings.HasPrefix(v, "failed: ") {
				return &exitError{1, fmt.Errorf("bench: target %s %s", t.Name, v)}
			}
		}
	}
	return nil
}

func parseTargets(f benchFlags) ([]bench.Target, error) {
	var ts []bench.Target
	for _, s := range f.targets {
		name, url, ok := strings.Cut(s, "=")
		if !ok || name == "" || url == "" {
			return nil, fmt.Errorf("bench: --target %q: want NAME=URL", s)
		}
		ts = append(ts, bench.Target{Name: name, URL: url})
	}
	if f.endpointURL != "" {
		name := strings.TrimPrefix(strings.TrimPrefix(f.endpointURL, "http://"), "https://")
		url := f.endpointURL
		if strings.Contains(url, ".amazonaws.com") {
			url = "" // AWS: the region's endpoint and the default credential chain
		}
		ts = append(ts, bench.Target{Name: name, URL: url})
	}
	if len(ts) == 0 {
		ts = []bench.Target{{Name: "reference", URL: embeddedURL}}
	}
	return ts, nil
}

func workloadName(w string) string {
	if len(w) == 1 {
		return "workload" + strings.ToLower(w)
	}
	return filepath.Base(w)
}

// gitCommit records the commit of the working directory's repository, if
// any (builds with -buildvcs=false carry none).
func gitCommit(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
