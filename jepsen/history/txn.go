package history

import (
	"fmt"
	"strings"
)

// The transactional operations (bank and list-append workloads). Their
// micro-operations are in Op.Txn.
const (
	// Transfer moves an amount between two bank accounts in one
	// TransactWriteItems: Txn is [debit from, credit to].
	Transfer Func = "transfer"
	// ReadAll reads every bank account in one TransactGetItems: Txn holds one
	// read per account, with the balance (nil: no item) in an ok completion.
	ReadAll Func = "read-all"
	// Txn is a list-append transaction: only appends (TransactWriteItems) or
	// only reads (TransactGetItems), as DynamoDB's transactions are one or
	// the other.
	Txn Func = "txn"
)

// MopFunc names a micro-operation of a transaction.
type MopFunc string

// The micro-operations.
const (
	// MopRead reads a key: a bank balance in Value, a list in List.
	MopRead MopFunc = "r"
	// MopAppend appends the element Value to the list at Key.
	MopAppend MopFunc = "append"
	// MopDebit and MopCredit take Value from / give Value to account Key.
	MopDebit  MopFunc = "debit"
	MopCredit MopFunc = "credit"
)

// Mop is one micro-operation of a transaction. In an invocation reads have
// no result; in an ok completion a list read's List is the list read (an
// empty, non-nil slice when the key held nothing) and a balance read's
// Value the balance (nil when the account's item was missing).
type Mop struct {
	F     MopFunc `json:"f"`
	Key   int     `json:"key"`
	Value *int64  `json:"value,omitempty"`
	List  []int64 `json:"list"`
}

func (m Mop) String() string {
	switch {
	case m.F == MopRead && m.List != nil:
		return fmt.Sprintf("r k%d %v", m.Key, m.List)
	case m.Value != nil:
		return fmt.Sprintf("%s k%d %d", m.F, m.Key, *m.Value)
	}
	return fmt.Sprintf("%s k%d", m.F, m.Key)
}

// TxnString renders a transaction's micro-operations for humans.
func TxnString(txn []Mop) string {
	parts := make([]string, len(txn))
	for i, m := range txn {
		parts[i] = m.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// CloneTxn copies a transaction deeply (lists included), so an invocation
// and its completion never share a result.
func CloneTxn(txn []Mop) []Mop {
	if txn == nil {
		return nil
	}
	out := make([]Mop, len(txn))
	for i, m := range txn {
		if m.List != nil {
			m.List = append(make([]int64, 0, len(m.List)), m.List...)
		}
		out[i] = m
	}
	return out
}
