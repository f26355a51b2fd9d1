package jepsen

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ddbkit/ddbkit/jepsen/nemesis"
)

// Config describes a run.
type Config struct {
	// Workload is register, set or counter.
	Workload string
	// DB is the client of the endpoint under test. It should have the SDK's
	// retries off (internal/target does that) and a per-request timeout
	// shorter than OpTimeout, or none.
	DB *dynamodb.Client
	// Endpoint names the endpoint, for the record.
	Endpoint string
	// Table is created fresh for the run (default ddbkit_jepsen_<workload>_<seed>_<unix time>).
	Table string
	// KeepTable leaves the table in place after the run.
	KeepTable bool

	// Clients is the number of concurrent clients (default 10).
	Clients int
	// Keys is the number of objects operated on at a time (default 10).
	Keys int
	// OpsPerKey retires a register key after this many operations for a
	// fresh one (default 300; 0 keeps the default, negative never retires).
	OpsPerKey int
	// Rate bounds the total operations per second (default 100).
	Rate float64
	// Duration bounds the run's operation phase (default 60s) and MaxOps
	// its number of operations (default Rate × Duration × 2).
	Duration time.Duration
	MaxOps   int
	// OpTimeout bounds each request (default 1s); a request that exceeds it
	// is indeterminate (info).
	OpTimeout time.Duration
	// ECReads is the fraction of register reads that are eventually
	// consistent (default 0.1; negative: none).
	ECReads float64

	// Seed makes the operations, their keys and values, and the fault
	// schedule reproducible (not the database's timing).
	Seed int64

	// Nemesis injects Faults (names it supports) on a schedule generated
	// from Seed with Schedule's options. Default: no faults.
	Nemesis  nemesis.Nemesis
	Faults   []string
	Schedule nemesis.ScheduleOptions

	// Converge, when set (our own clusters), is called after the final
	// reads and must return nil once every replica of every partition has
	// the same digest; an error (within HealTimeout) makes the run invalid:
	// replicas that disagree after healing have diverged.
	Converge func(ctx context.Context) error

	// HealTimeout bounds heal + wait for health (default 60s); FinalTimeout
	// bounds the final reads (default 60s); CheckTimeout bounds porcupine
	// (default 5m; a timeout makes the verdict unknown).
	HealTimeout, FinalTimeout, CheckTimeout time.Duration

	Log *slog.Logger
}

func (c *Config) defaults() error {
	if c.DB == nil {
		return fmt.Errorf("jepsen: no DynamoDB client")
	}
	if c.Clients <= 0 {
		c.Clients = 10
	}
	if c.Keys <= 0 {
		c.Keys = 10
	}
	if c.OpsPerKey == 0 {
		c.OpsPerKey = 300
	}
	if c.Rate <= 0 {
		c.Rate = 100
	}
	if c.Duration <= 0 {
		c.Duration = 60 * time.Second
	}
	if c.MaxOps <= 0 {
		c.MaxOps = max(1, int(2*c.Rate*c.Duration.Seconds()))
	}
	if c.OpTimeout <= 0 {
		c.OpTimeout = time.Second
	}
	if c.ECReads == 0 {
		c.ECReads = 0.1
	}
	if c.ECReads < 0 {
		c.ECReads = 0
	}
	if c.Nemesis == nil {
		c.Nemesis = nemesis.None{}
	}
	if c.HealTimeout <= 0 {
		c.HealTimeout = 60 * time.Second
	}
	if c.FinalTimeout <= 0 {
		c.FinalTimeout = 60 * time.Second
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = 5 * time.Minute
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Table == "" {
		c.Table = fmt.Sprintf("ddbkit_jepsen_%s_%d_%d", c.Workload, c.Seed, time.Now().Unix())
	}
	return nil
}
