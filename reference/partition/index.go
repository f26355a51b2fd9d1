package partition

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"

	"github.com/google/btree"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Secondary indexes, the storage side.
//
// An index entry's key is 8 bytes big-endian hash of the index partition
// key, then value.AppendKey of the index partition key, of the index sort
// key (if any), and of the base table's partition and sort keys: entries
// with one index partition key are contiguous and ordered by index sort
// key, and the base key makes every entry unique (an index key need not
// be). Items lacking an index key attribute, or holding it with another
// type, are not in the index (sparse indexes).
//
// A local secondary index (same partition key as the table) lives in the
// base partition's State, in a tree updated in the same apply as the item,
// so it is as consistent as the table. A global secondary index's entries
// are kept per base partition, in an IndexTree on each replica that was
// asked for them (feed.go); a GSI read merges the partitions' entries in
// key order, from any replica of each, so it is eventually consistent.

// Projection types.
const (
	ProjectAll      = "ALL"
	ProjectKeysOnly = "KEYS_ONLY"
	ProjectInclude  = "INCLUDE"
)

// IndexSchema describes one secondary index.
type IndexSchema struct {
	Name       string     `json:"name"`
	HashKey    string     `json:"hash"`
	HashType   value.Type `json:"hashType"`
	RangeKey   string     `json:"range,omitempty"`
	RangeType  value.Type `json:"rangeType,omitempty"`
	Projection string     `json:"projection"`
	NonKey     []string   `json:"nonKey,omitempty"`
	Local      bool       `json:"local,omitempty"`
}

// Indexed reports whether item belongs in the index.
func (x IndexSchema) Indexed(item value.Item) bool {
	if v, ok := item[x.HashKey]; !ok || v.T != x.HashType {
		return false
	}
	if x.RangeKey != "" {
		if v, ok := item[x.RangeKey]; !ok || v.T != x.RangeType {
			return false
		}
	}
	return true
}

// Key returns the entry key of an indexed item of a table with schema base.
func (x IndexSchema) Key(base KeySchema, item value.Item) []byte {
	pk := item[x.HashKey]
	b := make([]byte, 8, 64)
	binary.BigEndian.PutUint64(b, value.Hash(pk))
	b = value.AppendKey(b, pk)
	if x.RangeKey != "" {
		b = value.AppendKey(b, item[x.RangeKey])
	}
	b = value.AppendKey(b, item[base.HashKey])
	if base.RangeKey != "" {
		b = value.AppendKey(b, item[base.RangeKey])
	}
	return b
}

// Prefix returns the key prefix of the entries with index partition key pk.
func (x IndexSchema) Prefix(pk value.Value) []byte { return HashPrefix(pk) }

// Project returns the attributes of item the index stores.
func (x IndexSchema) Project(base KeySchema, item value.Item) value.Item {
	if x.Projection == ProjectAll || x.Projection == "" {
		return item
	}
	out := value.Item{}
	for _, k := range []string{base.HashKey, base.RangeKey, x.HashKey, x.RangeKey} {
		if k != "" {
			if v, ok := item[k]; ok {
				out[k] = v
			}
		}
	}
	if x.Projection == ProjectInclude {
		for _, k := range x.NonKey {
			if v, ok := item[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

// Projects reports whether the index stores attribute name.
func (x IndexSchema) Projects(base KeySchema, name string) bool {
	switch {
	case x.Projection == ProjectAll || x.Projection == "":
		return true
	case name == base.HashKey || name == base.RangeKey || name == x.HashKey || name == x.RangeKey:
		return true
	case x.Projection == ProjectInclude:
		for _, k := range x.NonKey {
			if k == name {
				return true
			}
		}
	}
	return false
}

// tree is an ordered map of entries, shared by States and IndexTrees.
type tree = btree.BTreeG[entry]

func newTree() *tree { return btree.NewG(32, lessEntry) }

// scanTree calls fn for entries with from <= key < to in t (a clone the
// caller owns), ascending or descending.
func scanTree(t *tree, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	iter := func(e entry) bool { return fn(e.key, e.item()) }
	switch {
	case !reverse && from == nil && to == nil:
		t.Ascend(iter)
	case !reverse && to == nil:
		t.AscendGreaterOrEqual(probe(from), iter)
	case !reverse && from == nil:
		t.AscendLessThan(probe(to), iter)
	case !reverse:
		t.AscendRange(probe(from), probe(to), iter)
	default:
		stop := func(e entry) bool {
			if from != nil && bytes.Compare(e.key, from) < 0 {
				return false
			}
			return fn(e.key, e.item())
		}
		if to == nil {
			t.Descend(stop)
		} else {
			t.DescendLessOrEqual(probe(to), func(e entry) bool {
				if bytes.Equal(e.key, to) {
					return true
				}
				return stop(e)
			})
		}
	}
}

// IndexTree holds the entries of a global secondary index: for each base
// item (by its base key) at most one entry. Set is idempotent and
// order-insensitive across items, so replaying a suffix of a feed converges.
type IndexTree struct {
	Schema IndexSchema
	Base   KeySchema

	mu     sync.Mutex
	t      *tree
	byBase map[string][]byte // base B-tree key -> entry key
}

// NewIndexTree returns an empty index over a table with key schema base.
func NewIndexTree(x IndexSchema, base KeySchema) *IndexTree {
	return &IndexTree{Schema: x, Base: base, t: newTree(), byBase: make(map[string][]byte)}
}

// Set makes the index reflect that the base item at baseKey is now item
// (nil: deleted).
func (it *IndexTree) Set(baseKey []byte, item value.Item) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if prev, ok := it.byBase[string(baseKey)]; ok {
		it.t.Delete(probe(prev))
		delete(it.byBase, string(baseKey))
	}
	if item == nil || !it.Schema.Indexed(item) {
		return
	}
	k := it.Schema.Key(it.Base, item)
	p := it.Schema.Project(it.Base, item)
	it.t.ReplaceOrInsert(newEntry(k, p, value.ItemSize(p)))
	it.byBase[string(baseKey)] = k
}

// Len returns the number of entries.
func (it *IndexTree) Len() int {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.t.Len()
}

// Stats returns the number of entries and their total size.
func (it *IndexTree) Stats() (int, int64) {
	it.mu.Lock()
	defer it.mu.Unlock()
	var size int64
	it.t.Ascend(func(e entry) bool { size += int64(e.size); return true })
	return it.t.Len(), size
}

// Scan calls fn for entries with from <= key < to, over a consistent
// clone.
func (it *IndexTree) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	it.mu.Lock()
	c := it.t.Clone()
	it.mu.Unlock()
	scanTree(c, from, to, reverse, fn)
}

// localIndexes are the LSI trees of a State.
type localIndexes map[string]*tree

// updateLocal keeps the State's LSI trees in step with an item change at
// key (old -> next, nil for absent). Called under the State's lock.
func (s *State) updateLocal(old, next value.Item) {
	for _, x := range s.localSchemas {
		t := s.local[x.Name]
		if old != nil && x.Indexed(old) {
			t.Delete(probe(x.Key(s.schema, old)))
		}
		if next != nil && x.Indexed(next) {
			p := x.Project(s.schema, next)
			t.ReplaceOrInsert(newEntry(x.Key(s.schema, next), p, value.ItemSize(p)))
		}
	}
}

// ScanLocal scans the local secondary index name like Scan scans items.
func (s *State) ScanLocal(name string, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	s.mu.Lock()
	t := s.local[name]
	if t != nil {
		t = t.Clone()
	}
	s.mu.Unlock()
	if t != nil {
		scanTree(t, from, to, reverse, fn)
	}
}

// LocalReader is a Reader that can scan local secondary indexes (State
// implements it).
type LocalReader interface {
	Reader
	ScanLocal(name string, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool)
}

// checkIndexKeys rejects an item whose index key attributes have the
// wrong type or are empty, as DynamoDB does on every write.
func (s KeySchema) CheckIndexKeys(item value.Item) error {
	for _, x := range s.Indexes {
		if err := x.CheckKeys(item); err != nil {
			return err
		}
	}
	return nil
}

// CheckKeys rejects an item whose attributes for this index's keys have the
// wrong type or an empty value (an absent attribute is fine: sparse).
func (x IndexSchema) CheckKeys(item value.Item) error {
	for _, k := range []struct {
		name string
		typ  value.Type
		max  int
	}{{x.HashKey, x.HashType, 2048}, {x.RangeKey, x.RangeType, 1024}} {
		if k.name == "" {
			continue
		}
		v, ok := item[k.name]
		if !ok {
			continue
		}
		if v.T != k.typ {
			return ddberr.Invalid("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.name, k.typ, v.T, x.Name)
		}
		if n := value.Size(v); n > k.max {
			return ddberr.Invalid("Size limit exceeded for Index Key %s Actual Size: %d bytes Max Size: %d bytes IndexName: %s", k.name, n, k.max, x.Name)
		}
		if (v.T == value.S && v.Str == "") || (v.T == value.B && len(v.Bin) == 0) {
			return ddberr.Validationf("One or more parameter values are not valid. A value specified for a secondary index key is not supported. "+
				"The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyKind(v.T), x.Name, k.name)
		}
	}
	return nil
}

func emptyKind(t value.Type) string {
	if t == value.B {
		return "binary"
	}
	return "string"
}

// GlobalReader is a Reader that can scan the entries a global secondary
// index holds for the items of its partition (State implements it, and so
// does a router's reader of a remote replica).
type GlobalReader interface {
	Reader
	// ScanGlobal scans the partition's entries of index x like Scan scans
	// items, building them first if the replica has not.
	ScanGlobal(x IndexSchema, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool)
	// BuildGlobal builds the partition's entries of index x on the replica
	// (a backfill), if it has not; it returns at once when it has.
	BuildGlobal(x IndexSchema)
}

// ScanGlobal implements GlobalReader over a consistent clone of the
// entries.
func (s *State) ScanGlobal(x IndexSchema, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	s.globalTree(x).Scan(from, to, reverse, fn)
}

// BuildGlobal implements GlobalReader.
func (s *State) BuildGlobal(x IndexSchema) { s.globalTree(x) }

// GlobalStats returns the number and total size of the partition's entries
// of global index name, and false when this replica has not built them.
func (s *State) GlobalStats(name string) (int, int64, bool) {
	s.mu.Lock()
	var t *IndexTree
	if s.feed != nil {
		s.feed.mu.Lock()
		t = s.feed.globals[name]
		s.feed.mu.Unlock()
	}
	s.mu.Unlock()
	if t == nil {
		return 0, 0, false
	}
	n, size := t.Stats()
	return n, size, true
}

// KeepGlobals drops the entries of the global indexes not named (indexes
// deleted from the table).
func (s *State) KeepGlobals(names []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.feed == nil {
		return
	}
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	for name := range s.feed.globals {
		if !slices.Contains(names, name) {
			delete(s.feed.globals, name)
		}
	}
}
