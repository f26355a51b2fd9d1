package partition

import (
	"slices"
	"sync"

	"github.com/ddbkit/ddbkit/reference/value"
)

// Feed is a partition's change feed and the entries of the global
// secondary indexes that fall in the partition.
//
// A global secondary index is kept per base partition, on every replica
// that was asked for it: the entries of the partition's items, in an
// IndexTree updated by every item change the State applies (add, under the
// State's lock), so it is exactly as fresh as its replica. A GSI read
// merges the partitions' entries in index key order (the entry keys sort
// the same way in every partition, and every entry lives in exactly one).
//
// Nothing here is replicated: the entries are derived from the applied
// state. A replica builds an index's entries the first time it is asked
// (globalTree): it clones the B-tree, indexes the clone without holding
// the State's lock, then, under the lock, applies the changes recorded
// meanwhile and installs the tree; from then on add keeps it in step.
// Changes are recorded only while such a build is in progress (at most
// feedCap; a build that falls further behind starts over).
type Feed struct {
	mu        sync.Mutex
	first     uint64   // sequence number of changes[0]
	changes   []Change // recorded while building > 0
	building  int      // index builds in progress
	globals   map[string]*IndexTree
	revisions uint64 // bumped by reset: trees built from an older state are stale
}

// Change is one item change.
type Change struct {
	Seq  uint64
	Key  []byte
	Item value.Item // nil: deleted
}

const feedCap = 1 << 16

// feedLocked returns the State's feed, creating it. Called under the
// State's lock.
func (s *State) feedLocked() *Feed {
	if s.feed == nil {
		s.feed = &Feed{first: 1, globals: map[string]*IndexTree{}}
	}
	return s.feed
}

// add applies an item change to the global index entries and records it
// for the builds in progress; a nil Feed does nothing. Called under the
// State's lock.
func (f *Feed) add(key []byte, item value.Item) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.globals {
		t.Set(key, item)
	}
	if f.building == 0 {
		return
	}
	f.changes = append(f.changes, Change{Seq: f.first + uint64(len(f.changes)), Key: key, Item: item})
	if len(f.changes) > feedCap {
		drop := len(f.changes) - feedCap
		f.changes = append(f.changes[:0:0], f.changes[drop:]...)
		f.first += uint64(drop)
	}
}

// next returns the sequence number the next change will get. Called under
// f.mu.
func (f *Feed) next() uint64 { return f.first + uint64(len(f.changes)) }

// since returns the changes with Seq >= from, and lost=true when some of
// them were already dropped. Called under f.mu.
func (f *Feed) since(from uint64) (out []Change, lost bool) {
	if from < f.first {
		return nil, true
	}
	i := int(from - f.first)
	if i >= len(f.changes) {
		return nil, false
	}
	return f.changes[i:], false
}

// reset drops every global index entry and recorded change: the State was
// replaced (a snapshot was restored), so the entries are rebuilt from the
// new state when next asked for, and builds in progress start over.
func (f *Feed) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.first += uint64(len(f.changes)) + 1
	f.changes = nil
	f.globals = map[string]*IndexTree{}
	f.revisions++
}

// globalTree returns the partition's entries of global index x, building
// them first if this replica has not (or had them for an index of another
// schema under the same name).
func (s *State) globalTree(x IndexSchema) *IndexTree {
	for {
		s.mu.Lock()
		f := s.feedLocked()
		f.mu.Lock()
		if t := f.globals[x.Name]; t != nil && sameIndex(t.Schema, x) {
			f.mu.Unlock()
			s.mu.Unlock()
			return t
		}
		clone := s.tree.Clone()
		from, rev := f.next(), f.revisions
		f.building++
		f.mu.Unlock()
		s.mu.Unlock()

		t := NewIndexTree(x, s.schema)
		scanTree(clone, nil, nil, false, func(key []byte, item value.Item) bool {
			t.Set(key, item)
			return true
		})

		s.mu.Lock()
		f.mu.Lock()
		f.building--
		changes, lost := f.since(from)
		ok := !lost && rev == f.revisions
		if ok {
			for _, c := range changes {
				t.Set(c.Key, c.Item)
			}
			if cur := f.globals[x.Name]; cur != nil && sameIndex(cur.Schema, x) {
				t = cur // another build finished first
			} else {
				f.globals[x.Name] = t
			}
		}
		if f.building == 0 {
			f.first += uint64(len(f.changes))
			f.changes = nil
		}
		f.mu.Unlock()
		s.mu.Unlock()
		if ok {
			return t
		}
	}
}

// sameIndex reports whether two index schemas describe the same entries.
func sameIndex(a, b IndexSchema) bool {
	return a.Name == b.Name && a.HashKey == b.HashKey && a.HashType == b.HashType &&
		a.RangeKey == b.RangeKey && a.RangeType == b.RangeType && a.Projection == b.Projection &&
		slices.Equal(a.NonKey, b.NonKey)
}
