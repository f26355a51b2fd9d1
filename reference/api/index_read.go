package api

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Query and Scan with IndexName. Sources: API reference Query and Scan
// (IndexName, Select, ConsistentRead), Developer Guide "Querying a local
// secondary index" (attributes not projected are fetched from the table),
// "Global secondary indexes: reading data" (eventually consistent only).

// indexRef is the index a read names.
type indexRef struct {
	schema partition.IndexSchema
	global *catalog.GlobalIndex // nil for a local index
}

// findIndex resolves IndexName and checks what the read asks of it.
func (h *Handler) findIndex(t *catalog.Table, name string, consistent bool, sel *string) (*indexRef, error) {
	if gi := t.GlobalIndex(name); gi != nil {
		if consistent {
			return nil, ddberr.Validationf("Consistent reads are not supported on global secondary indexes")
		}
		if gi.Status == catalog.IndexCreating {
			// Not verified against DynamoDB's exact wording.
			return nil, ddberr.Validationf("Cannot read from backfilling global secondary index: %s", name)
		}
		if sel != nil && *sel == "ALL_ATTRIBUTES" && gi.Projection != partition.ProjectAll {
			return nil, ddberr.Invalid("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", name)
		}
		return &indexRef{schema: gi.IndexSchema, global: gi}, nil
	}
	if x := t.LocalIndex(name); x != nil {
		return &indexRef{schema: *x}, nil
	}
	return nil, ddberr.Validationf("The table does not have the specified index: %s", name)
}

// fetchBase reports whether a read of a local index must return attributes
// the index does not store (they come from the table, as in DynamoDB).
func (r *indexRef) fetchBase(sel *string, proj *expr.Projection) bool {
	if r.global != nil || r.schema.Projection == partition.ProjectAll {
		return false
	}
	return (sel != nil && *sel == "ALL_ATTRIBUTES") || proj != nil
}

// indexStartKey validates an ExclusiveStartKey of an index read: the
// table's key attributes and the index's, with their types.
func indexStartKey(t *catalog.Table, x partition.IndexSchema, w value.WireItem) (value.Item, error) {
	k, err := w.ToItem()
	if err != nil {
		return nil, err
	}
	bad := ddberr.Validationf("The provided starting key is invalid: %s", msgKeyMismatch)
	for _, a := range []struct {
		name string
		typ  value.Type
	}{{t.Schema.HashKey, t.Schema.HashType}, {t.Schema.RangeKey, t.Schema.RangeType}, {x.HashKey, x.HashType}, {x.RangeKey, x.RangeType}} {
		if a.name == "" {
			continue
		}
		if v, ok := k[a.name]; !ok || v.T != a.typ {
			return nil, bad
		}
	}
	return k, nil
}

// indexKeyOnly returns the LastEvaluatedKey of an index read.
func indexKeyOnly(t *catalog.Table, x partition.IndexSchema, it value.Item) value.Item {
	k := t.Schema.KeyOnly(it)
	k[x.HashKey] = it[x.HashKey]
	if x.RangeKey != "" {
		k[x.RangeKey] = it[x.RangeKey]
	}
	return k
}

// indexSortBounds narrows [from, to) to the entries that can satisfy a
// sort-key condition. Index entries continue after the sort key (the base
// key follows), so bounds use PrefixEnd where a table read uses "+0x00".
func indexSortBounds(prefix []byte, rp *expr.KeyPart) (from, to []byte) {
	from, to = prefix, partition.PrefixEnd(prefix)
	enc := func(v value.Value) []byte { return value.AppendKey(append([]byte(nil), prefix...), v) }
	switch rp.Op {
	case expr.KeyEQ:
		from, to = enc(rp.Values[0]), partition.PrefixEnd(enc(rp.Values[0]))
	case expr.KeyLT:
		to = enc(rp.Values[0])
	case expr.KeyLE:
		to = partition.PrefixEnd(enc(rp.Values[0]))
	case expr.KeyGT:
		from = partition.PrefixEnd(enc(rp.Values[0]))
	case expr.KeyGE:
		from = enc(rp.Values[0])
	case expr.KeyBetween:
		from, to = enc(rp.Values[0]), partition.PrefixEnd(enc(rp.Values[1]))
	}
	return from, to
}

// indexScanner scans the entries of an index in [from, to).
type indexScanner func(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool)

// localScanner returns a scanner of a local index in one partition, and
// the partition's reader (to fetch base items; its Err reports a failure of
// either).
func localScanner(ctx context.Context, p *catalog.Partition, name string, consistent bool) (indexScanner, partition.Reader, error) {
	rd, err := p.Replica.Read(ctx, consistent)
	if err != nil {
		return nil, nil, err
	}
	lr, ok := rd.(partition.LocalReader)
	if !ok {
		return nil, nil, fmt.Errorf("api: partition reader %T cannot read local indexes", rd)
	}
	return func(from, to []byte, reverse bool, fn func([]byte, value.Item) bool) {
		lr.ScanLocal(name, from, to, reverse, fn)
	}, rd, nil
}

func (h *Handler) queryIndex(ctx context.Context, t *catalog.Table, in *queryInput, kc *expr.KeyCondition, filter *expr.Condition, proj *expr.Projection, countOnly bool) (any, error) {
	ref, err := h.findIndex(t, *in.IndexName, in.consistent(), in.Select)
	if err != nil {
		return nil, err
	}
	x := ref.schema
	if err := kc.Validate(x.HashKey, x.RangeKey); err != nil {
		return nil, err
	}
	if err := kc.ValidateTypes(x.HashType, x.RangeType); err != nil {
		return nil, err
	}
	pk := kc.Hash()
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	prefix := partition.HashPrefix(pk)
	from, to := prefix, partition.PrefixEnd(prefix)
	rp := kc.Range()
	if rp != nil {
		from, to = indexSortBounds(prefix, rp)
	}
	if in.ExclusiveStartKey != nil {
		sk, err := indexStartKey(t, x, in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		if !value.Equal(sk[x.HashKey], pk) {
			return nil, ddberr.Validationf("The provided starting key is outside query boundaries based on provided conditions")
		}
		k := x.Key(t.Schema, sk)
		if forward {
			from = append(k, 0)
		} else {
			to = k
		}
	}
	p := &page{filter: filter, proj: proj, count: countOnly}
	if in.Limit != nil {
		p.limit = int(*in.Limit)
	}
	var scan indexScanner
	var base partition.Reader
	var gsiErr error
	if ref.global != nil {
		scan = func(from, to []byte, reverse bool, fn func([]byte, value.Item) bool) {
			gsiErr = h.gsiScan(ctx, t, x, from, to, reverse, fn)
		}
	} else if scan, base, err = localScanner(ctx, t.PartitionForKey(pk), x.Name, in.consistent()); err != nil {
		return nil, err
	}
	fetch := ref.fetchBase(in.Select, proj)
	scan(from, to, !forward, func(_ []byte, item value.Item) bool {
		if rp != nil && !rp.Match(item[x.RangeKey]) {
			return true
		}
		if fetch {
			if full, ok := base.Get(t.Schema.Key(item)); ok {
				item = full
			}
		}
		return p.add(item)
	})
	if gsiErr != nil {
		return nil, gsiErr
	}
	if base != nil {
		if err := base.Err(); err != nil {
			return nil, err
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return indexReadResponse(t, x, p, in.ReturnConsumedCapacity, in.consistent()), nil
}

func (h *Handler) scanIndex(ctx context.Context, t *catalog.Table, in *scanInput, filter *expr.Condition, proj *expr.Projection, countOnly bool) (any, error) {
	ref, err := h.findIndex(t, *in.IndexName, in.consistent(), in.Select)
	if err != nil {
		return nil, err
	}
	x := ref.schema
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
		sk, err := indexStartKey(t, x, in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		if h := value.Hash(sk[x.HashKey]); h < lo || h > hi {
			return nil, ddberr.Validationf("The provided starting key is invalid: Exclusive start key must lie within the segment")
		}
		from = append(x.Key(t.Schema, sk), 0)
	}
	p := &page{filter: filter, proj: proj, count: countOnly}
	if in.Limit != nil {
		p.limit = int(*in.Limit)
	}
	fetch := ref.fetchBase(in.Select, proj)
	if ref.global != nil {
		if err := h.gsiScan(ctx, t, x, from, to, false, func(_ []byte, item value.Item) bool { return p.add(item) }); err != nil {
			return nil, err
		}
	} else {
		for _, part := range t.Partitions {
			if part.Hi < lo || part.Lo > hi || p.full || p.err != nil {
				continue
			}
			if part.Hi < binary.BigEndian.Uint64(from[:8]) {
				continue
			}
			scan, base, err := localScanner(ctx, part, x.Name, in.consistent())
			if err != nil {
				return nil, err
			}
			scan(from, to, false, func(_ []byte, item value.Item) bool {
				if fetch {
					if full, ok := base.Get(t.Schema.Key(item)); ok {
						item = full
					}
				}
				return p.add(item)
			})
			if err := base.Err(); err != nil {
				return nil, err
			}
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return indexReadResponse(t, x, p, in.ReturnConsumedCapacity, in.consistent()), nil
}

// indexReadResponse renders a page of an index read; LastEvaluatedKey holds
// the table's and the index's key attributes.
func indexReadResponse(t *catalog.Table, x partition.IndexSchema, p *page, rcc *string, consistent bool) rawJSON {
	b := p.render([]byte{'{'})
	if p.full && p.last != nil {
		b = append(b, `,"LastEvaluatedKey":`...)
		b = indexKeyOnly(t, x, p.last).AppendJSON(b)
	}
	if cc := consumed(rcc, t.Name, readUnits(p.bytes, consistent)); cc != nil {
		b = append(b, `,"ConsumedCapacity":`...)
		b = appendAny(b, cc)
	}
	return append(b, '}')
}
