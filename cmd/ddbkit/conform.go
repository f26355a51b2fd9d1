package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ddbkit/ddbkit/conformance"
	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/reference/auth"
	"github.com/ddbkit/ddbkit/reference/server"
)

// conformOptions are the flags of `ddbkit conform`.
type conformOptions struct {
	target        conformance.Target
	list          bool
	labelFilter   string
	junit, json   string
	matrix, title string
	baseline      string
	writeBaseline string
	unimplemented []string
	workers       int
	seed          int64
	worker        bool
	timeout       time.Duration
}

func newConformCmd() *cobra.Command {
	var o conformOptions
	cmd := &cobra.Command{
		Use:   "conform",
		Short: "Judge an endpoint's conformance to DynamoDB",
		Long: `Run the DynamoDB conformance suite against an endpoint.

Without --endpoint-url an embedded reference server is started and judged.
With --endpoint-url URL any DynamoDB-protocol endpoint is judged; credentials
come from --access-key-id/--secret-access-key, else for a local endpoint
dummy ones, else (real AWS: no --endpoint-url and --aws) the AWS default chain
(environment, shared config with --profile, SSO, instance roles).

Scores follow the Parity Suite: divergence = failed/total, coverage =
(passed+failed)/total, overall and per area. Indeterminate specs (timeouts,
throttling, transport faults) count neither as passed nor failed.

With --baseline FILE the run passes only if it matches the endpoint's
expected failures exactly: a new failure and an unexpected pass both fail
it (exit 1), and are printed. Without a baseline any failure fails the run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.worker || conformance.IsWorker() {
				if code := conformance.WorkerMain(cmd.Context()); code != 0 {
					return &exitError{code: code, err: fmt.Errorf("conform worker failed")}
				}
				return nil
			}
			return runConform(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, cmd.Flags().Changed("aws"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target.EndpointURL, "endpoint-url", "", "endpoint to judge (default: an embedded reference server)")
	f.Bool("aws", false, "judge AWS DynamoDB itself in --region (no --endpoint-url, no embedded server)")
	f.StringVar(&o.target.Region, "region", envOr("AWS_REGION", "us-east-1"), "region")
	f.StringVar(&o.target.AccessKeyID, "access-key-id", "", "static access key id (default: environment / default chain)")
	f.StringVar(&o.target.SecretAccessKey, "secret-access-key", "", "static secret access key")
	f.StringVar(&o.target.SessionToken, "session-token", "", "static session token")
	f.StringVar(&o.target.Profile, "profile", "", "shared-config profile for the AWS default chain")
	f.DurationVar(&o.timeout, "request-timeout", 20*time.Second, "per-request timeout (a timeout makes a spec indeterminate)")
	f.BoolVar(&o.list, "list", false, "print the specs (one per line) and run nothing")
	f.StringVar(&o.labelFilter, "label-filter", "", `select specs by area label, e.g. "items || query", "!capacity"`)
	f.StringVar(&o.junit, "junit", "", "write JUnit XML to FILE")
	f.StringVar(&o.json, "json", "", "write per-spec JSON results to FILE")
	f.StringVar(&o.matrix, "matrix", "", "write a Markdown conformance matrix to FILE")
	f.StringVar(&o.title, "title", "", "endpoint name in the matrix (default: the baseline's endpoint or the URL)")
	f.StringVar(&o.baseline, "baseline", "", "expected failures of this endpoint (JSON); the run fails on any difference")
	f.StringVar(&o.writeBaseline, "write-baseline", "", "write this run's failures as a baseline to FILE (reasons to be reviewed)")
	f.StringArrayVar(&o.unimplemented, "unimplemented", nil, "declare an area out of scope: AREA=REASON (repeatable)")
	f.IntVar(&o.workers, "workers", 2, "suite processes run at once (areas are spread over them)")
	f.Int64Var(&o.seed, "seed", 0, "seed for spec order and table names (default: the clock)")
	f.BoolVar(&o.worker, "worker", false, "internal: run as a suite worker")
	_ = f.MarkHidden("worker")
	return cmd
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func runConform(ctx context.Context, stdout, stderr io.Writer, o conformOptions, aws bool) error {
	o.target.RequestTimeout = o.timeout
	var base *conformance.Baseline
	if o.baseline != "" {
		b, err := conformance.LoadBaseline(o.baseline)
		if err != nil {
			return err
		}
		base = b
	}
	scope := map[string]string{}
	if base != nil {
		for a, why := range base.Unimplemented {
			scope[a] = why
		}
	}
	for _, u := range o.unimplemented {
		area, why, _ := strings.Cut(u, "=")
		if why == "" {
			why = "declared with --unimplemented"
		}
		scope[strings.TrimSpace(area)] = why
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("conform: find own executable for workers: %w", err)
	}
	rc := conformance.RunConfig{
		Target:        o.target,
		LabelFilter:   o.labelFilter,
		Unimplemented: scope,
		Workers:       o.workers,
		Seed:          o.seed,
		Progress:      stderr,
		Command: func(ctx context.Context) *exec.Cmd {
			return exec.CommandContext(ctx, self, "conform", "--worker")
		},
	}
	if o.list {
		specs, err := conformance.List(ctx, rc)
		if err != nil {
			return err
		}
		for _, s := range specs {
			if s.State != conformance.Skipped {
				fmt.Fprintln(stdout, s.Name)
			}
		}
		return nil
	}
	if rc.Target.EndpointURL == "" && !aws {
		// The default target is the embedded 3-zone reference cluster,
		// checking signatures against the credentials the suite signs with.
		key, secret := rc.Target.AccessKeyID, rc.Target.SecretAccessKey
		if key == "" || secret == "" {
			key, secret = target.LocalAccessKeyID, target.LocalSecretAccessKey
		}
		srv, err := server.Start(ctx, server.Options{Addr: "127.0.0.1:0", Nodes: 3,
			Auth: auth.New(auth.Options{Credentials: map[string]string{key: secret}})})
		if err != nil {
			return fmt.Errorf("conform: start the embedded reference server: %w", err)
		}
		defer srv.Close()
		rc.Target.EndpointURL = srv.URL()
		fmt.Fprintf(stderr, "conform: judging the embedded reference server at %s\n", srv.URL())
	} else {
		where := rc.Target.EndpointURL
		if where == "" {
			where = "AWS DynamoDB in " + rc.Target.Region
		}
		fmt.Fprintf(stderr, "conform: judging %s\n", where)
	}
	res, err := conformance.Execute(ctx, rc)
	if err != nil {
		return err
	}
	title := o.title
	if title == "" && base != nil {
		title = base.Endpoint
	}
	if title == "" {
		title = rc.Target.EndpointURL
	}
	if err := writeConformOutputs(res, o, title); err != nil {
		return err
	}
	printScores(stdout, res)
	if base != nil {
		d := base.Compare(res)
		d.Print(stdout)
		if !d.OK() {
			return &exitError{code: 1, err: fmt.Errorf("conform: %d new failures, %d unexpected passes, %d stale baseline entries (baseline %s)",
				len(d.NewFailures), len(d.UnexpectedPasses), len(d.Unknown), o.baseline)}
		}
		fmt.Fprintf(stdout, "matches baseline %s\n", o.baseline)
		return nil
	}
	if n := res.Count(conformance.Failed); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("conform: %d specs failed", n)}
	}
	return nil
}

func writeConformOutputs(res *conformance.Results, o conformOptions, title string) error {
	write := func(path string, fn func(w io.Writer) error) error {
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("conform: %w", err)
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(o.json, res.WriteJSON); err != nil {
		return err
	}
	if err := write(o.junit, res.WriteJUnit); err != nil {
		return err
	}
	if err := write(o.matrix, func(w io.Writer) error { return res.WriteMatrix(w, title) }); err != nil {
		return err
	}
	return write(o.writeBaseline, func(w io.Writer) error {
		return conformance.BaselineFrom(res, title, func(s conformance.SpecResult) string {
			return "observed: " + strings.Join(strings.Fields(s.Failure), " ")
		}).Write(w)
	})
}

func printScores(w io.Writer, res *conformance.Results) {
	fmt.Fprintf(w, "%-12s %6s %6s %6s %7s %6s %10s %9s\n", "area", "total", "passed", "failed", "skipped", "indet", "divergence", "coverage")
	scores := res.Scores()
	for _, s := range append(scores[1:], scores[0]) {
		fmt.Fprintf(w, "%-12s %6d %6d %6d %7d %6d %9.1f%% %8.1f%%\n", s.Area, s.Total, s.Passed, s.Failed, s.Skipped, s.Indeterminate,
			100*s.Divergence, 100*s.Coverage)
	}
	fmt.Fprintf(w, "%d specs in %s\n", len(res.Specs), res.Duration.Round(time.Millisecond))
}
