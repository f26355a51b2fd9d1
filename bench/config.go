package bench

import (
	"fmt"
	"io"
	"time"

	"github.com/ddbkit/ddbkit/workloads"
)

// Target is one endpoint to benchmark.
type Target struct {
	Name string
	URL  string // "" = AWS DynamoDB (default credential chain)
}

// Config is one benchmark invocation.
type Config struct {
	WorkloadName string
	Properties   workloads.Properties // file properties with overrides applied
	Spec         workloads.Spec

	Targets []Target
	Region  string
	Client  string // lean | lean-nethttp | sdk

	Concurrency int           // workers (closed loop) or maximum in flight (open loop)
	Rate        float64       // > 0: open loop at this many ops/s
	Arrival     string        // poisson | constant
	MaxLag      time.Duration // open loop: an operation starting later than this is a missed start
	Operations  int64         // run-phase bound on operations (0: none)
	Duration    time.Duration // run-phase bound on time (0: none)
	OpTimeout   time.Duration // per-operation timeout
	Seed        uint64

	Load            bool // run the load phase
	LoadConcurrency int

	Out      string    // directory for results.json, report.md, report.html and interval logs ("" = none)
	Progress io.Writer // live progress line (nil = none)
	TTY      bool      // progress rewrites one line ("\r") instead of printing lines
	Args     []string  // command line, recorded in the environment
	Commit   string    // git commit of the tool, recorded

	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if len(c.Targets) == 0 {
		return fmt.Errorf("bench: no target")
	}
	if c.Concurrency < 1 {
		c.Concurrency = 16
	}
	if c.LoadConcurrency < 1 {
		c.LoadConcurrency = 16
	}
	if c.Client == "" {
		c.Client = "lean"
	}
	if c.Arrival == "" {
		c.Arrival = "poisson"
	}
	if c.Arrival != "poisson" && c.Arrival != "constant" {
		return fmt.Errorf("bench: arrival %q: want poisson or constant", c.Arrival)
	}
	if c.MaxLag <= 0 {
		c.MaxLag = time.Second
	}
	if c.OpTimeout <= 0 {
		c.OpTimeout = 30 * time.Second
	}
	if c.Rate < 0 {
		return fmt.Errorf("bench: negative rate")
	}
	if c.Operations == 0 && c.Duration == 0 {
		return fmt.Errorf("bench: the run needs a bound: operations and/or duration")
	}
	names := map[string]bool{}
	for _, t := range c.Targets {
		if names[t.Name] {
			return fmt.Errorf("bench: target name %q used twice", t.Name)
		}
		names[t.Name] = true
	}
	return nil
}
