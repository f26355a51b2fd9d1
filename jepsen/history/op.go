package history

import "fmt"

// Type is the kind of an event: an invocation or one of the three
// completions.
type Type string

// The event types.
const (
	Invoke Type = "invoke"
	OK     Type = "ok"
	Fail   Type = "fail"
	Info   Type = "info"
)

// Func names what an operation does.
type Func string

// The operations of the workloads.
const (
	// Read is a ConsistentRead GetItem of a register, set or counter.
	Read Func = "read"
	// ReadEC is an eventually consistent GetItem (ConsistentRead=false).
	ReadEC Func = "read-ec"
	// Write is an unconditional PutItem of a register.
	Write Func = "write"
	// CAS is a conditional UpdateItem: set the register to Value if it
	// currently holds Expect.
	CAS Func = "cas"
	// Add adds the element Value to a set (UpdateItem ADD on a number set).
	Add Func = "add"
	// Incr adds Value to a counter (UpdateItem ADD on a number).
	Incr Func = "incr"
	// FaultStart and FaultStop are the nemesis' events (Process NemesisProcess).
	FaultStart Func = "fault-start"
	FaultStop  Func = "fault-stop"
)

// NemesisProcess is the process number of the nemesis' events.
const NemesisProcess = -1

// Op is one event of a history. An invocation and its completion share
// Process, F and Key; the completion carries the result.
type Op struct {
	// Index is the event's position in the history (0-based).
	Index int `json:"index"`
	// Type is invoke, ok, fail or info.
	Type Type `json:"type"`
	// Process is the logical client that issued the operation. A client whose
	// operation ended in info is treated as crashed (it may still be in
	// flight) and continues as a new process, as in Jepsen, so every process
	// runs one operation at a time.
	Process int `json:"process"`
	// F is what the operation does.
	F Func `json:"f"`
	// Key is the register/set/counter the operation touches.
	Key int `json:"key"`
	// Value is the written value, the CAS's new value, the added element or
	// the increment; for an ok read, the value read (nil: no item).
	Value *int64 `json:"value,omitempty"`
	// Expect is the value a CAS expects.
	Expect *int64 `json:"expect,omitempty"`
	// Values is the content of a set read.
	Values []int64 `json:"values,omitempty"`
	// Txn is the micro-operations of a transaction (Transfer, ReadAll, Txn),
	// with the reads' results in an ok completion.
	Txn []Mop `json:"txn,omitempty"`
	// Final marks the reads made after the run, once faults are healed.
	Final bool `json:"final,omitempty"`
	// Time is nanoseconds since the start of the run (monotonic clock).
	Time int64 `json:"time"`
	// Error is the error text of a fail or info completion.
	Error string `json:"error,omitempty"`
	// Fault names the nemesis fault of FaultStart/FaultStop events, and
	// Target what it was applied to (a zone, a node).
	Fault  string `json:"fault,omitempty"`
	Target string `json:"target,omitempty"`
}

// Int returns a pointer to v, for Op.Value and Op.Expect.
func Int(v int64) *int64 { return &v }

func (o Op) String() string {
	s := fmt.Sprintf("%d %s p%d %s k%d", o.Index, o.Type, o.Process, o.F, o.Key)
	if o.Expect != nil {
		s += fmt.Sprintf(" expect=%d", *o.Expect)
	}
	if o.Value != nil {
		s += fmt.Sprintf(" value=%d", *o.Value)
	}
	if o.Values != nil {
		s += fmt.Sprintf(" values=%d", len(o.Values))
	}
	if o.Txn != nil {
		s += " " + TxnString(o.Txn)
	}
	if o.Error != "" {
		s += " err=" + o.Error
	}
	return s
}
