package partition

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/google/btree"

	"github.com/ddbkit/ddbkit/reference/value"
)

// Machine adapts a State to a replicated log (replica.StateMachine): commands
// arrive as encoded bytes (Command.Marshal) in log order on every replica.
type Machine struct{ *State }

// NewMachine returns a state machine over a new, empty State.
func NewMachine(schema KeySchema) Machine { return Machine{NewState(schema)} }

// Apply decodes and applies one command; the result is a Result.
func (m Machine) Apply(index uint64, cmd []byte) any {
	c, err := UnmarshalCommand(cmd)
	if err != nil {
		return Result{Err: err}
	}
	return m.State.Apply(index, c)
}

// snapshot is the encoded image of a State.
type snapshot struct {
	Applied uint64       `json:"applied"`
	Items   []value.Item `json:"items"`
	// Meta holds each item's version and transaction timestamp (parallel
	// to Items); Prepared, Resolved and LastDelete the transaction state.
	Meta       [][2]uint64     `json:"meta,omitempty"`
	Prepared   []*prepared     `json:"prepared,omitempty"`
	Resolved   []resolvedEntry `json:"resolved,omitempty"`
	LastDelete uint64          `json:"lastDelete,omitempty"`
}

type resolvedEntry struct {
	ID        string `json:"id"`
	Committed bool   `json:"c,omitempty"`
}

// Snapshot returns the state's image as of the last applied command.
func (m Machine) Snapshot() ([]byte, error) {
	m.mu.RLock()
	snap := snapshot{Applied: m.applied, Items: make([]value.Item, 0, m.tree.Len())}
	m.tree.Ascend(func(e *entry) bool {
		snap.Items = append(snap.Items, e.item)
		snap.Meta = append(snap.Meta, [2]uint64{e.ver, e.ts})
		return true
	})
	keys := make([]string, 0, len(m.txn.prepared))
	for k := range m.txn.prepared {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		snap.Prepared = append(snap.Prepared, m.txn.prepared[k])
	}
	for _, id := range m.txn.order {
		snap.Resolved = append(snap.Resolved, resolvedEntry{ID: id, Committed: m.txn.resolved[id]})
	}
	snap.LastDelete = m.txn.lastDelete
	m.mu.RUnlock()
	return json.Marshal(snap)
}

// Restore replaces the state with an image taken at index.
func (m Machine) Restore(index uint64, b []byte) error {
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return fmt.Errorf("partition: decode snapshot: %w", err)
	}
	tree := btree.NewG(32, lessEntry)
	local := localIndexes{}
	for _, x := range m.localSchemas {
		local[x.Name] = newTree()
	}
	var total int64
	for i, it := range snap.Items {
		size := value.ItemSize(it)
		e := &entry{key: m.schema.Key(it), item: it, size: size, ver: index}
		if i < len(snap.Meta) {
			e.ver, e.ts = snap.Meta[i][0], snap.Meta[i][1]
		}
		tree.ReplaceOrInsert(e)
		total += int64(size)
		for _, x := range m.localSchemas {
			if x.Indexed(it) {
				p := x.Project(m.schema, it)
				local[x.Name].ReplaceOrInsert(&entry{key: x.Key(m.schema, it), item: p, size: value.ItemSize(p)})
			}
		}
	}
	txn := newTxnState()
	for _, p := range snap.Prepared {
		txn.prepared[string(m.schema.Key(p.Key))] = p
	}
	for _, r := range snap.Resolved {
		txn.resolve(r.ID, r.Committed)
	}
	txn.lastDelete = snap.LastDelete
	m.mu.Lock()
	m.tree, m.bytes, m.applied = tree, total, index
	m.seen, m.order = make(map[string]Result), nil
	m.txn = txn
	m.local = local
	feed := m.feed
	m.mu.Unlock()
	if feed != nil {
		// The feed's consumers cannot follow a replaced state: tell them
		// to rebuild.
		feed.reset()
	}
	return nil
}

// Digest returns a hash of the partition's contents (keys and items, in key
// order, maps with sorted names, then prepared transaction writes): equal
// digests mean equal data, whatever the replica.
func (s *State) Digest() string {
	h := sha256.New()
	var buf []byte
	s.Scan(nil, nil, false, func(key []byte, item value.Item) bool {
		buf = append(buf[:0], key...)
		buf = appendCanonical(buf, value.Value{T: value.M, Map: item})
		h.Write(buf)
		return true
	})
	// Prepared transaction writes are state too: replicas must agree on
	// them (after a quiet period there should be none).
	for _, c := range s.PreparedCommands() {
		buf = append(buf[:0], "prepared:"...)
		buf = append(buf, c.Txn.ID...)
		buf = append(buf, s.schema.Key(c.Key)...)
		if c.Item != nil {
			buf = appendCanonical(buf, value.Value{T: value.M, Map: c.Item})
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func appendCanonical(b []byte, v value.Value) []byte {
	if v.T != value.M && v.T != value.L {
		return v.AppendJSON(b)
	}
	if v.T == value.L {
		b = append(b, 'L', '[')
		for _, x := range v.List {
			b = appendCanonical(b, x)
			b = append(b, ',')
		}
		return append(b, ']')
	}
	names := make([]string, 0, len(v.Map))
	for k := range v.Map {
		names = append(names, k)
	}
	sort.Strings(names)
	b = append(b, 'M', '{')
	for _, k := range names {
		b = value.AppendString(b, k)
		b = appendCanonical(b, v.Map[k])
		b = append(b, ',')
	}
	return append(b, '}')
}
