package partition

import (
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Op is the kind of a write command.
type Op uint8

// Write commands.
const (
	OpPut    Op = iota + 1 // replace the whole item
	OpDelete               // delete the item
	OpUpdate               // apply an update expression (creating the item if absent)
	OpCheck                // evaluate the condition only (ConditionCheck)
)

// Command is one deterministic write. It is self-contained: expressions travel
// as text with their attribute names and values, so a replica can re-parse
// them; Prepare caches the parsed form when the command is applied where it
// was built.
type Command struct {
	// ID identifies the request; a command whose ID was already applied
	// returns the first result again instead of applying twice.
	ID        string                 `json:"id,omitempty"`
	Op        Op                     `json:"op"`
	Key       value.Item             `json:"key"`
	Item      value.Item             `json:"item,omitempty"`
	Condition string                 `json:"cond,omitempty"`
	Update    string                 `json:"upd,omitempty"`
	Names     map[string]string      `json:"names,omitempty"`
	Values    map[string]value.Value `json:"values,omitempty"`
	// The legacy parameters, for requests that use them instead of
	// expressions (Expected + ConditionalOperator, AttributeUpdates).
	Expected         map[string]expr.LegacyCondition `json:"expected,omitempty"`
	CondOp           string                          `json:"condOp,omitempty"`
	AttributeUpdates map[string]expr.AttributeUpdate `json:"attrUpdates,omitempty"`
	// Txn, when set, makes the command one step of a transaction (txn.go).
	Txn *TxnStep `json:"txn,omitempty"`

	cond *expr.Condition
	upd  *expr.Update
}

// Prepare parses the command's expressions (once) and returns the first
// error. The api layer calls it before proposing, so that a malformed
// expression is rejected before anything is written.
func (c *Command) Prepare() error {
	if c.cond != nil || c.upd != nil {
		return nil
	}
	var err error
	if c.Expected != nil {
		if c.cond, err = expr.ExpectedToCondition(c.Expected, c.CondOp); err != nil {
			return err
		}
	}
	if c.AttributeUpdates != nil {
		if c.upd, err = expr.AttributeUpdatesToUpdate(c.AttributeUpdates); err != nil {
			return err
		}
	}
	p := expr.NewParams(c.Names, c.Values)
	if c.Condition != "" {
		if c.cond, err = p.ParseCondition(c.Condition); err != nil {
			return err
		}
	}
	if c.Update != "" {
		if c.upd, err = p.ParseUpdate(c.Update); err != nil {
			return err
		}
	}
	return nil
}

// SetParsed installs already parsed expressions (the api layer parses them
// together with the request's other expressions to check unused names).
func (c *Command) SetParsed(cond *expr.Condition, upd *expr.Update) {
	c.cond, c.upd = cond, upd
}

// Result is the outcome of applying a command: the item before and after
// (nil when absent), or the error that stopped it (a conditional check
// failure, an update that failed on the stored item). A failed command
// changes nothing.
//
// Collection is, for a Put, Update or Delete that succeeded on a table with
// local secondary indexes, the size in bytes of the item collection of the
// command's partition key once the write is applied (collection.go): what
// ReturnItemCollectionMetrics reports. A transaction's prepare reports the
// size its write alone would leave. It is 0 otherwise.
type Result struct {
	Old, New   value.Item
	Err        error
	Collection int64
}
