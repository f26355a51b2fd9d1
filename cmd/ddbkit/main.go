// Command ddbkit is the one CLI of the project: serve the reference engine,
// judge an endpoint's conformance, test it with jepsen workloads, benchmark
// it, and render or merge reports.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ddbkit:", err)
		stop()
		os.Exit(exitCode(err))
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ddbkit",
		Short:         "Conformance, jepsen and benchmark tools for DynamoDB-compatible databases, and a reference engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Each subcommand lives in its own file, named for it.
	root.AddCommand(
		newVersionCmd(),
		newBenchCmd(),
		newReportCmd(),
		newJepsenCmd(),
		newServeCmd(),
		newConformCmd(),
	)
	return root
}

// exitError carries a specific exit code (e.g. a conformance or jepsen
// verdict) through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 1
}
