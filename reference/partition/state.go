package partition

import (
	"bytes"
	"sync"

	"github.com/google/btree"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

type entry struct {
	key  []byte
	item value.Item
	size int
}

func lessEntry(a, b *entry) bool { return bytes.Compare(a.key, b.key) < 0 }

// dedupWindow is how many recent command IDs a State remembers.
const dedupWindow = 4096

// State is a partition's data: the B-tree of items, the index of the last
// applied command, and the recent command IDs. Apply is deterministic. State
// is safe for concurrent readers and one applier.
type State struct {
	schema KeySchema

	mu      sync.RWMutex
	tree    *btree.BTreeG[*entry]
	applied uint64
	bytes   int64
	seen    map[string]Result
	order   []string // FIFO of seen IDs, for eviction

	// unsafeSkipConditions is a deliberately broken mode for negative
	// controls (jepsen): conditions are not evaluated at apply time.
	unsafeSkipConditions bool
}

// UnsafeSkipConditions turns on a deliberately WRONG mode in which
// conditions are ignored when commands apply. It exists only so that
// checkers can prove they catch it (negative controls); never use it
// otherwise.
func (s *State) UnsafeSkipConditions() {
	s.mu.Lock()
	s.unsafeSkipConditions = true
	s.mu.Unlock()
}

// NewState returns an empty partition state.
func NewState(schema KeySchema) *State {
	return &State{
		schema: schema,
		tree:   btree.NewG(32, lessEntry),
		seen:   make(map[string]Result),
	}
}

// Schema returns the key schema.
func (s *State) Schema() KeySchema { return s.schema }

// Applied returns the index of the last applied command.
func (s *State) Applied() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.applied
}

// Stats returns the number of items and their total size in bytes.
func (s *State) Stats() (items int, bytes int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tree.Len(), s.bytes
}

// Get returns the item with the given B-tree key.
func (s *State) Get(key []byte) (value.Item, bool) {
	s.mu.RLock()
	e, ok := s.tree.Get(&entry{key: key})
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return e.item, true
}

// Scan calls fn for items with from <= key < to (nil bounds are open), in
// ascending or descending key order, until fn returns false. It reads a
// copy-on-write clone, so it sees one consistent state and never blocks
// writers.
func (s *State) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	s.mu.Lock()
	t := s.tree.Clone()
	s.mu.Unlock()
	iter := func(e *entry) bool { return fn(e.key, e.item) }
	switch {
	case !reverse && from == nil && to == nil:
		t.Ascend(iter)
	case !reverse && to == nil:
		t.AscendGreaterOrEqual(&entry{key: from}, iter)
	case !reverse && from == nil:
		t.AscendLessThan(&entry{key: to}, iter)
	case !reverse:
		t.AscendRange(&entry{key: from}, &entry{key: to}, iter)
	default:
		// Descending over [from, to): start just below to.
		stop := func(e *entry) bool {
			if from != nil && bytes.Compare(e.key, from) < 0 {
				return false
			}
			return fn(e.key, e.item)
		}
		if to == nil {
			t.Descend(stop)
		} else {
			t.DescendLessOrEqual(&entry{key: to}, func(e *entry) bool {
				if bytes.Equal(e.key, to) {
					return true
				}
				return stop(e)
			})
		}
	}
}

// Apply applies cmd as the command at log position index and returns its
// result. A command whose ID was applied before returns the earlier result.
func (s *State) Apply(index uint64, cmd *Command) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if index > s.applied {
		s.applied = index
	}
	if cmd.ID != "" {
		if r, ok := s.seen[cmd.ID]; ok {
			return r
		}
	}
	r := s.apply(cmd)
	if cmd.ID != "" {
		s.remember(cmd.ID, r)
	}
	return r
}

func (s *State) remember(id string, r Result) {
	s.seen[id] = r
	s.order = append(s.order, id)
	if len(s.order) > dedupWindow {
		delete(s.seen, s.order[0])
		s.order = s.order[1:]
	}
}

func (s *State) apply(cmd *Command) Result {
	if err := cmd.Prepare(); err != nil {
		return Result{Err: err}
	}
	key := s.schema.Key(cmd.Key)
	var old value.Item
	var oldSize int
	if e, ok := s.tree.Get(&entry{key: key}); ok {
		old, oldSize = e.item, e.size
	}
	if cmd.cond != nil && !s.unsafeSkipConditions {
		ok, err := cmd.cond.Eval(old)
		if err != nil {
			return Result{Err: err}
		}
		if !ok {
			return Result{Old: old, Err: ddberr.New(ddberr.ConditionalCheckFailed, "The conditional request failed")}
		}
	}
	var next value.Item
	switch cmd.Op {
	case OpCheck:
		return Result{Old: old, New: old}
	case OpDelete:
		if old != nil {
			s.tree.Delete(&entry{key: key})
			s.bytes -= int64(oldSize)
		}
		return Result{Old: old}
	case OpPut:
		next = cmd.Item
	case OpUpdate:
		base := old
		if base == nil {
			base = cmd.Key
		}
		if cmd.upd != nil {
			var err error
			if next, err = cmd.upd.Apply(base); err != nil {
				return Result{Old: old, Err: err}
			}
		} else {
			next = base
		}
	}
	size := value.ItemSize(next)
	if size > value.MaxItemSize {
		msg := "Item size has exceeded the maximum allowed size"
		if cmd.Op == OpUpdate {
			msg = "Item size to update has exceeded the maximum allowed size"
		}
		return Result{Old: old, Err: ddberr.New(ddberr.Validation, msg)}
	}
	s.tree.ReplaceOrInsert(&entry{key: key, item: next, size: size})
	s.bytes += int64(size - oldSize)
	return Result{Old: old, New: next}
}
