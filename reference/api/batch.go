package api

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// BatchGetItem and BatchWriteItem. Sources: their API reference pages and
// "Service, account, and table quotas" (100 keys and 16 MB per BatchGetItem,
// 25 requests and 16 MB per BatchWriteItem). The whole request is validated
// before anything is read or written.

const (
	maxBatchGet      = 100
	maxBatchWrite    = 25
	maxBatchResponse = 16 << 20
)

type keysAndAttributes struct {
	Keys                 []value.WireItem
	ProjectionExpression *string
	AttributesToGet      []string
	ConsistentRead       *bool
	exprRequest
}

type batchGetInput struct {
	RequestItems           map[string]*keysAndAttributes
	ReturnConsumedCapacity *string
}

type getTarget struct {
	table      *catalog.Table
	keys       []value.Item
	proj       *expr.Projection
	consistent bool
	raw        *keysAndAttributes
}

func (h *Handler) batchGetItem(ctx context.Context, body []byte) (any, error) {
	var in batchGetInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	if in.RequestItems == nil {
		c.notNull("requestItems", false)
	} else if len(in.RequestItems) == 0 {
		c.add("'{}'", "requestItems", "Member must have length greater than or equal to 1")
	}
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	names := sortedTables(in.RequestItems)
	for _, name := range names {
		ka := in.RequestItems[name]
		c.name("requestItems."+name+".member.tableName", name)
		if ka == nil || ka.Keys == nil {
			c.notNull("requestItems."+name+".member.keys", false)
			continue
		}
		if len(ka.Keys) == 0 {
			c.add("'[]'", "requestItems."+name+".member.keys", "Member must have length greater than or equal to 1")
		} else if len(ka.Keys) > maxBatchGet {
			c.add("'"+fmt.Sprint(len(ka.Keys))+" keys'", "requestItems."+name+".member.keys", "Member must have length less than or equal to 100")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	var targets []*getTarget
	total := 0
	for _, name := range names {
		ka := in.RequestItems[name]
		params, err := ka.params(
			[]namedParam{{"ProjectionExpression", present(ka.ProjectionExpression)}},
			[]namedParam{{"AttributesToGet", ka.AttributesToGet != nil}})
		if err != nil {
			return nil, err
		}
		gt := &getTarget{raw: ka, consistent: ka.ConsistentRead != nil && *ka.ConsistentRead}
		if ka.ProjectionExpression != nil {
			if gt.proj, err = params.ParseProjection(*ka.ProjectionExpression); err != nil {
				return nil, err
			}
		}
		if err := params.CheckUnused(); err != nil {
			return nil, err
		}
		if ka.AttributesToGet != nil {
			if gt.proj, err = expr.AttributesToGetToProjection(ka.AttributesToGet); err != nil {
				return nil, err
			}
		}
		seen := map[string]bool{}
		for _, wk := range ka.Keys {
			k, err := wk.ToItem()
			if err != nil {
				return nil, err
			}
			enc := string(canonicalKey(k))
			if seen[enc] {
				return nil, ddberr.Validationf("Provided list of item keys contains duplicates")
			}
			seen[enc] = true
			gt.keys = append(gt.keys, k)
			total++
			if total > maxBatchGet {
				return nil, ddberr.Validationf("Too many items requested for the BatchGetItem call")
			}
		}
		targets = append(targets, gt)
	}
	for i, name := range names {
		t, err := h.cat.Get(name)
		if err != nil {
			return nil, ddberr.New(ddberr.ResourceNotFound, "Requested resource not found")
		}
		for _, k := range targets[i].keys {
			if err := checkKey(t, k); err != nil {
				return nil, err
			}
		}
		targets[i].table = t
	}

	// Read; once the response would pass 16 MB, the rest is UnprocessedKeys.
	b := []byte(`{"Responses":{`)
	size := 0
	unprocessed := map[string][]value.Item{}
	var ccs []map[string]any
	for ti, gt := range targets {
		if ti > 0 {
			b = append(b, ',')
		}
		b = value.AppendString(b, gt.table.Name)
		b = append(b, ":["...)
		first := true
		read := 0
		for _, k := range gt.keys {
			if size >= maxBatchResponse {
				unprocessed[gt.table.Name] = append(unprocessed[gt.table.Name], k)
				continue
			}
			p := gt.table.PartitionForKey(k[gt.table.Schema.HashKey])
			r, err := p.Replica.Read(ctx, gt.consistent)
			if err != nil {
				return nil, err
			}
			item, ok := r.Get(gt.table.Schema.Key(k))
			if err := r.Err(); err != nil {
				return nil, err
			}
			read += int(readUnits(itemSize(item), true))
			if !ok {
				continue
			}
			if gt.proj != nil {
				item = gt.proj.Apply(item)
			}
			size += value.ItemSize(item)
			if !first {
				b = append(b, ',')
			}
			first = false
			b = item.AppendJSON(b)
		}
		b = append(b, ']')
		units := float64(read)
		if !gt.consistent {
			units /= 2
		}
		if cc := consumed(in.ReturnConsumedCapacity, gt.table.Name, units); cc != nil {
			ccs = append(ccs, cc)
		}
	}
	b = append(b, `},"UnprocessedKeys":{`...)
	first := true
	for _, gt := range targets {
		keys := unprocessed[gt.table.Name]
		if len(keys) == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = value.AppendString(b, gt.table.Name)
		b = append(b, `:{"Keys":[`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = k.AppendJSON(b)
		}
		b = append(b, ']')
		if gt.raw.ProjectionExpression != nil {
			b = append(b, `,"ProjectionExpression":`...)
			b = value.AppendString(b, *gt.raw.ProjectionExpression)
		}
		if gt.raw.ExpressionAttributeNames != nil {
			b = append(b, `,"ExpressionAttributeNames":`...)
			b = appendAny(b, gt.raw.ExpressionAttributeNames)
		}
		if gt.consistent {
			b = append(b, `,"ConsistentRead":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	if ccs != nil {
		b = append(b, `,"ConsumedCapacity":`...)
		b = appendAny(b, ccs)
	}
	return rawJSON(append(b, '}')), nil
}

// canonicalKey encodes a key item so that equal keys give equal bytes.
func canonicalKey(k value.Item) []byte {
	var b []byte
	for _, name := range k.SortedNames() {
		b = append(b, name...)
		b = append(b, 0)
		v := k[name]
		b = append(b, byte(v.T))
		if v.T.IsScalarKeyType() {
			b = value.AppendKey(b, v)
		} else {
			b = v.AppendJSON(b)
		}
	}
	return b
}

func sortedTables[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

type writeRequest struct {
	PutRequest *struct {
		Item value.WireItem
	}
	DeleteRequest *struct {
		Key value.WireItem
	}
}

type batchWriteInput struct {
	RequestItems                map[string][]writeRequest
	ReturnConsumedCapacity      *string
	ReturnItemCollectionMetrics *string
}

func (h *Handler) batchWriteItem(ctx context.Context, body []byte) (any, error) {
	var in batchWriteInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	if in.RequestItems == nil {
		c.notNull("requestItems", false)
	} else if len(in.RequestItems) == 0 {
		c.add("'{}'", "requestItems", "Member must have length greater than or equal to 1")
	}
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, "INDEXES", "TOTAL", "NONE")
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, "SIZE", "NONE")
	names := sortedTables(in.RequestItems)
	for _, name := range names {
		reqs := in.RequestItems[name]
		c.name("requestItems."+name+".member.tableName", name)
		switch {
		case len(reqs) == 0:
			c.add("'[]'", "requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
		case len(reqs) > maxBatchWrite:
			c.add(quote(fmt.Sprint(len(reqs))+" requests"), "requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	type write struct {
		table *catalog.Table
		cmd   *partition.Command
	}
	var writes []write
	total := 0
	for _, name := range names {
		var t *catalog.Table
		seen := map[string]bool{}
		for _, req := range in.RequestItems[name] {
			total++
			if total > maxBatchWrite {
				return nil, ddberr.Validationf("Too many items requested for the BatchWriteItem call")
			}
			var cmd *partition.Command
			switch {
			case req.PutRequest != nil && req.DeleteRequest == nil:
				if req.PutRequest.Item == nil {
					return nil, ddberr.Validationf("1 validation error detected: Value null at 'requestItems.%s.member.putRequest.item' failed to satisfy constraint: Member must not be null", name)
				}
				item, err := req.PutRequest.Item.ToItem()
				if err != nil {
					return nil, err
				}
				if value.ItemSize(item) > value.MaxItemSize {
					return nil, ddberr.Validationf("Item size has exceeded the maximum allowed size")
				}
				cmd = &partition.Command{Op: partition.OpPut, Item: item}
			case req.DeleteRequest != nil && req.PutRequest == nil:
				if req.DeleteRequest.Key == nil {
					return nil, ddberr.Validationf("1 validation error detected: Value null at 'requestItems.%s.member.deleteRequest.key' failed to satisfy constraint: Member must not be null", name)
				}
				key, err := req.DeleteRequest.Key.ToItem()
				if err != nil {
					return nil, err
				}
				cmd = &partition.Command{Op: partition.OpDelete, Key: key}
			default:
				return nil, ddberr.Validationf("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if t == nil {
				var err error
				if t, err = h.cat.Get(name); err != nil {
					return nil, ddberr.New(ddberr.ResourceNotFound, "Requested resource not found")
				}
			}
			if cmd.Op == partition.OpPut {
				if err := checkItemKey(t, cmd.Item); err != nil {
					if strings.Contains(err.Error(), "Missing the key") || strings.Contains(err.Error(), "Type mismatch") {
						return nil, ddberr.Validationf(msgKeyMismatch)
					}
					return nil, err
				}
				if err := checkIndexKeys(t, cmd.Item); err != nil {
					return nil, err
				}
				cmd.Key = t.Schema.KeyOnly(cmd.Item)
			} else if err := checkKey(t, cmd.Key); err != nil {
				return nil, err
			}
			enc := string(t.Schema.Key(cmd.Key))
			if seen[enc] {
				return nil, ddberr.Validationf("Provided list of item keys contains duplicates")
			}
			seen[enc] = true
			writes = append(writes, write{t, cmd})
		}
	}
	// The writes go to their partitions in parallel, as DynamoDB's do (a
	// batch is not atomic): a batch costs about one write's latency, not
	// 25. A write whose outcome is unknown (no quorum in time) comes back
	// in UnprocessedItems for the client to retry — a Put or Delete applied
	// twice leaves the same item — unless no write of the batch succeeded,
	// when the error itself is the answer.
	type outcome struct {
		res partition.Result
		err error
	}
	outs := make([]outcome, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := w.table.PartitionForKey(w.cmd.Key[w.table.Schema.HashKey])
			outs[i].res, outs[i].err = p.Replica.Propose(ctx, w.cmd)
		}()
	}
	wg.Wait()
	units := map[string]float64{}
	var firstErr error
	failed := 0
	unprocessed := map[string][]*partition.Command{}
	var colls collectionMetrics
	for i, o := range outs {
		w := writes[i]
		switch {
		case o.err != nil:
			firstErr = cmp.Or(firstErr, o.err)
			failed++
			unprocessed[w.table.Name] = append(unprocessed[w.table.Name], w.cmd)
		case o.res.Err != nil:
			return nil, o.res.Err
		default:
			units[w.table.Name] += writeUnits(max(itemSize(o.res.Old), itemSize(o.res.New)))
			if collectionMetricsAsked(in.ReturnItemCollectionMetrics, w.table) {
				// The batch's writes apply in parallel, in no known order:
				// a collection written twice reports the larger size seen.
				colls.add(w.table, w.cmd.Key[w.table.Schema.HashKey], o.res.Collection, func(a, b int64) int64 { return max(a, b) })
			}
		}
	}
	if failed > 0 && failed == len(writes) {
		return nil, firstErr
	}
	b := appendUnprocessedWrites([]byte(`{"UnprocessedItems":`), unprocessed)
	if in.ReturnConsumedCapacity != nil && *in.ReturnConsumedCapacity != "NONE" {
		var ccs []map[string]any
		for _, name := range names {
			ccs = append(ccs, consumed(in.ReturnConsumedCapacity, name, units[name]))
		}
		b = append(b, `,"ConsumedCapacity":`...)
		b = appendAny(b, ccs)
	}
	b = colls.appendTo(b)
	return rawJSON(append(b, '}')), nil
}

// appendUnprocessedWrites appends BatchWriteItem's UnprocessedItems map:
// per table, the PutRequests and DeleteRequests to send again.
func appendUnprocessedWrites(b []byte, m map[string][]*partition.Command) []byte {
	b = append(b, '{')
	for i, name := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = value.AppendString(b, name)
		b = append(b, ":["...)
		for j, c := range m[name] {
			if j > 0 {
				b = append(b, ',')
			}
			if c.Op == partition.OpPut {
				b = c.Item.AppendJSON(append(b, `{"PutRequest":{"Item":`...))
			} else {
				b = c.Key.AppendJSON(append(b, `{"DeleteRequest":{"Key":`...))
			}
			b = append(b, "}}"...)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}
