package results

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// SchemaVersion identifies the results.json layout.
const SchemaVersion = 1

// Run is one results.json: one workload run against one or more targets.
type Run struct {
	Schema      int               `json:"schema"`
	Tool        string            `json:"tool"` // "ddbkit bench"
	Started     time.Time         `json:"started"`
	Workload    Workload          `json:"workload"`
	Settings    Settings          `json:"settings"`
	Environment []Environment     `json:"environment"` // one per machine (several after a merge)
	Targets     []Target          `json:"targets"`
	Notes       []string          `json:"notes,omitempty"`
	Extra       map[string]string `json:"extra,omitempty"`
}

// Workload names the workload and records every effective property.
type Workload struct {
	Name       string            `json:"name"`
	Properties map[string]string `json:"properties"` // as given (file + -p overrides)
	Effective  map[string]string `json:"effective"`  // with CoreWorkload's defaults filled in
}

// Settings are the load-generator settings shared by all targets.
type Settings struct {
	Client      string  `json:"client"`       // lean | sdk
	Mode        string  `json:"mode"`         // closed | open
	Concurrency int     `json:"concurrency"`  // workers
	Rate        float64 `json:"rate"`         // open loop: intended ops/s (0 in closed loop)
	Arrival     string  `json:"arrival"`      // open loop: poisson | constant
	MaxLagMs    float64 `json:"max_lag_ms"`   // open loop: a start later than this is missed
	Operations  int64   `json:"operations"`   // bound on operations (0: none)
	DurationSec float64 `json:"duration_sec"` // bound on time (0: none)
	Seed        uint64  `json:"seed"`
	Load        bool    `json:"load"` // whether the load phase ran
	Shard       string  `json:"shard,omitempty"`
}

// Environment describes the machine that generated the load.
type Environment struct {
	Host      string   `json:"host"`
	OS        string   `json:"os"`
	Arch      string   `json:"arch"`
	CPU       string   `json:"cpu"`
	Cores     int      `json:"cores"`
	GoVersion string   `json:"go_version"`
	Commit    string   `json:"commit"`
	Args      []string `json:"args"`
}

// Target is the result against one endpoint.
type Target struct {
	Name     string   `json:"name"`
	Endpoint string   `json:"endpoint"`
	Load     *Phase   `json:"load,omitempty"`
	Run      Phase    `json:"run"`
	Verdicts []string `json:"verdicts,omitempty"` // e.g. "open-loop rate not sustained"
}

// Phase is the load or run phase against one target.
type Phase struct {
	ElapsedSec float64 `json:"elapsed_sec"`
	Operations int64   `json:"operations"` // completed (ok + errors)
	OpsPerSec  float64 `json:"ops_per_sec"`
	// Open loop: the schedule's intended rate, the rate achieved, and the
	// starts missed because the endpoint (or the driver) fell behind.
	IntendedRate  float64 `json:"intended_rate,omitempty"`
	Scheduled     int64   `json:"scheduled,omitempty"`
	MissedStarts  int64   `json:"missed_starts,omitempty"`
	MaxStartLagUs int64   `json:"max_start_lag_us,omitempty"`
	Ops           []Op    `json:"ops"`
	Timeline      []Tick  `json:"timeline"`
}

// Op is one operation type's result.
type Op struct {
	Name       string           `json:"name"` // READ, UPDATE, ...
	Count      int64            `json:"count"`
	OK         int64            `json:"ok"`
	Errors     int64            `json:"errors"`    // all failures, throttles included
	Throttles  int64            `json:"throttles"` // failures that were throttles
	ErrorTypes map[string]int64 `json:"error_types,omitempty"`
	OpsPerSec  float64          `json:"ops_per_sec"`
	// Latency of successful operations, from the intended start (open
	// loop) or the actual start (closed loop), in microseconds.
	Latency Stats `json:"latency_us"`
	// Service time: from the actual send to the response.
	Service Stats `json:"service_us"`
	// Histograms: HdrHistogram V2 compressed, base64 (µs, 1 µs .. 1 h, 3 digits).
	LatencyHist string `json:"latency_hist"`
	ServiceHist string `json:"service_hist"`
	// Extra counters of the operation (items returned, unprocessed, conflicts...).
	Counters map[string]int64 `json:"counters,omitempty"`
}

// Stats summarises a histogram in microseconds.
type Stats struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	Min   int64   `json:"min"`
	P50   int64   `json:"p50"`
	P90   int64   `json:"p90"`
	P99   int64   `json:"p99"`
	P999  int64   `json:"p99_9"`
	P9999 int64   `json:"p99_99"`
	Max   int64   `json:"max"`
}

// Tick is one second of the run.
type Tick struct {
	Second int              `json:"t"`      // seconds since the phase started
	Ops    int64            `json:"ops"`    // operations completed in this second
	Errors int64            `json:"errors"` // of which failed
	P50    int64            `json:"p50_us"` // over all operation types
	P99    int64            `json:"p99_us"`
	Max    int64            `json:"max_us"`
	PerOp  map[string]int64 `json:"per_op,omitempty"` // completed per operation type
	Hist   string           `json:"hist,omitempty"`   // this second's latency histogram (all ops)
}

// Read loads a results.json.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("results: %s: schema %d, want %d", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}

// Write stores r as indented JSON.
func Write(path string, r *Run) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}
