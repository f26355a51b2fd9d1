package partition

import (
	"github.com/ddbkit/ddbkit/reference/value"
)

// Item collections.
//
// In a table with local secondary indexes, an item collection is every
// item with one partition key value together with those items' entries in
// all the local indexes (Developer Guide, "Item collections in Local
// Secondary Indexes"). Its size is capped (10 GB in DynamoDB:
// ItemCollectionSizeLimitExceededException) and writes report it when asked
// (ReturnItemCollectionMetrics: "the size of all the items in the table,
// plus the size of all attributes projected into all of the local
// secondary indexes", API reference, ItemCollectionMetrics).
//
// A State of a table with local indexes keeps the size of each of its
// collections up to date in every apply (colls), so the limit check and the
// size a write reports cost a map lookup instead of a scan of the
// collection. Sizes are derived from the items: a snapshot does not hold
// them, Restore recomputes them, and every replica computes the same ones.

// msgCollectionLimit is the message of ItemCollectionSizeLimitExceeded
// (not verified against DynamoDB's exact wording).
const msgCollectionLimit = "Item collection size limit exceeded"

// collections maps a collection's key (HashPrefix of its partition key) to
// its size in bytes; collections of size 0 are absent.
type collections map[string]int64

// collectionKey returns the key in colls of the collection of key, an item
// or a key-only item of this table.
func (s *State) collectionKey(key value.Item) string {
	return string(HashPrefix(key[s.schema.HashKey]))
}

// CollectionFootprint returns the bytes item adds to its item collection
// in a table of this schema: its own size and the sizes of its entries in
// the local indexes (0 for a nil item). The difference of two footprints is
// what a write changes its collection by.
func (s KeySchema) CollectionFootprint(item value.Item) int64 {
	if item == nil {
		return 0
	}
	n := int64(value.ItemSize(item))
	for _, x := range s.Indexes {
		if x.Local && x.Indexed(item) {
			n += int64(value.ItemSize(x.Project(s, item)))
		}
	}
	return n
}

func (s *State) footprint(item value.Item) int64 { return s.schema.CollectionFootprint(item) }

// collectionSize returns the size of the collection of key (0 for a table
// without local indexes).
func (s *State) collectionSize(key value.Item) int64 {
	if s.colls == nil {
		return 0
	}
	return s.colls[s.collectionKey(key)]
}

// collectionAfter returns the size the collection of key would have if the
// item at key changed from old to next (nil: absent). It is 0 for a table
// without local indexes, which has no item collections to report.
func (s *State) collectionAfter(key, old, next value.Item) int64 {
	if s.colls == nil {
		return 0
	}
	return s.colls[s.collectionKey(key)] + s.footprint(next) - s.footprint(old)
}

// trackCollection records that the item at key changed from old to next.
// Called under the State's lock, by install.
func (s *State) trackCollection(key, old, next value.Item) {
	if s.colls == nil {
		return
	}
	k := s.collectionKey(key)
	if n := s.collectionAfter(key, old, next); n > 0 {
		s.colls[k] = n
	} else {
		delete(s.colls, k)
	}
}

// collectionGrows reports whether replacing old by next (same key) grows
// the item collection past the limit. Writes that shrink a collection, or
// leave it as it is, are allowed even past the limit, as in DynamoDB.
//
// The growth that prepared transactions would bring to the collection
// counts as if it were there: each prepared write was checked against the
// collection without the others, so two could otherwise both pass and
// commit past the limit together. Only growth counts (a prepared write
// that shrinks the collection may still be cancelled), so the limit holds
// whichever of them commit.
func (s *State) collectionGrows(key, old, next value.Item) bool {
	if next == nil || s.colls == nil {
		return false
	}
	delta := s.footprint(next) - s.footprint(old)
	if delta <= 0 {
		return false
	}
	limit := s.schema.CollectionLimit
	if limit <= 0 {
		limit = DefaultCollectionLimit
	}
	ck := s.collectionKey(key)
	return s.colls[ck]+s.pendingGrowth(ck)+delta > limit
}

// pendingGrowth is the growth that the prepared writes of unresolved
// transactions would bring to collection ck if they all committed.
func (s *State) pendingGrowth(ck string) int64 {
	var n int64
	for bkey, p := range s.txn.prepared {
		if p.Op == OpCheck || s.collectionKey(p.Key) != ck {
			continue
		}
		cur, _, _ := s.current([]byte(bkey))
		if d := s.footprint(p.New) - s.footprint(cur); d > 0 {
			n += d
		}
	}
	return n
}

// newCollections returns the collection sizes of items, or nil for a
// table without local indexes.
func (s *State) newCollections(items []value.Item) collections {
	if len(s.localSchemas) == 0 {
		return nil
	}
	c := collections{}
	for _, it := range items {
		c[s.collectionKey(it)] += s.footprint(it)
	}
	return c
}
