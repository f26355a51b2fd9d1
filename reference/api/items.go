package api

import (
	"context"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Item operations: PutItem, GetItem, UpdateItem, DeleteItem.
// Sources: the API reference of each, "Condition expressions", "Update
// expressions", "Projection expressions", "Expression attribute names",
// "Expression attribute values".

type writeOptions struct {
	ReturnValues                        *string
	ReturnValuesOnConditionCheckFailure *string
	ReturnConsumedCapacity              *string
	ReturnItemCollectionMetrics         *string
}

func (o *writeOptions) check(c *constraints) {
	c.enum("returnConsumedCapacity", o.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	c.enum("returnItemCollectionMetrics", o.ReturnItemCollectionMetrics, "SIZE", "NONE")
	c.enum("returnValues", o.ReturnValues, "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
	c.enum("returnValuesOnConditionCheckFailure", o.ReturnValuesOnConditionCheckFailure, "ALL_OLD", "NONE")
}

func (o *writeOptions) returnValues() string {
	if o.ReturnValues == nil {
		return "NONE"
	}
	return *o.ReturnValues
}

type putItemInput struct {
	TableName           *string
	Item                value.WireItem
	ConditionExpression *string
	Expected            map[string]wireCondition
	ConditionalOperator *string
	exprRequest
	writeOptions
}

type keyInput struct {
	TableName *string
	Key       value.WireItem
}

// propose sends cmd to the partition owning its key and turns a failed
// condition into DynamoDB's error (with the old item when asked).
func (h *Handler) propose(ctx context.Context, t *catalog.Table, cmd *partition.Command, o *writeOptions) (partition.Result, error) {
	p := t.PartitionForKey(cmd.Key[t.Schema.HashKey])
	res, err := p.Replica.Propose(ctx, cmd)
	if err != nil {
		return res, err
	}
	if res.Err != nil {
		if de, ok := res.Err.(*ddberr.Error); ok && de.Type == ddberr.ConditionalCheckFailed {
			e := ddberr.New(ddberr.ConditionalCheckFailed, de.Message)
			if o.ReturnValuesOnConditionCheckFailure != nil && *o.ReturnValuesOnConditionCheckFailure == "ALL_OLD" && res.Old != nil {
				e.Payload = map[string]any{"Item": res.Old}
			}
			return res, e
		}
		return res, res.Err
	}
	return res, nil
}

// writeResponse renders the response of a write of cmd: Attributes per
// ReturnValues, ConsumedCapacity and ItemCollectionMetrics.
func writeResponse(t *catalog.Table, o *writeOptions, cmd *partition.Command, res partition.Result, upd *expr.Update) rawJSON {
	b := []byte{'{'}
	var attrs value.Item
	switch o.returnValues() {
	case "ALL_OLD":
		attrs = res.Old
	case "ALL_NEW":
		attrs = res.New
	case "UPDATED_OLD", "UPDATED_NEW":
		src := res.Old
		if o.returnValues() == "UPDATED_NEW" {
			src = res.New
		}
		if upd != nil && src != nil {
			attrs = expr.ProjectPaths(src, upd.Paths())
		}
	}
	if len(attrs) > 0 {
		b = append(b, `"Attributes":`...)
		b = attrs.AppendJSON(b)
	}
	if cc := consumed(o.ReturnConsumedCapacity, t.Name, writeUnits(max(itemSize(res.Old), itemSize(res.New)))); cc != nil {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `"ConsumedCapacity":`...)
		b = appendAny(b, cc)
	}
	if collectionMetricsAsked(o.ReturnItemCollectionMetrics, t) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `"ItemCollectionMetrics":`...)
		b = appendCollectionMetric(b, t, cmd.Key[t.Schema.HashKey], res.Collection)
	}
	return append(b, '}')
}

func (h *Handler) putItem(ctx context.Context, body []byte) (any, error) {
	var in putItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	c.notNull("item", in.Item != nil)
	in.writeOptions.check(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	params, err := in.params(
		[]namedParam{{"ConditionExpression", present(in.ConditionExpression)}},
		[]namedParam{{"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}})
	if err != nil {
		return nil, err
	}
	item, err := in.Item.ToItem()
	if err != nil {
		return nil, err
	}
	if rv := in.returnValues(); rv != "NONE" && rv != "ALL_OLD" {
		return nil, ddberr.Validationf("ReturnValues can only be ALL_OLD or NONE")
	}
	if value.ItemSize(item) > value.MaxItemSize {
		return nil, ddberr.Validationf("Item size has exceeded the maximum allowed size")
	}
	cond, expected, err := writeCondition(params, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := params.CheckUnused(); err != nil {
		return nil, err
	}
	t, err := h.cat.Get(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkItemKey(t, item); err != nil {
		return nil, err
	}
	if err := checkIndexKeys(t, item); err != nil {
		return nil, err
	}
	cmd := &partition.Command{Op: partition.OpPut, Key: t.Schema.KeyOnly(item), Item: item,
		Expected: expected, CondOp: condOp(in.ConditionalOperator)}
	setExpr(cmd, in.ConditionExpression, nil, &in.exprRequest)
	cmd.SetParsed(cond, nil)
	res, err := h.propose(ctx, t, cmd, &in.writeOptions)
	if err != nil {
		return nil, err
	}
	return writeResponse(t, &in.writeOptions, cmd, res, nil), nil
}

// setExpr copies a request's expressions into a command so that replicas
// can re-parse them.
func setExpr(cmd *partition.Command, cond, upd *string, r *exprRequest) {
	if cond != nil {
		cmd.Condition = *cond
	}
	if upd != nil {
		cmd.Update = *upd
	}
	if cmd.Condition == "" && cmd.Update == "" {
		return
	}
	cmd.Names = r.ExpressionAttributeNames
	if r.ExpressionAttributeValues != nil {
		cmd.Values = make(map[string]value.Value, len(r.ExpressionAttributeValues))
		for k, w := range r.ExpressionAttributeValues {
			v, _ := w.ToValue() // validated by params
			cmd.Values[k] = v
		}
	}
}

// writeCondition parses a write's ConditionExpression, or converts its
// legacy Expected (returning it for the command, so replicas rebuild it).
func writeCondition(params *expr.Params, ce *string, wexp map[string]wireCondition, op *string) (*expr.Condition, map[string]expr.LegacyCondition, error) {
	if ce != nil {
		cond, err := params.ParseCondition(*ce)
		return cond, nil, err
	}
	var c constraints
	c.enum("conditionalOperator", op, "AND", "OR")
	expected, err := legacyConditions(&c, "expected", wexp)
	if err != nil || expected == nil {
		return nil, nil, err
	}
	cond, err := expr.ExpectedToCondition(expected, condOp(op))
	return cond, expected, err
}

type getItemInput struct {
	keyInput
	ConsistentRead         *bool
	ProjectionExpression   *string
	AttributesToGet        []string
	ReturnConsumedCapacity *string
	exprRequest
}

func (h *Handler) getItem(ctx context.Context, body []byte) (any, error) {
	var in getItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	c.notNull("key", in.Key != nil)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	if in.AttributesToGet != nil && len(in.AttributesToGet) == 0 {
		c.add("'[]'", "attributesToGet", "Member must have length greater than or equal to 1")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	params, err := in.params(
		[]namedParam{{"ProjectionExpression", present(in.ProjectionExpression)}},
		[]namedParam{{"AttributesToGet", in.AttributesToGet != nil}})
	if err != nil {
		return nil, err
	}
	key, err := in.Key.ToItem()
	if err != nil {
		return nil, err
	}
	var proj *expr.Projection
	if in.ProjectionExpression != nil {
		if proj, err = params.ParseProjection(*in.ProjectionExpression); err != nil {
			return nil, err
		}
	}
	if err := params.CheckUnused(); err != nil {
		return nil, err
	}
	if in.AttributesToGet != nil {
		if proj, err = expr.AttributesToGetToProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	t, err := h.cat.Get(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, key); err != nil {
		return nil, err
	}
	consistent := in.ConsistentRead != nil && *in.ConsistentRead
	p := t.PartitionForKey(key[t.Schema.HashKey])
	r, err := p.Replica.Read(ctx, consistent)
	if err != nil {
		return nil, err
	}
	if er, ok := r.(encodedReader); ok && proj == nil {
		// The whole stored item, written as JSON from its stored form.
		enc, size, found := er.GetEncoded(t.Schema.Key(key))
		b := []byte{'{'}
		if found {
			if b, err = value.AppendItemJSONFromBinary(append(b, `"Item":`...), enc); err != nil {
				return nil, err
			}
		}
		return rawJSON(append(appendConsumed(b, in.ReturnConsumedCapacity, t.Name, readUnits(size, consistent)), '}')), nil
	}
	item, found := r.Get(t.Schema.Key(key))
	if err := r.Err(); err != nil {
		return nil, err
	}
	b := []byte{'{'}
	if found {
		out := item
		if proj != nil {
			out = proj.Apply(item)
		}
		b = append(b, `"Item":`...)
		b = out.AppendJSON(b)
	}
	return rawJSON(append(appendConsumed(b, in.ReturnConsumedCapacity, t.Name, readUnits(itemSize(item), consistent)), '}')), nil
}

// encodedReader is a partition.Reader that can hand out a stored item's
// binary form (a local partition.State).
type encodedReader interface {
	GetEncoded(key []byte) (enc []byte, size int, ok bool)
}

// appendConsumed appends the ConsumedCapacity member (after a comma when b
// holds a member already) when the request asked for it.
func appendConsumed(b []byte, mode *string, table string, units float64) []byte {
	cc := consumed(mode, table, units)
	if cc == nil {
		return b
	}
	if len(b) > 1 {
		b = append(b, ',')
	}
	return appendAny(append(b, `"ConsumedCapacity":`...), cc)
}

type deleteItemInput struct {
	keyInput
	ConditionExpression *string
	Expected            map[string]wireCondition
	ConditionalOperator *string
	exprRequest
	writeOptions
}

func (h *Handler) deleteItem(ctx context.Context, body []byte) (any, error) {
	var in deleteItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	c.notNull("key", in.Key != nil)
	in.writeOptions.check(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	params, err := in.params(
		[]namedParam{{"ConditionExpression", present(in.ConditionExpression)}},
		[]namedParam{{"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}})
	if err != nil {
		return nil, err
	}
	key, err := in.Key.ToItem()
	if err != nil {
		return nil, err
	}
	if rv := in.returnValues(); rv != "NONE" && rv != "ALL_OLD" {
		return nil, ddberr.Validationf("ReturnValues can only be ALL_OLD or NONE")
	}
	cond, expected, err := writeCondition(params, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := params.CheckUnused(); err != nil {
		return nil, err
	}
	t, err := h.cat.Get(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, key); err != nil {
		return nil, err
	}
	cmd := &partition.Command{Op: partition.OpDelete, Key: key, Expected: expected, CondOp: condOp(in.ConditionalOperator)}
	setExpr(cmd, in.ConditionExpression, nil, &in.exprRequest)
	cmd.SetParsed(cond, nil)
	res, err := h.propose(ctx, t, cmd, &in.writeOptions)
	if err != nil {
		return nil, err
	}
	return writeResponse(t, &in.writeOptions, cmd, res, nil), nil
}

type updateItemInput struct {
	keyInput
	UpdateExpression    *string
	ConditionExpression *string
	AttributeUpdates    map[string]wireAttributeUpdate
	Expected            map[string]wireCondition
	ConditionalOperator *string
	exprRequest
	writeOptions
}

func (h *Handler) updateItem(ctx context.Context, body []byte) (any, error) {
	var in updateItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	c.tableName("tableName", in.TableName)
	c.notNull("key", in.Key != nil)
	in.writeOptions.check(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	params, err := in.params(
		[]namedParam{{"UpdateExpression", present(in.UpdateExpression)}, {"ConditionExpression", present(in.ConditionExpression)}},
		[]namedParam{{"AttributeUpdates", in.AttributeUpdates != nil}, {"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}})
	if err != nil {
		return nil, err
	}
	key, err := in.Key.ToItem()
	if err != nil {
		return nil, err
	}
	var upd *expr.Update
	var c2 constraints
	attrUpdates, err := legacyUpdates(&c2, in.AttributeUpdates)
	if err != nil {
		return nil, err
	}
	if in.UpdateExpression != nil {
		if upd, err = params.ParseUpdate(*in.UpdateExpression); err != nil {
			return nil, err
		}
	} else if attrUpdates != nil {
		if upd, err = expr.AttributeUpdatesToUpdate(attrUpdates); err != nil {
			return nil, err
		}
	}
	cond, expected, err := writeCondition(params, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := params.CheckUnused(); err != nil {
		return nil, err
	}
	t, err := h.cat.Get(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, key); err != nil {
		return nil, err
	}
	if upd != nil {
		for _, p := range upd.Paths() {
			if top := p.Top(); top == t.Schema.HashKey || top == t.Schema.RangeKey {
				return nil, ddberr.Invalid("Cannot update attribute %s. This attribute is part of the key", top)
			}
		}
	}
	cmd := &partition.Command{Op: partition.OpUpdate, Key: key, Expected: expected, CondOp: condOp(in.ConditionalOperator), AttributeUpdates: attrUpdates}
	setExpr(cmd, in.ConditionExpression, in.UpdateExpression, &in.exprRequest)
	cmd.SetParsed(cond, upd)
	res, err := h.propose(ctx, t, cmd, &in.writeOptions)
	if err != nil {
		return nil, err
	}
	return writeResponse(t, &in.writeOptions, cmd, res, upd), nil
}
