package jepsen

import (
	"github.com/ddbkit/ddbkit/jepsen/checker"
	"github.com/ddbkit/ddbkit/jepsen/history"
	"github.com/ddbkit/ddbkit/jepsen/nemesis"
)

// Verdict is a run's outcome.
type Verdict string

// The verdicts.
const (
	// Valid: no violation found.
	Valid Verdict = "valid"
	// Invalid: the checker found a violation.
	Invalid Verdict = "invalid"
	// Unknown: the history could not be fully checked (porcupine timed out,
	// or an object had no successful final read).
	Unknown Verdict = "unknown"
)

// Result is everything a run established.
type Result struct {
	Verdict  Verdict        `json:"verdict"`
	Workload string         `json:"workload"`
	Seed     int64          `json:"seed"`
	Endpoint string         `json:"endpoint,omitempty"`
	Table    string         `json:"table"`
	Params   map[string]any `json:"params"`
	// Schedule is the planned faults; Faults what actually happened.
	Schedule nemesis.Schedule `json:"schedule"`
	Faults   []history.Window `json:"faults"`
	// HealError is set when the system did not heal in time.
	HealError string `json:"heal_error,omitempty"`
	// Replicas is "equal" when every partition's replicas had equal digests
	// after the run, "not checked" for endpoints that cannot tell, or the
	// divergence found.
	Replicas string `json:"replicas"`
	Stats    Stats  `json:"stats"`

	Register   *checker.RegisterResult   `json:"register,omitempty"`
	Staleness  *checker.StalenessResult  `json:"staleness,omitempty"`
	Set        *checker.SetResult        `json:"set,omitempty"`
	Counter    *checker.CounterResult    `json:"counter,omitempty"`
	Bank       *checker.BankResult       `json:"bank,omitempty"`
	ListAppend *checker.ListAppendResult `json:"list_append,omitempty"`
	// Cancellations counts why transactional operations failed (reason
	// codes of TransactionCanceledException, and the like).
	Cancellations map[string]int `json:"cancellations,omitempty"`

	// History is the recorded history (not in results.json: see
	// history.jsonl).
	History history.History `json:"-"`
}
