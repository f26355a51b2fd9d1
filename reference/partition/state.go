package partition

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/google/btree"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// entry is one item in a B-tree, kept in its binary form
// (value.AppendItemBinary): about a third of the memory of a decoded
// value.Item and no pointers for the garbage collector to trace, at the
// cost of a decode (a few microseconds) per item read.
type entry struct {
	pfx  uint64 // keyPrefix(key): most comparisons end here, without touching key's bytes
	key  []byte
	enc  []byte
	size int    // value.ItemSize of the item
	ver  uint64 // log index of the write that installed item
	ts   uint64 // timestamp of the last transaction that wrote item (0: none)
}

// newEntry makes the entry of item at key; size is value.ItemSize(item).
func newEntry(key []byte, item value.Item, size int) entry {
	return entry{key: key, pfx: keyPrefix(key), enc: value.AppendItemBinary(make([]byte, 0, size+8*len(item)+8), item), size: size}
}

// item decodes the entry's item, sharing the entry's memory (enc is never
// modified). The encoding was made by newEntry, so a failure is a bug in
// this package.
func (e *entry) item() value.Item {
	it, _, err := value.DecodeItemBinaryShared(e.enc)
	if err != nil {
		panic(fmt.Sprintf("partition: corrupt item encoding in memory: %v", err))
	}
	return it
}

// lessEntry orders entries by key. The B-trees hold entries by value, so
// a search compares prefixes inside the node's own array, and the prefix
// decides almost every comparison: an item key begins with the 8-byte hash
// of its partition key (KeySchema.Key). With pointers to entries and
// bytes.Compare of their keys, two cache misses per comparison made a
// lookup in a YCSB-sized partition cost about 4 µs on a loaded 2-core
// machine; loading the prefix through the pointer still cost one.
func lessEntry(a, b entry) bool {
	if a.pfx != b.pfx {
		return a.pfx < b.pfx
	}
	return bytes.Compare(a.key, b.key) < 0
}

// keyPrefix is the first 8 bytes of key as a big-endian number, padded
// with zeros: keyPrefix(a) < keyPrefix(b) implies a < b bytewise, and
// keys with equal prefixes compare by their bytes.
func keyPrefix(key []byte) uint64 {
	if len(key) >= 8 {
		return binary.BigEndian.Uint64(key)
	}
	var b [8]byte
	copy(b[:], key)
	return binary.BigEndian.Uint64(b[:])
}

// probe is a search key for the B-trees.
func probe(key []byte) entry { return entry{key: key, pfx: keyPrefix(key)} }

// dedupWindow is how many recent command IDs a State remembers.
const dedupWindow = 4096

// State is a partition's data: the B-tree of items, the index of the last
// applied command, and the recent command IDs. Apply is deterministic. State
// is safe for concurrent readers and one applier.
type State struct {
	schema KeySchema

	mu      sync.RWMutex
	tree    *btree.BTreeG[entry]
	applied uint64
	bytes   int64
	seen    map[string]Result
	order   []string // FIFO of seen IDs, for eviction

	txn txnState // prepared transactions and recent outcomes (txn.go)

	localSchemas []IndexSchema // local secondary indexes (index.go)
	local        localIndexes
	colls        collections // item collection sizes, nil without local indexes (collection.go)
	feed         *Feed       // change feed for global indexes, nil until asked (feed.go)

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
	s := &State{
		schema:       schema,
		tree:         btree.NewG(32, lessEntry),
		seen:         make(map[string]Result),
		txn:          newTxnState(),
		localSchemas: schema.LocalIndexes(),
		local:        localIndexes{},
	}
	for _, x := range s.localSchemas {
		s.local[x.Name] = newTree()
	}
	s.colls = s.newCollections(nil)
	return s
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
	e, ok := s.tree.Get(probe(key))
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return e.item(), true
}

// GetEncoded returns the binary form (value.AppendItemBinary) of the item
// with the given B-tree key and its value.ItemSize, without decoding it; the
// bytes are never modified, so the caller may keep them but must not change
// them.
func (s *State) GetEncoded(key []byte) (enc []byte, size int, ok bool) {
	s.mu.RLock()
	e, ok := s.tree.Get(probe(key))
	s.mu.RUnlock()
	if !ok {
		return nil, 0, false
	}
	return e.enc, e.size, true
}

// Scan calls fn for items with from <= key < to (nil bounds are open), in
// ascending or descending key order, until fn returns false. It reads a
// copy-on-write clone, so it sees one consistent state and never blocks
// writers.
func (s *State) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	s.mu.Lock()
	t := s.tree.Clone()
	s.mu.Unlock()
	scanTree(t, from, to, reverse, fn)
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
	if cmd.Txn != nil {
		return s.applyTxn(cmd)
	}
	key := s.schema.Key(cmd.Key)
	if p := s.txn.prepared[string(key)]; p != nil {
		// A plain write never waits: an item with a prepared transaction
		// rejects it, as DynamoDB does (TransactionConflictException).
		return Result{Err: conflictErr()}
	}
	old, _, _ := s.current(key)
	next, err := s.compute(cmd, old)
	if err != nil {
		return Result{Old: old, Err: err}
	}
	if cmd.Op == OpCheck {
		return Result{Old: old, New: old}
	}
	s.install(key, cmd.Op == OpDelete, next, 0)
	return Result{Old: old, New: next, Collection: s.collectionSize(cmd.Key)}
}

// current returns the committed item at key (nil when absent).
func (s *State) current(key []byte) (value.Item, entry, bool) {
	if e, ok := s.tree.Get(probe(key)); ok {
		return e.item(), e, true
	}
	return nil, entry{}, false
}

// compute evaluates cmd's condition against old and returns the item cmd
// would leave (nil for a delete), without changing the state.
func (s *State) compute(cmd *Command, old value.Item) (value.Item, error) {
	if cmd.cond != nil && !s.unsafeSkipConditions {
		ok, err := cmd.cond.Eval(old)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ddberr.New(ddberr.ConditionalCheckFailed, "The conditional request failed")
		}
	}
	var next value.Item
	switch cmd.Op {
	case OpCheck:
		return old, nil
	case OpDelete:
		return nil, nil
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
				return nil, err
			}
		} else {
			next = base
		}
	}
	if err := s.schema.CheckIndexKeys(next); err != nil {
		return nil, err
	}
	if s.collectionGrows(cmd.Key, old, next) {
		return nil, ddberr.New(ddberr.ItemCollectionSizeLimit, msgCollectionLimit)
	}
	// On a table with local indexes, the 400 KB limit holds for the item
	// and its entries in all local indexes together (Developer Guide,
	// Service quotas, "Item size for tables with Local Secondary Indexes").
	if value.ItemSize(next) > value.MaxItemSize || (s.colls != nil && s.footprint(next) > value.MaxItemSize) {
		msg := "Item size has exceeded the maximum allowed size"
		if cmd.Op == OpUpdate {
			msg = "Item size to update has exceeded the maximum allowed size"
		}
		return nil, ddberr.New(ddberr.Validation, msg)
	}
	return next, nil
}

// install writes next at key (or deletes it) as the command at s.applied,
// stamping the item with the writing transaction's timestamp ts.
func (s *State) install(key []byte, del bool, next value.Item, ts uint64) {
	e, found := s.tree.Get(probe(key))
	oldSize := 0
	var old value.Item
	if found {
		oldSize = e.size
		ts = max(ts, e.ts) // timestamps of an item never go back
		if len(s.localSchemas) > 0 {
			old = e.item()
		}
	}
	if del {
		if found {
			s.tree.Delete(probe(key))
			s.bytes -= int64(oldSize)
			s.txn.lastDelete = s.applied
			if len(s.localSchemas) > 0 {
				s.updateLocal(old, nil)
				s.trackCollection(old, old, nil)
			}
			s.feed.add(key, nil)
		}
		return
	}
	if len(s.localSchemas) > 0 {
		s.updateLocal(old, next)
		s.trackCollection(next, old, next)
	}
	s.feed.add(key, next)
	size := value.ItemSize(next)
	ne := newEntry(key, next, size)
	ne.ver, ne.ts = s.applied, ts
	s.tree.ReplaceOrInsert(ne)
	s.bytes += int64(size - oldSize)
}
