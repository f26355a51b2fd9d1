package conformance_test

import (
	"testing"

	"github.com/ddbkit/ddbkit/conformance"
)

// startMyServer stands for however a project starts its own server.
func startMyServer(t *testing.T) string { return "http://127.0.0.1:8000" }

// A Go project tests its own DynamoDB-compatible server with one call in
// a test; each failing spec is reported as a test error.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T) {
		url := startMyServer(t)
		conformance.Run(t, conformance.Target{EndpointURL: url, Region: "us-east-1"},
			conformance.Options{LabelFilter: "!capacity"})
	}
}
