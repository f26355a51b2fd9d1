// Package conformance is a DynamoDB conformance suite: it asks an endpoint
// "do you behave like DynamoDB?" and answers with an exact, citable list of
// differences.
//
// The specs are ginkgo v2 + gomega, one file per API area (tables, items,
// types, numbers, condition, update, projection, query, scan, pagination,
// batch, errors, capacity, transactions, indexes, collections — the item
// collection metrics of writes to tables with local indexes —, ttl), each
// area a ginkgo Label so an endpoint's missing features can be filtered out
// or declared out of scope. Specs talk only through aws-sdk-go-v2 with
// client-side validation removed and retries off, so every answer seen is
// the server's. Every expectation cites where it comes from: DynamoDB's
// documentation, or a suite validated against real DynamoDB (ScyllaDB's
// Alternator tests, dynalite's tests whose error messages were captured
// from DynamoDB). Error checks compare
// the error type, and the message where DynamoDB's is stable.
//
// Each spec uses uniquely named tables (an area's shared tables are
// created once in an Ordered container) and fresh keys, so specs are
// independent and runs against one endpoint may overlap.
//
// # Testing your own server from Go
//
//	func TestConformance(t *testing.T) {
//		srv := startMyServer(t) // anything speaking the DynamoDB JSON protocol
//		conformance.Run(t, conformance.Target{EndpointURL: srv.URL})
//	}
//
// Run reports each failing spec as a test error. With a baseline of the
// failures you know about, only differences fail the test:
//
//	b, _ := conformance.LoadBaseline("testdata/my-baseline.json")
//	conformance.Run(t, conformance.Target{EndpointURL: srv.URL}, conformance.Options{Baseline: b})
//
// Ginkgo allows one suite run per process, so Run is called once per test
// binary. Execute runs the suite in worker processes instead (the program
// re-executes itself; see WorkerMain), several endpoints from one binary
// and areas in parallel; `ddbkit conform` is built on it.
//
// # Scores
//
// Results are scored as the community's Parity Suite does: divergence =
// failed / total and coverage = (passed + failed) / total, overall and per
// area. Skipped specs (out of declared scope, or filtered) and
// indeterminate ones (timeouts, throttling, transport faults: the endpoint
// could not be judged) count in the total only.
//
// # Negative controls
//
// The package's own tests run the suite through faultproxy, a proxy that
// breaks one behaviour at a time (conditions, error types, ordering,
// pagination, number precision, validation), and assert that the specs
// guarding it fail.
package conformance
