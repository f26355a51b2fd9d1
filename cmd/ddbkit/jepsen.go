package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/jepsen"
	"github.com/ddbkit/ddbkit/jepsen/history"
	"github.com/ddbkit/ddbkit/jepsen/nemesis"
	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/server"
)

// Exit codes of `ddbkit jepsen`.
const (
	exitJepsenInvalid = 2 // a checker found a violation
	exitJepsenUnknown = 3 // the history could not be fully checked
)

func newJepsenCmd() *cobra.Command {
	var (
		cfg               jepsen.Config
		faults            string
		startCmd, stopCmd string
		clusterDir        string
		endpoint, region  string
		creds             target.Options // AccessKeyID, SecretAccessKey, Profile
		out               string
		quiet, fmin, fmax time.Duration
		vizMax            int
		recheck           string
		nodes             int
		loss, clockRate   float64
		unsafe            node.Unsafe
	)
	cmd := &cobra.Command{
		Use:   "jepsen",
		Short: "Test an endpoint for linearizability, lost writes and transaction anomalies under faults (register, set, counter, bank, list-append)",
		Long: `Runs concurrent clients against a DynamoDB-protocol endpoint while a nemesis
injects faults, then heals, reads everything back and checks the history:
register (linearizability with porcupine), set (lost / unexpected elements),
counter (bounds), bank (TransactWriteItems transfers and TransactGetItems
reads conserve the total), list-append (Elle-style cycle detection over
transactions; history.edn for Elle itself). See jepsen/README.md.

Without --endpoint-url the target is an embedded reference cluster (--nodes,
3 zones) and every cluster fault is available (--nemesis all); the run ends by
checking that all replicas' digests are equal. Against an external endpoint no
faults are injected unless --nemesis-start-cmd/--nemesis-stop-cmd are given
(fault "hook").

Exit status: 0 valid, 2 violation found, 3 unknown (not fully checkable), 1 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			cfg.Log = log
			if recheck != "" {
				return recheckHistory(cmd, recheck, out, cfg.CheckTimeout, vizMax)
			}
			if !(clockRate > 0 && clockRate < math.Inf(1)) {
				return &exitError{1, fmt.Errorf("jepsen: --clock-rate %v: want a positive rate", clockRate)}
			}
			if !cmd.Flags().Changed("seed") {
				cfg.Seed = time.Now().UnixNano() % 1_000_000_000
			}
			var nem nemesis.Nemesis = nemesis.None{}
			if clusterDir != "" {
				// A multi-process cluster of scripts/cluster.sh: process
				// faults through the script, digests from /admin/status.
				if unsafe.Any() {
					return &exitError{1, fmt.Errorf("jepsen: --unsafe-* modes apply to the embedded engine only")}
				}
				sc := &nemesis.ScriptCluster{Script: filepath.Join("scripts", "cluster.sh"), Dir: clusterDir}
				nodes := sc.Nodes()
				if len(nodes) == 0 {
					return &exitError{1, fmt.Errorf("jepsen: no cluster in %s (scripts/cluster.sh start --dir %s)", clusterDir, clusterDir)}
				}
				if endpoint == "" {
					urls, err := sc.URLs(ctx)
					if err != nil {
						return &exitError{1, err}
					}
					endpoint = urls[0] // every node routes any request
				}
				nem = nemesis.Restricted{Nemesis: nemesis.NewClusterNemesis(sc, nemesis.ClusterOptions{Seed: cfg.Seed}), Only: nemesis.ProcessFaults}
				cfg.Converge = sc.Converged
				cfg.Endpoint = fmt.Sprintf("multi-process reference cluster (%d nodes, scripts/cluster.sh --dir %s) %s", len(nodes), clusterDir, endpoint)
				log.Info("jepsen: target", "endpoint", cfg.Endpoint)
			} else if endpoint == "" {
				srv, err := server.Start(ctx, server.Options{Addr: "127.0.0.1:0", Nodes: nodes, Seed: uint64(cfg.Seed), Unsafe: unsafe, Logger: log})
				if err != nil {
					return fmt.Errorf("jepsen: start embedded reference engine: %w", err)
				}
				defer srv.Close()
				endpoint = srv.URL()
				if c := srv.Cluster(); c != nil {
					nem = nemesis.NewClusterNemesis(c.Nemesis(), nemesis.ClusterOptions{Seed: cfg.Seed, Loss: loss, ClockRate: clockRate})
					cfg.Converge = c.WaitConverged
					cfg.Endpoint = fmt.Sprintf("embedded reference cluster (%d nodes, 3 zones) %s", nodes, endpoint)
				} else {
					cfg.Endpoint = "embedded reference server (single node) " + endpoint
				}
				if unsafe.Any() {
					cfg.Endpoint += fmt.Sprintf(" UNSAFE %+v", unsafe)
				}
				log.Info("jepsen: target", "endpoint", cfg.Endpoint)
			} else {
				if unsafe.Any() {
					return &exitError{1, fmt.Errorf("jepsen: --unsafe-* modes apply to the embedded engine only")}
				}
				cfg.Endpoint = endpoint
				if startCmd != "" {
					nem = &nemesis.HookNemesis{StartCmd: startCmd, StopCmd: stopCmd, Seed: cfg.Seed, Log: log}
				}
			}
			names, err := nemesis.ParseNames(faults, nem.Faults())
			if err != nil {
				return &exitError{1, fmt.Errorf("%w (the embedded cluster supports the cluster faults, external endpoints only \"hook\" with --nemesis-start-cmd)", err)}
			}
			if _, hook := nem.(*nemesis.HookNemesis); hook && faults == "" {
				names = []string{nemesis.Hook}
			}
			cfg.Nemesis, cfg.Faults = nem, names
			cfg.Schedule = nemesis.ScheduleOptions{Quiet: quiet, MinFault: fmin, MaxFault: fmax}
			db, err := target.NewClient(ctx, target.Options{EndpointURL: endpoint, Region: region,
				AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, Profile: creds.Profile})
			if err != nil {
				return err
			}
			cfg.DB = db
			if out == "" {
				out = filepath.Join("var", "jepsen", fmt.Sprintf("%s-%s", cfg.Workload, time.Now().UTC().Format("20060102T150405Z")))
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			hf, err := os.Create(filepath.Join(out, jepsen.HistoryFile))
			if err != nil {
				return err
			}
			defer hf.Close()
			res, runErr := jepsen.Run(ctx, cfg, hf)
			if res == nil {
				return runErr
			}
			return jepsenReport(cmd, res, out, runErr, jepsen.ArtifactOptions{HistoryWritten: true, VisualizeMaxOps: vizMax})
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Workload, "workload", jepsen.Register, "workload: register, set, counter, bank or list-append")
	f.StringVar(&faults, "nemesis", "", `faults: comma-separated names, "all" or "none" (external endpoints: "hook")`)
	f.StringVar(&startCmd, "nemesis-start-cmd", "", "shell command that starts a fault on an external system (env: DDBKIT_FAULT, DDBKIT_SEED, DDBKIT_FAULT_INDEX)")
	f.StringVar(&stopCmd, "nemesis-stop-cmd", "", "shell command that stops the fault")
	f.StringVar(&clusterDir, "cluster-dir", "", "test the multi-process cluster that scripts/cluster.sh runs in this --dir (process faults: kill, kill-leader, pause, pause-leader)")
	f.IntVar(&cfg.Clients, "clients", 10, "concurrent clients")
	f.IntVar(&cfg.Keys, "keys", 10, "objects operated on at a time (bank: the accounts)")
	f.IntVar(&cfg.OpsPerKey, "ops-per-key", 300, "register, list-append: operations per key before a fresh key replaces it (-1: never)")
	f.Float64Var(&cfg.Rate, "rate", 100, "total operations per second (upper bound)")
	f.DurationVar(&cfg.Duration, "time", 60*time.Second, "length of the operation phase")
	f.IntVar(&cfg.MaxOps, "max-ops", 0, "upper bound on operations (default 2 × rate × time)")
	f.DurationVar(&cfg.OpTimeout, "op-timeout", time.Second, "per-request timeout; a timed-out request is indeterminate")
	f.Float64Var(&cfg.ECReads, "ec-reads", 0.1, "register: fraction of reads that are eventually consistent (measured as staleness)")
	f.Int64Var(&cfg.Seed, "seed", 0, "seed for operations and the fault schedule (default: random, printed)")
	f.StringVar(&endpoint, "endpoint-url", "", "endpoint to test (default: an embedded reference server)")
	f.StringVar(&region, "region", "us-east-1", "AWS region")
	f.StringVar(&creds.AccessKeyID, "access-key-id", "", "static access key id, for an endpoint that checks signatures (default: dummy credentials for --endpoint-url, the AWS default chain for AWS)")
	f.StringVar(&creds.SecretAccessKey, "secret-access-key", "", "static secret access key")
	f.StringVar(&creds.Profile, "profile", "", "shared-config profile for the AWS default chain")
	f.StringVar(&cfg.Table, "table", "", "table to create for the run (default ddbkit_jepsen_<workload>_<seed>_<time>)")
	f.BoolVar(&cfg.KeepTable, "keep-table", false, "do not delete the table after the run")
	f.StringVar(&out, "out", "", "artifact directory (default var/jepsen/<workload>-<time>)")
	f.DurationVar(&quiet, "fault-quiet", 5*time.Second, "fault-free time before each fault and at the end")
	f.DurationVar(&fmin, "fault-min", 5*time.Second, "shortest fault")
	f.DurationVar(&fmax, "fault-max", 15*time.Second, "longest fault")
	f.DurationVar(&cfg.CheckTimeout, "check-timeout", 5*time.Minute, "bound on the linearizability search (then: unknown)")
	f.Float64Var(&loss, "loss", 0.2, "embedded cluster: fraction of messages the loss fault drops")
	f.IntVar(&nodes, "nodes", 3, "embedded target: storage nodes (>= 3: replicated cluster in 3 zones; 1: single node)")
	f.BoolVar(&unsafe.StaleConsistentReads, "unsafe-stale-reads", false, "NEGATIVE CONTROL: embedded engine serves ConsistentRead from any replica")
	f.BoolVar(&unsafe.StaleConsistentReads, "unsafe-stale-consistent-reads", false, "the same as --unsafe-stale-reads (the name ddbkit serve uses)")
	f.BoolVar(&unsafe.AckBeforeQuorum, "unsafe-ack-before-quorum", false, "NEGATIVE CONTROL: embedded engine acknowledges writes before a quorum has them")
	f.BoolVar(&unsafe.NoRetryDedup, "unsafe-no-retry-dedup", false, "NEGATIVE CONTROL: embedded engine may apply a retried command twice")
	f.BoolVar(&unsafe.SkipConditions, "unsafe-skip-conditions", false, "NEGATIVE CONTROL: embedded engine ignores conditions at apply")
	f.BoolVar(&unsafe.LeaseReads, "unsafe-lease-reads", false, "NEGATIVE CONTROL: embedded engine answers ConsistentRead from the leader's lease (caught with --nemesis clock-skew-leader)")
	f.Float64Var(&clockRate, "clock-rate", 0.05, "embedded cluster: rate of the skewed clock of clock-skew-leader (0.05: twenty times slower than real time)")
	f.StringVar(&recheck, "check-history", "", "check a recorded history.jsonl again instead of running (artifacts to --out, default its directory)")
	f.IntVar(&vizMax, "viz-max-ops", 20000, "most operations shown in porcupine.html (illegal keys first)")
	return cmd
}

// jepsenReport writes the artifacts, prints the summary and turns the verdict
// into the exit status.
func jepsenReport(cmd *cobra.Command, res *jepsen.Result, out string, runErr error, o jepsen.ArtifactOptions) error {
	paths, err := jepsen.WriteArtifacts(out, res, o)
	fmt.Fprint(cmd.OutOrStdout(), jepsen.Summary(res))
	fmt.Fprintf(cmd.OutOrStdout(), "\nartifacts in %s:\n", out)
	for _, p := range paths {
		fmt.Fprintf(cmd.OutOrStdout(), "  %s\n", p)
	}
	if err := errors.Join(runErr, err); err != nil {
		return err
	}
	switch res.Verdict {
	case jepsen.Invalid:
		return &exitError{exitJepsenInvalid, fmt.Errorf("jepsen: violation found (%s workload, seed %d)", res.Workload, res.Seed)}
	case jepsen.Unknown:
		return &exitError{exitJepsenUnknown, fmt.Errorf("jepsen: history could not be fully checked (%s workload, seed %d)", res.Workload, res.Seed)}
	}
	return nil
}

// recheckHistory checks a recorded history again (e.g. after a checker
// improvement, or with a longer --check-timeout).
func recheckHistory(cmd *cobra.Command, path, out string, timeout time.Duration, vizMax int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	h, err := history.ReadJSONL(f)
	f.Close()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Dir(path)
	}
	res := &jepsen.Result{Workload: h.Header.Workload, Seed: h.Header.Seed, Endpoint: h.Header.Endpoint, Params: h.Header.Params, History: h}
	if t, ok := h.Header.Params["table"].(string); ok {
		res.Table = t
	}
	jepsen.Check(res, timeout, 0)
	same := filepath.Clean(filepath.Join(out, jepsen.HistoryFile)) == filepath.Clean(path)
	return jepsenReport(cmd, res, out, nil, jepsen.ArtifactOptions{HistoryWritten: same, VisualizeMaxOps: vizMax})
}
