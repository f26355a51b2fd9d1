package jepsen

import (
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ddbkit/ddbkit/jepsen/checker"
	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Check runs the workload's checkers on res.History and fills in res's
// verdict, statistics and checker results. opsEnd is when the operation
// phase ended (for the throughput); 0 means the last event's time.
func Check(res *Result, checkTimeout time.Duration, opsEnd time.Duration) {
	ops := res.History.Ops
	pairs := history.Pairs(ops)
	if opsEnd == 0 && len(ops) > 0 {
		opsEnd = time.Duration(ops[len(ops)-1].Time)
	}
	res.Stats = computeStats(pairs, opsEnd)
	res.Faults = history.Windows(ops)
	res.Verdict = Valid
	worse := func(v Verdict) {
		if v == Invalid || (v == Unknown && res.Verdict == Valid) {
			res.Verdict = v
		}
	}
	switch res.Workload {
	case Register:
		reg := checker.CheckRegister(pairs, checker.RegisterOptions{Timeout: checkTimeout})
		res.Register = &reg
		switch reg.Result {
		case porcupine.Illegal:
			worse(Invalid)
		case porcupine.Unknown:
			worse(Unknown)
		}
		st := checker.CheckStaleness(pairs)
		res.Staleness = &st
	case Set:
		s := checker.CheckSet(pairs)
		res.Set = &s
		if len(s.Lost) > 0 || len(s.Unexpected) > 0 || s.StaleCount > 0 {
			worse(Invalid)
		} else if s.Unknown {
			worse(Unknown)
		}
	case Bank:
		res.Cancellations = cancellations(pairs)
		b := checker.CheckBank(pairs, bankOptions(paramInt(res.Params, "accounts")))
		res.Bank = &b
		if b.ErrorCount > 0 {
			worse(Invalid)
		} else if b.Unknown {
			worse(Unknown)
		}
	case ListAppend:
		res.Cancellations = cancellations(pairs)
		la := checker.CheckListAppend(pairs)
		res.ListAppend = &la
		if len(la.Anomalies) > 0 {
			worse(Invalid)
		} else if la.Unknown {
			worse(Unknown)
		}
	case Counter:
		c := checker.CheckCounter(pairs)
		res.Counter = &c
		if c.ErrorCount > 0 {
			worse(Invalid)
		} else if c.Unknown {
			worse(Unknown)
		}
	}
}

// paramInt reads an integer parameter of a run (an int in a live run, a
// float64 in a history read back from JSON).
func paramInt(params map[string]any, name string) int {
	switch v := params[name].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return 0
}
