package api

import (
	"context"
	"fmt"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Query: the items of one partition key, in sort-key order, as a range scan
// of the partition's B-tree. Source: API reference "Query", Developer Guide
// "Querying tables", "Paginating table query results".

type readRequest struct {
	TableName              *string
	IndexName              *string
	Select                 *string
	Limit                  *int64
	ConsistentRead         *bool
	ExclusiveStartKey      value.WireItem
	ProjectionExpression   *string
	FilterExpression       *string
	AttributesToGet        []string
	ConditionalOperator    *string
	ReturnConsumedCapacity *string
	exprRequest
}

func (r *readRequest) check(c *constraints) {
	c.tableName("tableName", r.TableName)
	if r.IndexName != nil {
		c.name("indexName", *r.IndexName)
	}
	c.enum("select", r.Select, "SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
	c.enum("returnConsumedCapacity", r.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	c.enum("conditionalOperator", r.ConditionalOperator, "AND", "OR")
	if r.Limit != nil && *r.Limit < 1 {
		c.add(quote(fmt.Sprint(*r.Limit)), "limit", "Member must have value greater than or equal to 1")
	}
	if r.AttributesToGet != nil && len(r.AttributesToGet) == 0 {
		c.add("'[]'", "attributesToGet", "Member must have length greater than or equal to 1")
	}
}

func (r *readRequest) consistent() bool { return r.ConsistentRead != nil && *r.ConsistentRead }

// startKey validates ExclusiveStartKey as a key of t.
func startKey(t *catalog.Table, w value.WireItem) (value.Item, error) {
	k, err := w.ToItem()
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, k); err != nil {
		return nil, ddberr.Validationf("The provided starting key is invalid: %s", err.(*ddberr.Error).Message)
	}
	return k, nil
}

type queryInput struct {
	readRequest
	KeyConditionExpression *string
	KeyConditions          map[string]wireCondition
	QueryFilter            map[string]wireCondition
	ScanIndexForward       *bool
}

func (h *Handler) query(ctx context.Context, body []byte) (any, error) {
	var in queryInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	in.check(&c)
	if err := c.err(); err != nil {
		return nil, err
	}
	params, err := in.params(
		[]namedParam{{"ProjectionExpression", present(in.ProjectionExpression)}, {"FilterExpression", present(in.FilterExpression)}, {"KeyConditionExpression", present(in.KeyConditionExpression)}},
		[]namedParam{{"AttributesToGet", in.AttributesToGet != nil}, {"QueryFilter", in.QueryFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}, {"KeyConditions", in.KeyConditions != nil && in.KeyConditionExpression != nil}})
	if err != nil {
		return nil, err
	}
	if in.KeyConditions == nil && in.KeyConditionExpression == nil {
		return nil, ddberr.Validationf("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	var kc *expr.KeyCondition
	if in.KeyConditionExpression != nil {
		if kc, err = params.ParseKeyCondition(*in.KeyConditionExpression); err != nil {
			return nil, err
		}
	} else {
		var lc constraints
		conds, err := legacyConditions(&lc, "keyConditions", in.KeyConditions)
		if err != nil {
			return nil, err
		}
		if kc, err = expr.KeyConditionsToKeyCondition(conds); err != nil {
			return nil, err
		}
	}
	filter, proj, err := readExprs(params, &in.readRequest, in.QueryFilter, "queryFilter")
	if err != nil {
		return nil, err
	}
	if err := params.CheckUnused(); err != nil {
		return nil, err
	}
	countOnly, err := in.selectMode()
	if err != nil {
		return nil, err
	}
	t, err := h.cat.Get(*in.TableName)
	if err != nil {
		return nil, err
	}
	if in.IndexName != nil {
		return h.queryIndex(ctx, t, &in, kc, filter, proj, countOnly)
	}
	if err := kc.Validate(t.Schema.HashKey, t.Schema.RangeKey); err != nil {
		return nil, err
	}
	if err := kc.ValidateTypes(t.Schema.HashType, t.Schema.RangeType); err != nil {
		return nil, err
	}
	if filter != nil {
		what := "Filter Expression"
		if in.FilterExpression == nil {
			what = "QueryFilter"
		}
		if err := expr.CheckFilterKeys(what, filter.Paths(), t.Schema.HashKey, t.Schema.RangeKey); err != nil {
			return nil, err
		}
	}
	pk := kc.Hash()
	if err := checkKeyValues(t, value.Item{t.Schema.HashKey: pk}); err != nil && t.Schema.RangeKey == "" {
		return nil, err
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	prefix := partition.HashPrefix(pk)
	from, to := prefix, partition.PrefixEnd(prefix)
	if rp := kc.Range(); rp != nil {
		from, to = sortBounds(prefix, rp)
	}
	if in.ExclusiveStartKey != nil {
		sk, err := startKey(t, in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		if !value.Equal(sk[t.Schema.HashKey], pk) {
			return nil, ddberr.Validationf("The provided starting key is outside query boundaries based on provided conditions")
		}
		if rp := kc.Range(); rp != nil && !rp.Match(sk[t.Schema.RangeKey]) {
			return nil, ddberr.Validationf("The provided starting key does not match the range key predicate")
		}
		k := t.Schema.Key(sk)
		if forward {
			from = append(k, 0) // strictly after
		} else {
			to = k // strictly before
		}
	}
	p := &page{filter: filter, proj: proj, count: countOnly}
	if in.Limit != nil {
		p.limit = int(*in.Limit)
	}
	part := t.PartitionForKey(pk)
	reader, err := part.Replica.Read(ctx, in.consistent())
	if err != nil {
		return nil, err
	}
	rp := kc.Range()
	reader.Scan(from, to, !forward, func(_ []byte, item value.Item) bool {
		if rp != nil && !rp.Match(item[t.Schema.RangeKey]) {
			return true
		}
		return p.add(item)
	})
	if err := reader.Err(); err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	return readResponse(t, p, p.full, in.ReturnConsumedCapacity, in.consistent()), nil
}

// readExprs parses a Query's or Scan's filter and projection, from
// expressions or from the legacy QueryFilter/ScanFilter and AttributesToGet.
func readExprs(params *expr.Params, r *readRequest, legacyFilter map[string]wireCondition, filterPath string) (*expr.Condition, *expr.Projection, error) {
	var filter *expr.Condition
	var proj *expr.Projection
	var err error
	if r.FilterExpression != nil {
		if filter, err = params.ParseFilter(*r.FilterExpression); err != nil {
			return nil, nil, err
		}
	} else if legacyFilter != nil {
		var c constraints
		conds, err := legacyConditions(&c, filterPath, legacyFilter)
		if err != nil {
			return nil, nil, err
		}
		if filter, err = expr.FilterToCondition(conds, condOp(r.ConditionalOperator)); err != nil {
			return nil, nil, err
		}
	}
	if r.ProjectionExpression != nil {
		if proj, err = params.ParseProjection(*r.ProjectionExpression); err != nil {
			return nil, nil, err
		}
	} else if r.AttributesToGet != nil {
		if proj, err = expr.AttributesToGetToProjection(r.AttributesToGet); err != nil {
			return nil, nil, err
		}
	}
	return filter, proj, nil
}

// selectMode checks Select against the request's projection parameter.
func (r *readRequest) selectMode() (bool, error) {
	if r.AttributesToGet != nil {
		return selectMode(r.Select, true, "AttributesToGet", r.IndexName != nil)
	}
	return selectMode(r.Select, r.ProjectionExpression != nil, "ProjectionExpression", r.IndexName != nil)
}

// sortBounds narrows [from, to) to the keys that can satisfy a sort-key
// condition (the condition is still checked on every item).
func sortBounds(prefix []byte, rp *expr.KeyPart) (from, to []byte) {
	from, to = prefix, partition.PrefixEnd(prefix)
	enc := func(v value.Value) []byte { return value.AppendKey(append([]byte(nil), prefix...), v) }
	after := func(k []byte) []byte { return append(k, 0) }
	switch rp.Op {
	case expr.KeyEQ:
		from = enc(rp.Values[0])
		to = after(enc(rp.Values[0]))
	case expr.KeyLT:
		to = enc(rp.Values[0])
	case expr.KeyLE:
		to = after(enc(rp.Values[0]))
	case expr.KeyGT:
		from = after(enc(rp.Values[0]))
	case expr.KeyGE:
		from = enc(rp.Values[0])
	case expr.KeyBetween:
		from = enc(rp.Values[0])
		to = after(enc(rp.Values[1]))
	}
	return from, to
}

// readResponse renders a Query or Scan page. Like DynamoDB, a page that
// stopped at Limit or 1 MB carries a LastEvaluatedKey even when no item
// follows (the next page is then empty).
func readResponse(t *catalog.Table, p *page, more bool, rcc *string, consistent bool) rawJSON {
	b := p.render([]byte{'{'})
	if more && p.last != nil {
		b = append(b, `,"LastEvaluatedKey":`...)
		b = t.Schema.KeyOnly(p.last).AppendJSON(b)
	}
	if cc := consumed(rcc, t.Name, readUnits(p.bytes, consistent)); cc != nil {
		b = append(b, `,"ConsumedCapacity":`...)
		b = appendAny(b, cc)
	}
	return append(b, '}')
}
