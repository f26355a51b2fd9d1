package conformance_test

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/ddbkit/ddbkit/conformance"
)

// TestMain lets this test binary double as a suite worker: Execute starts
// it again with conformance.WorkerEnv set (ginkgo allows one RunSpecs per
// process, so each run is its own process).
func TestMain(m *testing.M) {
	if conformance.IsWorker() {
		os.Exit(conformance.WorkerMain(context.Background()))
	}
	os.Exit(m.Run())
}

// selfCommand starts this test binary as a worker.
func selfCommand(ctx context.Context) *exec.Cmd {
	return exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
}
