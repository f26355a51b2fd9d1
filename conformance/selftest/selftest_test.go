package selftest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/conformance"
	"github.com/ddbkit/ddbkit/conformance/faultproxy"
	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/reference/auth"
	"github.com/ddbkit/ddbkit/reference/server"
)

// TestMain lets this test binary double as a suite worker (one ginkgo
// RunSpecs per process).
func TestMain(m *testing.M) {
	if conformance.IsWorker() {
		os.Exit(conformance.WorkerMain(context.Background()))
	}
	os.Exit(m.Run())
}

func selfCommand(ctx context.Context) *exec.Cmd {
	return exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
}

func startReference(t *testing.T) string {
	t.Helper()
	// It checks signatures, with the credentials the suite's client signs
	// with when it is given none (the auth area judges that).
	srv, err := server.Start(context.Background(), server.Options{Addr: "127.0.0.1:0",
		Auth: auth.New(auth.Options{Credentials: map[string]string{target.LocalAccessKeyID: target.LocalSecretAccessKey}})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}

func run(t *testing.T, url, filter string, unimplemented map[string]string) *conformance.Results {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := conformance.Execute(ctx, conformance.RunConfig{
		Target:        conformance.Target{EndpointURL: url},
		LabelFilter:   filter,
		Unimplemented: unimplemented,
		Command:       selfCommand,
		Workers:       2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestReference judges the embedded reference engine: every spec passes or
// is listed in baselines/reference.json with the issue that will close it.
func TestReference(t *testing.T) {
	t.Parallel()
	b, err := conformance.LoadBaseline(filepath.Join("..", "baselines", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, startReference(t), "", b.Unimplemented)
	all := res.Scores()[0]
	t.Logf("reference: %d specs, %d passed, %d failed, %d skipped, %d indeterminate; divergence %.1f%%, coverage %.1f%%, %s",
		all.Total, all.Passed, all.Failed, all.Skipped, all.Indeterminate, 100*all.Divergence, 100*all.Coverage, res.Duration.Round(time.Millisecond))
	if res.Duration > 2*time.Minute {
		t.Errorf("the whole suite took %s against the reference; the budget is 2 minutes", res.Duration)
	}
	if dir := os.Getenv("DDBKIT_CONFORM_OUT"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "reference.md"))
		if err == nil {
			_ = res.WriteMatrix(f, b.Endpoint)
			f.Close()
		}
	}
	d := b.Compare(res)
	var sb strings.Builder
	d.Print(&sb)
	if !d.OK() {
		t.Errorf("reference differs from its baseline:\n%s", sb.String())
	}
}

// A negative control: the suite through a fault, the specs that must
// catch it, and specs the fault must not touch.
type control struct {
	fault  faultproxy.Fault
	filter string
	// mustFail are spec names (or name prefixes ending in "*") that must
	// fail; every spec matching a prefix must fail.
	mustFail []string
	// mustPass must still pass: the fault is caught, not noise.
	mustPass []string
}

var controls = []control{
	{
		fault:  faultproxy.ConditionIgnored,
		filter: "condition",
		mustFail: []string{
			"condition a condition that does not hold fails with ConditionalCheckFailedException *",
			"condition attribute_not_exists(pk) makes PutItem create-only",
			"condition a failed condition leaves the item unchanged",
		},
		mustPass: []string{"condition a condition that holds lets the write through = on strings"},
	},
	{
		fault:  faultproxy.ErrorTypeRewritten,
		filter: "errors || items",
		mustFail: []string{
			"errors a missing table fails with ResourceNotFoundException *",
			"items item operations on a missing table fail with ResourceNotFoundException *",
			"errors the error envelope names the type with DynamoDB's namespace",
		},
		mustPass: []string{"errors a missing TableName fails with ValidationException GetItem"},
	},
	{
		fault:  faultproxy.QueryReordered,
		filter: "query",
		mustFail: []string{
			"query key conditions select a sorted range of one partition the whole partition, ascending",
			"query ScanIndexForward false returns descending order",
			"query string sort keys are ordered by UTF-8 bytes",
			"query binary sort keys are ordered as unsigned bytes",
		},
		mustPass: []string{"query a partition with no items returns nothing"},
	},
	{
		fault:  faultproxy.PaginationBroken,
		filter: "pagination || query || scan",
		mustFail: []string{
			"pagination Query pages with Limit return every item once, in order Limit 1",
			"pagination Query pages with Limit return every item once, in order Limit 7",
			"pagination a Query page stops at 1 MB even without Limit",
			"query Limit stops after that many items and returns LastEvaluatedKey",
			"scan Limit caps ScannedCount and returns LastEvaluatedKey",
		},
		mustPass: []string{"query ScanIndexForward false returns descending order"},
	},
	{
		fault:  faultproxy.NumbersAsFloat64,
		filter: "numbers",
		mustFail: []string{
			"numbers numbers are stored exactly and returned without redundant zeros 38 significant digits",
			"numbers numbers are stored exactly and returned without redundant zeros a value float64 cannot hold",
			"numbers update arithmetic is exact decimal arithmetic beyond float64 precision",
		},
		mustPass: []string{"numbers numbers are stored exactly and returned without redundant zeros an integer"},
	},
	{
		fault:  faultproxy.ValidationSkipped,
		filter: "types || numbers || items",
		mustFail: []string{
			"types PutItem rejects an invalid attribute value with ValidationException *",
			"numbers PutItem rejects an invalid number with ValidationException *",
			"items GetItem rejects a key that does not match the schema *",
		},
		mustPass: []string{"items PutItem then GetItem returns the item unchanged"},
	},
	{
		fault:  faultproxy.CollectionMetricsDropped,
		filter: "collections",
		mustFail: []string{
			"collections PutItem with SIZE reports the item's collection",
			"collections UpdateItem with SIZE reports the item's collection",
			"collections DeleteItem with SIZE reports the item's collection",
			"collections the size estimate holds a collection of a few megabytes",
			"collections BatchWriteItem with SIZE reports each collection it wrote, under its table",
			"collections TransactWriteItems with SIZE reports the collections of its Put, Update and Delete actions",
		},
		mustPass: []string{
			"collections no ItemCollectionMetrics unless asked PutItem with NONE",
			"collections a table without local indexes reports no ItemCollectionMetrics even with SIZE BatchWriteItem",
		},
	},
	{
		fault:  faultproxy.AuthIgnored,
		filter: "auth",
		mustFail: []string{
			"auth rejects a request without a signature: MissingAuthenticationTokenException",
			"auth rejects a signature made with a wrong secret key: InvalidSignatureException",
			"auth rejects an access key the endpoint does not know: UnrecognizedClientException",
			"auth rejects a body changed after signing: InvalidSignatureException",
			"auth rejects a request dated more than 5 minutes ago: InvalidSignatureException, Signature expired",
			"auth rejects a request dated more than 5 minutes ahead: InvalidSignatureException, Signature not yet current",
			"auth rejects a signed header changed after signing: InvalidSignatureException",
			"auth a write with a wrong secret is refused and writes nothing",
			"auth an unsigned request is refused before its table is looked up *",
		},
		mustPass: []string{
			"auth accepts a request signed with the endpoint's credentials",
			"auth accepts an Authorization header whose parameters are separated by commas only",
			"auth accepts a change to a header the client did not sign (User-Agent)",
		},
	},
}

// TestNegativeControls: a suite that cannot tell a broken endpoint from a
// good one proves nothing. Each fault must make its guarding specs fail.
func TestNegativeControls(t *testing.T) {
	t.Parallel()
	upstream := startReference(t)
	for _, c := range controls {
		t.Run(string(c.fault), func(t *testing.T) {
			p, err := faultproxy.Start(upstream, c.fault)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			res := run(t, p.URL(), c.filter, nil)
			for _, want := range c.mustFail {
				matched := 0
				for _, s := range res.Specs {
					if !matches(want, s.Name) {
						continue
					}
					matched++
					if s.State != conformance.Failed {
						t.Errorf("fault %s: spec %q is %s, want failed", c.fault, s.Name, s.State)
					}
				}
				if matched == 0 {
					t.Errorf("fault %s: no spec matches %q", c.fault, want)
				}
			}
			for _, want := range c.mustPass {
				s, ok := res.Find(want)
				if !ok || s.State != conformance.Passed {
					t.Errorf("fault %s: spec %q should be untouched by the fault, got %s: %s", c.fault, want, s.State, s.Failure)
				}
			}
			t.Logf("fault %s: %d of %d selected specs failed", c.fault, res.Count(conformance.Failed), len(res.Specs)-res.Count(conformance.Skipped))
		})
	}
}

func matches(pattern, name string) bool {
	if strings.HasSuffix(pattern, "*") {
		return strings.HasPrefix(name, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == name
}

// TestRunAPI exercises the importable entry point the way another Go
// project would: conformance.Run in its own test process (Run may be called
// once per process; the other tests here use worker processes).
func TestRunAPI(t *testing.T) {
	b, err := conformance.LoadBaseline(filepath.Join("..", "baselines", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	res := conformance.Run(t, conformance.Target{EndpointURL: startReference(t)},
		conformance.Options{Baseline: b, LabelFilter: "numbers || projection", Seed: 7})
	ran := len(res.Specs) - res.Count(conformance.Skipped)
	if ran < 50 {
		t.Errorf("Run ran %d specs of numbers and projection, want at least 50", ran)
	}
	if res.Count(conformance.Skipped) == 0 {
		t.Error("specs outside the label filter must be reported skipped")
	}
}
