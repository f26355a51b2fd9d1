package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/txn"
	"github.com/ddbkit/ddbkit/reference/value"
)

// TransactWriteItems and TransactGetItems. Sources: their API reference
// pages, Developer Guide "Amazon DynamoDB Transactions: How it works"
// (100 actions, 4 MB, one action per item, capacity: each item is read or
// written twice, so transactions consume twice the units). The protocol
// itself is package txn's.

const (
	maxTransactItems = 100
	maxTransactBytes = 4 << 20
)

// Messages of request-level transaction errors. msgTxnDuplicate follows
// DynamoDB; msgTxnOneAction and msgTxnTooLarge are not verified against
// DynamoDB's exact wording.
const (
	msgTxnDuplicate = "Transaction request cannot include multiple operations on one item"
	msgTxnOneAction = "TransactItems can only contain one of Check, Put, Update or Delete"
	msgTxnTooLarge  = "Transaction size has exceeded the maximum allowed size of 4 MB"
)

type txnAction struct {
	TableName                           *string
	Key                                 value.WireItem
	Item                                value.WireItem
	ConditionExpression                 *string
	UpdateExpression                    *string
	ReturnValuesOnConditionCheckFailure *string
	exprRequest
}

type transactWriteItem struct {
	ConditionCheck *txnAction
	Put            *txnAction
	Delete         *txnAction
	Update         *txnAction
}

type transactWriteInput struct {
	TransactItems               []transactWriteItem
	ReturnConsumedCapacity      *string
	ReturnItemCollectionMetrics *string
	ClientRequestToken          *string
}

func (h *Handler) transactWriteItems(ctx context.Context, body []byte) (any, error) {
	var in transactWriteInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	switch {
	case in.TransactItems == nil:
		c.notNull("transactItems", false)
	case len(in.TransactItems) == 0:
		c.add("'[]'", "transactItems", "Member must have length greater than or equal to 1")
	case len(in.TransactItems) > maxTransactItems:
		c.add(quote(fmt.Sprintf("%d items", len(in.TransactItems))), "transactItems", "Member must have length less than or equal to 100")
	}
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, "SIZE", "NONE")
	if tok := in.ClientRequestToken; tok != nil {
		if len(*tok) < 1 {
			c.add(quote(*tok), "clientRequestToken", "Member must have length greater than or equal to 1")
		} else if len(*tok) > 36 {
			c.add(quote(*tok), "clientRequestToken", "Member must have length less than or equal to 36")
		}
	}
	for i, ti := range in.TransactItems {
		p := fmt.Sprintf("transactItems.%d.member.", i+1)
		for _, a := range []struct {
			name string
			act  *txnAction
		}{{"conditionCheck", ti.ConditionCheck}, {"put", ti.Put}, {"delete", ti.Delete}, {"update", ti.Update}} {
			if a.act == nil {
				continue
			}
			c.tableName(p+a.name+".tableName", a.act.TableName)
			c.enum(p+a.name+".returnValuesOnConditionCheckFailure", a.act.ReturnValuesOnConditionCheckFailure, "ALL_OLD", "NONE")
			switch a.name {
			case "put":
				c.notNull(p+"put.item", a.act.Item != nil)
			case "update":
				c.notNull(p+"update.key", a.act.Key != nil)
				c.notNull(p+"update.updateExpression", a.act.UpdateExpression != nil)
			case "conditionCheck":
				c.notNull(p+"conditionCheck.key", a.act.Key != nil)
				c.notNull(p+"conditionCheck.conditionExpression", a.act.ConditionExpression != nil)
			case "delete":
				c.notNull(p+"delete.key", a.act.Key != nil)
			}
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}

	writes := make([]txn.Write, len(in.TransactItems))
	seen := map[string]bool{}
	total := 0
	// An action whose item does not fit the table (key attributes missing
	// or of the wrong type, index keys, item size) cancels the transaction
	// with a ValidationError reason for that action, as DynamoDB does;
	// malformed requests are ValidationExceptions.
	reasons := make([]txn.Reason, len(in.TransactItems))
	itemInvalid := false
	for i, ti := range in.TransactItems {
		reasons[i] = txn.Reason{Code: txn.CodeNone}
		w, size, err := h.txnWrite(ti)
		var ie *itemError
		if errors.As(err, &ie) {
			reasons[i] = txn.Reason{Code: txn.CodeValidationError, Message: ie.msg}
			itemInvalid = true
			continue
		}
		if err != nil {
			return nil, err
		}
		total += size
		if total > maxTransactBytes {
			return nil, ddberr.Validationf(msgTxnTooLarge)
		}
		id := w.Table.Name + "\x00" + string(w.Table.Schema.Key(w.Cmd.Key))
		if seen[id] {
			return nil, ddberr.Validationf(msgTxnDuplicate)
		}
		seen[id] = true
		writes[i] = w
	}
	if itemInvalid {
		return nil, txn.Canceled(reasons)
	}

	var token, hash string
	if in.ClientRequestToken != nil {
		token = *in.ClientRequestToken
		var err error
		if hash, err = canonicalHash(body, "TransactItems"); err != nil {
			return nil, err
		}
		cached, err := h.tokens.Begin(ctx, token, hash)
		if err != nil {
			return nil, err
		}
		if cached != nil {
			return rawJSON(cached), nil
		}
	}
	results, err := h.txn.Write(ctx, writes)
	if err != nil {
		if token != "" {
			if aerr := h.tokens.Abort(ctx, token, hash); aerr != nil {
				h.log.Warn("release client request token", "err", aerr)
			}
		}
		return nil, err
	}
	units := map[string]float64{}
	var colls collectionMetrics
	for i, w := range writes {
		r := results[i]
		units[w.Table.Name] += 2 * writeUnits(max(itemSize(r.Old), itemSize(r.New)))
		if w.Cmd.Op != partition.OpCheck && collectionMetricsAsked(in.ReturnItemCollectionMetrics, w.Table) {
			// Each prepare reported the size its own write leaves; the
			// collection ends with all of them: the first size plus what
			// each further write to it changes.
			colls.add(w.Table, w.Cmd.Key[w.Table.Schema.HashKey], r.Collection, func(prev, _ int64) int64 {
				return prev + w.Table.Schema.CollectionFootprint(r.New) - w.Table.Schema.CollectionFootprint(r.Old)
			})
		}
	}
	b := appendTxnCapacity([]byte{'{'}, in.ReturnConsumedCapacity, units, "WriteCapacityUnits")
	resp := rawJSON(append(colls.appendTo(b), '}'))
	if token != "" {
		if err := h.tokens.Finish(ctx, token, hash, resp); err != nil {
			// The transaction committed; only its idempotency record is
			// missing, so a retry would run it again. Say so in the log.
			h.log.Warn("store client request token", "err", err)
		}
	}
	return resp, nil
}

// txnWrite validates one action and builds its command; size is what the
// action counts toward the 4 MB limit.
func (h *Handler) txnWrite(ti transactWriteItem) (w txn.Write, size int, err error) {
	n := 0
	var a *txnAction
	var op partition.Op
	for _, x := range []struct {
		act *txnAction
		op  partition.Op
	}{{ti.ConditionCheck, partition.OpCheck}, {ti.Put, partition.OpPut}, {ti.Delete, partition.OpDelete}, {ti.Update, partition.OpUpdate}} {
		if x.act != nil {
			n++
			a, op = x.act, x.op
		}
	}
	if n != 1 {
		return w, 0, ddberr.Validationf(msgTxnOneAction)
	}
	exprs := []namedParam{{"ConditionExpression", present(a.ConditionExpression)}}
	if op == partition.OpUpdate {
		exprs = []namedParam{{"UpdateExpression", present(a.UpdateExpression)}, {"ConditionExpression", present(a.ConditionExpression)}}
	}
	params, err := a.params(exprs, nil)
	if err != nil {
		return w, 0, err
	}
	var upd *expr.Update
	var cond *expr.Condition
	if a.UpdateExpression != nil {
		if upd, err = params.ParseUpdate(*a.UpdateExpression); err != nil {
			return w, 0, err
		}
	}
	if a.ConditionExpression != nil {
		if cond, err = params.ParseCondition(*a.ConditionExpression); err != nil {
			return w, 0, err
		}
	}
	if err := params.CheckUnused(); err != nil {
		return w, 0, err
	}
	t, err := h.cat.Get(*a.TableName)
	if err != nil {
		return w, 0, err
	}
	cmd := &partition.Command{Op: op}
	if op == partition.OpPut {
		item, err := a.Item.ToItem()
		if err != nil {
			return w, 0, err
		}
		if err := checkItemKey(t, item); err != nil {
			return w, 0, asItemError(err)
		}
		if err := checkIndexKeys(t, item); err != nil {
			return w, 0, asItemError(err)
		}
		if value.ItemSize(item) > value.MaxItemSize {
			return w, 0, &itemError{"Item size has exceeded the maximum allowed size"}
		}
		cmd.Key, cmd.Item, size = t.Schema.KeyOnly(item), item, value.ItemSize(item)
	} else {
		key, err := a.Key.ToItem()
		if err != nil {
			return w, 0, err
		}
		if err := checkKey(t, key); err != nil {
			return w, 0, asItemError(err)
		}
		cmd.Key, size = key, value.ItemSize(key)
	}
	if upd != nil {
		for _, p := range upd.Paths() {
			if top := p.Top(); top == t.Schema.HashKey || top == t.Schema.RangeKey {
				return w, 0, ddberr.Invalid("Cannot update attribute %s. This attribute is part of the key", top)
			}
		}
	}
	setExpr(cmd, a.ConditionExpression, a.UpdateExpression, &a.exprRequest)
	cmd.SetParsed(cond, upd)
	returnOld := a.ReturnValuesOnConditionCheckFailure != nil && *a.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
	return txn.Write{Table: t, Cmd: cmd, ReturnOld: returnOld}, size, nil
}

// itemError is a validation failure of one action's item: it becomes that
// action's ValidationError cancellation reason.
type itemError struct{ msg string }

func (e *itemError) Error() string { return e.msg }

func asItemError(err error) error {
	var de *ddberr.Error
	if errors.As(err, &de) && de.Type == ddberr.Validation {
		return &itemError{de.Message}
	}
	return err
}

// canonicalHash hashes member of a JSON request in a canonical form (keys
// sorted), so that the same request re-encoded hashes the same.
func canonicalHash(body []byte, member string) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return "", ddberr.New(ddberr.Serialization, "Start of structure or map found where not expected")
	}
	b, err := json.Marshal(m[member]) // encoding/json sorts map keys
	if err != nil {
		return "", fmt.Errorf("api: canonical request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// appendTxnCapacity appends ConsumedCapacity (a list, one entry per table)
// for a transaction, when asked.
func appendTxnCapacity(b []byte, mode *string, units map[string]float64, kind string) []byte {
	if mode == nil || *mode == "NONE" {
		return b
	}
	names := make([]string, 0, len(units))
	for n := range units {
		names = append(names, n)
	}
	sort.Strings(names)
	ccs := make([]map[string]any, len(names))
	for i, n := range names {
		cc := consumed(mode, n, units[n])
		cc[kind] = units[n]
		ccs[i] = cc
	}
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(b, `"ConsumedCapacity":`...)
	return appendAny(b, ccs)
}

type transactGetItem struct {
	Get *struct {
		TableName            *string
		Key                  value.WireItem
		ProjectionExpression *string
		exprRequest
	}
}

type transactGetInput struct {
	TransactItems          []transactGetItem
	ReturnConsumedCapacity *string
}

func (h *Handler) transactGetItems(ctx context.Context, body []byte) (any, error) {
	var in transactGetInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	switch {
	case in.TransactItems == nil:
		c.notNull("transactItems", false)
	case len(in.TransactItems) == 0:
		c.add("'[]'", "transactItems", "Member must have length greater than or equal to 1")
	case len(in.TransactItems) > maxTransactItems:
		c.add(quote(fmt.Sprintf("%d items", len(in.TransactItems))), "transactItems", "Member must have length less than or equal to 100")
	}
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	for i, ti := range in.TransactItems {
		p := fmt.Sprintf("transactItems.%d.member.get", i+1)
		if ti.Get == nil {
			c.notNull(p, false)
			continue
		}
		c.tableName(p+".tableName", ti.Get.TableName)
		c.notNull(p+".key", ti.Get.Key != nil)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	reads := make([]txn.Read, len(in.TransactItems))
	projs := make([]*expr.Projection, len(in.TransactItems))
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		g := ti.Get
		params, err := g.params([]namedParam{{"ProjectionExpression", present(g.ProjectionExpression)}}, nil)
		if err != nil {
			return nil, err
		}
		if g.ProjectionExpression != nil {
			if projs[i], err = params.ParseProjection(*g.ProjectionExpression); err != nil {
				return nil, err
			}
		}
		if err := params.CheckUnused(); err != nil {
			return nil, err
		}
		t, err := h.cat.Get(*g.TableName)
		if err != nil {
			return nil, err
		}
		key, err := g.Key.ToItem()
		if err != nil {
			return nil, err
		}
		if err := checkKey(t, key); err != nil {
			return nil, err
		}
		id := t.Name + "\x00" + string(t.Schema.Key(key))
		if seen[id] {
			return nil, ddberr.Validationf(msgTxnDuplicate)
		}
		seen[id] = true
		reads[i] = txn.Read{Table: t, Key: key}
	}
	items, err := h.txn.Get(ctx, reads)
	if err != nil {
		return nil, err
	}
	units := map[string]float64{}
	b := []byte(`{"Responses":[`)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		units[reads[i].Table.Name] += 2 * readUnits(itemSize(it), true)
		if it == nil {
			b = append(b, "{}"...)
			continue
		}
		if projs[i] != nil {
			it = projs[i].Apply(it)
		}
		b = append(b, `{"Item":`...)
		b = it.AppendJSON(b)
		b = append(b, '}')
	}
	b = append(b, ']')
	b = appendTxnCapacity(b, in.ReturnConsumedCapacity, units, "ReadCapacityUnits")
	return rawJSON(append(b, '}')), nil
}
