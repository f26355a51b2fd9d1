package history

import "math"

// Never is the completion time of an operation that never completed, or
// completed with info: it may take effect at any time until the end of the
// universe.
const Never int64 = math.MaxInt64

// Pair is an operation: its invocation and its completion. An operation
// still in flight when the history ended has a completion of type Info at
// time Never.
type Pair struct {
	Invoke   Op
	Complete Op
}

// Type is the completion's type.
func (p Pair) Type() Type { return p.Complete.Type }

// Call and Return are the operation's interval; Return is Never for an
// indeterminate operation.
func (p Pair) Call() int64 { return p.Invoke.Time }

// Return is the completion time, or Never if the completion is Info.
func (p Pair) Return() int64 {
	if p.Complete.Type == Info {
		return Never
	}
	return p.Complete.Time
}

// Pairs matches invocations with completions by process, in invocation
// order. Nemesis events are skipped.
func Pairs(ops []Op) []Pair {
	open := map[int]int{} // process -> index into pairs
	var pairs []Pair
	for _, op := range ops {
		if op.Process == NemesisProcess {
			continue
		}
		if op.Type == Invoke {
			open[op.Process] = len(pairs)
			pairs = append(pairs, Pair{Invoke: op, Complete: Op{
				Type: Info, Process: op.Process, F: op.F, Key: op.Key, Value: op.Value,
				Expect: op.Expect, Txn: op.Txn, Time: Never, Error: "no completion",
			}})
			continue
		}
		i, ok := open[op.Process]
		if !ok {
			continue
		}
		delete(open, op.Process)
		pairs[i].Complete = op
	}
	return pairs
}

// Window is a fault's interval, from the nemesis' events.
type Window struct {
	Fault  string `json:"fault"`
	Target string `json:"target,omitempty"`
	Start  int64  `json:"start"`
	Stop   int64  `json:"stop"`
}

// Windows pairs the nemesis' FaultStart and FaultStop events. A fault never
// stopped ends at the last event's time.
func Windows(ops []Op) []Window {
	var ws []Window
	open := map[string]int{}
	var last int64
	for _, op := range ops {
		last = max(last, op.Time)
		if op.Process != NemesisProcess {
			continue
		}
		id := op.Fault + "/" + op.Target
		switch op.F {
		case FaultStart:
			open[id] = len(ws)
			ws = append(ws, Window{Fault: op.Fault, Target: op.Target, Start: op.Time, Stop: -1})
		case FaultStop:
			if i, ok := open[id]; ok {
				ws[i].Stop = op.Time
				delete(open, id)
			}
		}
	}
	for i := range ws {
		if ws[i].Stop < 0 {
			ws[i].Stop = last
		}
	}
	return ws
}
