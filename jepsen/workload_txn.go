package jepsen

import (
	"math/rand/v2"

	"github.com/ddbkit/ddbkit/jepsen/checker"
	"github.com/ddbkit/ddbkit/jepsen/history"
)

// The bank: every account (key 0..Keys-1) opens with OpeningBalance, and
// transfers move 1..MaxTransfer between two of them, never overdrawing.
const (
	OpeningBalance = 10
	MaxTransfer    = 5
	// maxTxnKeys bounds the keys of one list-append transaction.
	maxTxnKeys = 4
)

// bankOptions is the bank of a run with this many accounts.
func bankOptions(accounts int) checker.BankOptions {
	return checker.BankOptions{Accounts: accounts, Total: int64(accounts) * OpeningBalance}
}

// bankOp is a transfer between two distinct accounts or a read of every
// account, half and half (reads conflict with in-flight transfers and are
// often canceled under faults). Accounts never retire.
func (g *generator) bankOp(rng *rand.Rand) history.Op {
	n := len(g.slots)
	if rng.IntN(2) == 0 || n < 2 {
		return g.readAll(n)
	}
	from := rng.IntN(n)
	to := (from + 1 + rng.IntN(n-1)) % n
	amount := history.Int(1 + rng.Int64N(MaxTransfer))
	return history.Op{F: history.Transfer, Txn: []history.Mop{
		{F: history.MopDebit, Key: from, Value: amount},
		{F: history.MopCredit, Key: to, Value: amount},
	}}
}

func (g *generator) readAll(accounts int) history.Op {
	txn := make([]history.Mop, accounts)
	for i := range txn {
		txn[i] = history.Mop{F: history.MopRead, Key: i}
	}
	return history.Op{F: history.ReadAll, Txn: txn}
}

// listAppendOp is a transaction over 1..4 distinct active keys: either
// appends of fresh unique elements (a TransactWriteItems) or reads (a
// TransactGetItems), half and half. A key retires after perKey
// transactions touched it, so lists (and reads) stay short.
func (g *generator) listAppendOp(rng *rand.Rand) history.Op {
	write := rng.IntN(2) == 0
	g.mu.Lock()
	width := 1 + rng.IntN(min(maxTxnKeys, len(g.slots)))
	picks := rng.Perm(len(g.slots))[:width]
	keys := make([]int, width)
	for i, s := range picks {
		k := g.slots[s]
		keys[i] = k
		g.counts[k]++
		if g.perKey > 0 && g.counts[k] >= g.perKey {
			g.slots[s] = g.nextK
			g.used = append(g.used, g.nextK)
			g.nextK++
		}
	}
	g.mu.Unlock()
	txn := make([]history.Mop, width)
	for i, k := range keys {
		if write {
			txn[i] = history.Mop{F: history.MopAppend, Key: k, Value: history.Int(g.unique())}
		} else {
			txn[i] = history.Mop{F: history.MopRead, Key: k}
		}
	}
	return history.Op{F: history.Txn, Txn: txn}
}

// finalOps are the reads after the run: for the bank one read of every
// account, for list-append one read per key used, for the others a
// consistent GetItem per key.
func (g *generator) finalOps() []history.Op {
	switch g.workload {
	case Bank:
		return []history.Op{g.readAll(len(g.slots))}
	case ListAppend:
		var ops []history.Op
		for _, k := range g.keys() {
			ops = append(ops, history.Op{F: history.Txn, Txn: []history.Mop{{F: history.MopRead, Key: k}}})
		}
		return ops
	}
	var ops []history.Op
	for _, k := range g.keys() {
		ops = append(ops, history.Op{F: history.Read, Key: k})
	}
	return ops
}
