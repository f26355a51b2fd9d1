package api

import (
	"slices"
	"strconv"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// ItemCollectionMetrics: with ReturnItemCollectionMetrics=SIZE, a write to
// a table with local secondary indexes reports the item collection it
// touched (the items with its partition key and their LSI entries): the
// partition key as ItemCollectionKey, and SizeEstimateRangeGB, "a
// two-element array containing a lower bound and an upper bound for the
// estimate" of the collection's size in GB. Tables without local indexes
// report nothing, nor do failed writes (API reference, PutItem, UpdateItem,
// DeleteItem, BatchWriteItem, TransactWriteItems, ItemCollectionMetrics;
// Developer Guide, "Item collections in Local Secondary Indexes", whose
// example reports [0.0, 1.0] for a small collection).
//
// PutItem, UpdateItem and DeleteItem return one ItemCollectionMetrics;
// BatchWriteItem and TransactWriteItems a map from table name to a list
// with one entry per item collection touched ("information about any item
// collections that were affected"): a ConditionCheck writes nothing and is
// not reported, nor are the unprocessed writes of a batch.
//
// The size is the one the partition's state machine computed when the
// write applied (partition.Result.Collection), so every replica and every
// node agrees on it. The estimate is the whole-GB interval holding it:
// [floor(size), floor(size) + 1]. A table created with a smaller
// collection limit (Options.ItemCollectionLimit, for tests) scales the GB
// with it, so that the limit always reads as DynamoDB's 10 GB.

// collectionMetricsAsked reports whether a write to t reports its item
// collection.
func collectionMetricsAsked(mode *string, t *catalog.Table) bool {
	return mode != nil && *mode == "SIZE" && hasLocalIndex(t)
}

func hasLocalIndex(t *catalog.Table) bool {
	return slices.ContainsFunc(t.Schema.Indexes, func(x partition.IndexSchema) bool { return x.Local })
}

// sizeEstimateGB returns the bounds of SizeEstimateRangeGB for a collection
// of size bytes in a table whose collection limit is limit (0: DynamoDB's).
func sizeEstimateGB(size, limit int64) (lo, hi float64) {
	if limit <= 0 {
		limit = partition.DefaultCollectionLimit
	}
	gb := max(limit/10, 1) // 1 GiB at DynamoDB's limit
	lo = float64(max(size, 0) / gb)
	return lo, lo + 1
}

// appendCollectionMetric appends one ItemCollectionMetrics object.
func appendCollectionMetric(b []byte, t *catalog.Table, pk value.Value, size int64) []byte {
	b = append(b, `{"ItemCollectionKey":`...)
	b = value.Item{t.Schema.HashKey: pk}.AppendJSON(b)
	lo, hi := sizeEstimateGB(size, t.Schema.CollectionLimit)
	b = append(b, `,"SizeEstimateRangeGB":[`...)
	b = strconv.AppendFloat(b, lo, 'f', 1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, hi, 'f', 1, 64)
	return append(b, "]}"...)
}

// collectionMetrics gathers the item collections a BatchWriteItem or
// TransactWriteItems touched, per table, each collection once, in the
// order the request first touched them.
type collectionMetrics struct {
	tables map[string]*tableCollections
}

type tableCollections struct {
	table *catalog.Table
	order []string // collection keys (encoded partition keys), first touch first
	pk    map[string]value.Value
	size  map[string]int64
}

// add records a write to t's collection of partition key pk that left it
// at size bytes; merge combines it with an earlier write's size to the
// same collection.
func (m *collectionMetrics) add(t *catalog.Table, pk value.Value, size int64, merge func(prev, next int64) int64) {
	if m.tables == nil {
		m.tables = map[string]*tableCollections{}
	}
	tc := m.tables[t.Name]
	if tc == nil {
		tc = &tableCollections{table: t, pk: map[string]value.Value{}, size: map[string]int64{}}
		m.tables[t.Name] = tc
	}
	k := string(partition.HashPrefix(pk))
	if prev, ok := tc.size[k]; ok {
		tc.size[k] = merge(prev, size)
		return
	}
	tc.order = append(tc.order, k)
	tc.pk[k], tc.size[k] = pk, size
}

// appendTo appends `"ItemCollectionMetrics":{table:[...],...}` (tables
// in name order) after the members already in b, or nothing when no
// collection was recorded.
func (m *collectionMetrics) appendTo(b []byte) []byte {
	if len(m.tables) == 0 {
		return b
	}
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(b, `"ItemCollectionMetrics":{`...)
	names := make([]string, 0, len(m.tables))
	for name := range m.tables {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		tc := m.tables[name]
		if i > 0 {
			b = append(b, ',')
		}
		b = value.AppendString(b, name)
		b = append(b, ":["...)
		for j, k := range tc.order {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendCollectionMetric(b, tc.table, tc.pk[k], tc.size[k])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}
