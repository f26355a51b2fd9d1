package checker

import (
	"fmt"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// BankOptions describe the bank: how many accounts, the total they hold,
// and whether a balance may go negative.
type BankOptions struct {
	Accounts      int   `json:"accounts"`
	Total         int64 `json:"total"`
	AllowNegative bool  `json:"allow_negative,omitempty"`
}

// BankResult is the bank checker's verdict.
type BankResult struct {
	Valid bool `json:"valid"`
	// Unknown: no final read succeeded, so the state after the run was not
	// judged.
	Unknown bool        `json:"unknown,omitempty"`
	Options BankOptions `json:"options"`
	// Transfers by outcome, and successful reads (final ones included).
	TransfersOK     int `json:"transfers_ok"`
	TransfersFailed int `json:"transfers_failed"`
	TransfersInfo   int `json:"transfers_info"`
	Reads           int `json:"reads"`
	FinalReads      int `json:"final_reads"`
	// Errors are the reads that saw money created or destroyed, a negative
	// balance, or a missing account (at most 20 listed).
	Errors     []BankError `json:"errors,omitempty"`
	ErrorCount int         `json:"error_count"`
}

// BankError is one read that cannot come from any serial order of
// transfers.
type BankError struct {
	Read     int      `json:"read"` // index of the read's invocation
	Final    bool     `json:"final,omitempty"`
	Kind     string   `json:"kind"` // wrong-total, negative, missing, unexpected-account
	Balances []*int64 `json:"balances"`
	Total    int64    `json:"total"`
}

func (e BankError) String() string {
	bs := make([]string, len(e.Balances))
	for i, b := range e.Balances {
		bs[i] = "nil"
		if b != nil {
			bs[i] = fmt.Sprint(*b)
		}
	}
	final := ""
	if e.Final {
		final = " (final)"
	}
	return fmt.Sprintf("%s: read #%d%s balances %v sum %d", e.Kind, e.Read, final, bs, e.Total)
}

// CheckBank checks the bank workload: every successful read of all the
// accounts (history.ReadAll, a TransactGetItems) must see every account,
// balances summing to the total, none negative unless allowed — during the
// run and in the final reads after healing. Transfers conserve money, so any
// serializable execution satisfies this; a read that does not was either
// torn (items read at different times) or saw a partly applied transfer.
func CheckBank(pairs []history.Pair, o BankOptions) BankResult {
	res := BankResult{Options: o}
	for _, p := range pairs {
		switch p.Invoke.F {
		case history.Transfer:
			switch p.Type() {
			case history.OK:
				res.TransfersOK++
			case history.Fail:
				res.TransfersFailed++
			default:
				res.TransfersInfo++
			}
		case history.ReadAll:
			if p.Type() != history.OK {
				continue
			}
			res.Reads++
			if p.Invoke.Final {
				res.FinalReads++
			}
			for _, e := range bankErrors(p, o) {
				res.ErrorCount++
				if len(res.Errors) < maxListed {
					res.Errors = append(res.Errors, e)
				}
			}
		}
	}
	res.Unknown = res.FinalReads == 0
	res.Valid = res.ErrorCount == 0 && !res.Unknown
	return res
}

// bankErrors judges one successful read (at most one error per kind).
func bankErrors(p history.Pair, o BankOptions) []BankError {
	mk := func(kind string, balances []*int64, total int64) BankError {
		return BankError{Read: p.Invoke.Index, Final: p.Invoke.Final, Kind: kind, Balances: balances, Total: total}
	}
	balances := make([]*int64, o.Accounts)
	var errs []BankError
	for _, m := range p.Complete.Txn {
		if m.Key < 0 || m.Key >= o.Accounts {
			errs = append(errs, mk("unexpected-account", nil, 0))
			continue
		}
		balances[m.Key] = m.Value
	}
	var total int64
	missing, negative := false, false
	for _, b := range balances {
		if b == nil {
			missing = true
			continue
		}
		total += *b
		negative = negative || *b < 0
	}
	if missing {
		errs = append(errs, mk("missing", balances, total))
	}
	if total != o.Total {
		errs = append(errs, mk("wrong-total", balances, total))
	}
	if negative && !o.AllowNegative {
		errs = append(errs, mk("negative", balances, total))
	}
	return errs
}

func (r BankResult) String() string {
	return fmt.Sprintf("bank (conserved total %d over %d accounts): %s — transfers ok %d, failed %d, indeterminate %d; %d reads checked (%d final), %d bad",
		r.Options.Total, r.Options.Accounts, verdictWord(r.Valid, r.Unknown), r.TransfersOK, r.TransfersFailed, r.TransfersInfo, r.Reads, r.FinalReads, r.ErrorCount)
}

func verdictWord(valid, unknown bool) string {
	switch {
	case valid:
		return "valid"
	case unknown:
		return "unknown"
	}
	return "INVALID"
}
