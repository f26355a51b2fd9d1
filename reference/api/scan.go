package api

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Scan: every item of the table in key order — partitions in hash order,
// items in a partition by (hash, partition key, sort key) — so that
// ExclusiveStartKey resumes exactly after the last item of the previous page
// whatever partition it was in. A parallel scan's segment i of n covers hash
// range [i·2⁶⁴/n, (i+1)·2⁶⁴/n): every item is in exactly one segment.
// Source: API reference "Scan", Developer Guide "Parallel scan".

type scanInput struct {
	readRequest
	ScanFilter    map[string]wireCondition
	Segment       *int64
	TotalSegments *int64
}

func (h *Handler) scan(ctx context.Context, body []byte) (any, error) {
	var in scanInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var c constraints
	in.check(&c)
	if in.Segment != nil {
		if *in.Segment < 0 {
			c.add(quote(fmt.Sprint(*in.Segment)), "segment", "Member must have value greater than or equal to 0")
		} else if *in.Segment > 999999 {
			c.add(quote(fmt.Sprint(*in.Segment)), "segment", "Member must have value less than or equal to 999999")
		}
	}
	if in.TotalSegments != nil {
		if *in.TotalSegments < 1 {
			c.add(quote(fmt.Sprint(*in.TotalSegments)), "totalSegments", "Member must have value greater than or equal to 1")
		} else if *in.TotalSegments > 1000000 {
			c.add(quote(fmt.Sprint(*in.TotalSegments)), "totalSegments", "Member must have value less than or equal to 1000000")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	params, err := in.params(
		[]namedParam{{"ProjectionExpression", present(in.ProjectionExpression)}, {"FilterExpression", present(in.FilterExpression)}},
		[]namedParam{{"AttributesToGet", in.AttributesToGet != nil}, {"ScanFilter", in.ScanFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}})
	if err != nil {
		return nil, err
	}
	if in.Segment != nil && in.TotalSegments == nil {
		return nil, ddberr.Validationf("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if in.TotalSegments != nil {
		if in.Segment == nil {
			return nil, ddberr.Validationf("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
		}
		if *in.Segment >= *in.TotalSegments {
			return nil, ddberr.Validationf("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
		}
	}
	filter, proj, err := readExprs(params, &in.readRequest, in.ScanFilter, "scanFilter")
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
		return h.scanIndex(ctx, t, &in, filter, proj, countOnly)
	}
	// The segment's hash range [lo, hi] and the key range [from, to).
	lo, hi := uint64(0), ^uint64(0)
	if in.TotalSegments != nil {
		lo, hi = segmentRange(uint64(*in.Segment), uint64(*in.TotalSegments))
	}
	from := binary.BigEndian.AppendUint64(nil, lo)
	var to []byte
	if hi != ^uint64(0) {
		to = binary.BigEndian.AppendUint64(nil, hi+1)
	}
	if in.ExclusiveStartKey != nil {
		sk, err := startKey(t, in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		k := t.Schema.Key(sk)
		if h := value.Hash(sk[t.Schema.HashKey]); h < lo || h > hi {
			return nil, ddberr.Validationf("The provided starting key is invalid: Exclusive start key must lie within the segment")
		}
		from = append(k, 0)
	}
	p := &page{filter: filter, proj: proj, count: countOnly}
	if in.Limit != nil {
		p.limit = int(*in.Limit)
	}
	consistent := in.consistent()
	for _, part := range t.Partitions {
		if part.Hi < lo || part.Lo > hi || p.full || p.err != nil {
			continue
		}
		if part.Hi < binary.BigEndian.Uint64(from[:8]) {
			continue // wholly before the start key
		}
		reader, err := part.Replica.Read(ctx, consistent)
		if err != nil {
			return nil, err
		}
		reader.Scan(from, to, false, func(_ []byte, item value.Item) bool { return p.add(item) })
		if err := reader.Err(); err != nil {
			return nil, err
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return readResponse(t, p, p.full, in.ReturnConsumedCapacity, consistent), nil
}

// segmentRange returns the inclusive hash range of segment i of n.
func segmentRange(i, n uint64) (lo, hi uint64) {
	step := ^uint64(0)/n + 1 // ceil(2^64 / n) without overflow for n > 1
	if n == 1 {
		return 0, ^uint64(0)
	}
	lo = i * step
	if i == n-1 {
		return lo, ^uint64(0)
	}
	return lo, lo + step - 1
}
