package partition

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
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
func (m Machine) Snapshot() ([]byte, error) { return m.SnapshotImageAppend()(nil) }

// SnapshotImageAppend captures the state as of the last applied command,
// cheaply (a copy-on-write clone of the B-tree and copies of the small
// transaction tables), and returns the function that appends that capture's
// encoding to dst (a snapshot's header: the image is large, so it is written
// once, after it). The encoding may run on another goroutine while commands
// go on applying.
func (m Machine) SnapshotImageAppend() func(dst []byte) ([]byte, error) {
	m.mu.Lock()
	applied, tree := m.applied, m.tree.Clone()
	keys := make([]string, 0, len(m.txn.prepared))
	for k := range m.txn.prepared {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var txn snapshot
	for _, k := range keys {
		txn.Prepared = append(txn.Prepared, m.txn.prepared[k])
	}
	for _, id := range m.txn.order {
		txn.Resolved = append(txn.Resolved, resolvedEntry{ID: id, Committed: m.txn.resolved[id]})
	}
	txn.LastDelete = m.txn.lastDelete
	m.mu.Unlock()
	return func(dst []byte) ([]byte, error) {
		tj, err := json.Marshal(txn)
		if err != nil {
			return nil, fmt.Errorf("partition: encode snapshot: %w", err)
		}
		// The exact size, so the image is copied once: the items' binary
		// forms outweigh value.ItemSize by a few bytes per attribute.
		n := 64 + len(tj)
		tree.Ascend(func(e entry) bool {
			n += len(e.enc) + 2*binary.MaxVarintLen64
			return true
		})
		b := slices.Grow(dst, n)
		b = append(b, snapshotMagic)
		b = binary.AppendUvarint(b, applied)
		b = binary.AppendUvarint(b, uint64(tree.Len()))
		tree.Ascend(func(e entry) bool {
			b = binary.AppendUvarint(b, e.ver)
			b = binary.AppendUvarint(b, e.ts)
			b = append(b, e.enc...)
			return true
		})
		b = binary.AppendUvarint(b, uint64(len(tj)))
		return append(b, tj...), nil
	}
}

// snapshotMagic starts a binary snapshot: applied, item count, then per
// item its version, transaction timestamp and binary form, then the
// transaction tables as JSON (small, and rarely non-empty). Older
// snapshots are JSON objects (they begin with '{').
const snapshotMagic = 0xB5

// decodeSnapshot reads a binary or JSON snapshot.
func decodeSnapshot(b []byte) (snapshot, error) {
	var snap snapshot
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &snap); err != nil {
			return snap, fmt.Errorf("partition: decode snapshot: %w", err)
		}
		return snap, nil
	}
	bad := func(what string) (snapshot, error) {
		return snapshot{}, fmt.Errorf("partition: decode snapshot: %s", what)
	}
	if len(b) == 0 || b[0] != snapshotMagic {
		return bad("unknown format")
	}
	b = b[1:]
	uv := func() (uint64, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return x, true
	}
	applied, ok1 := uv()
	count, ok2 := uv()
	if !ok1 || !ok2 || count > uint64(len(b)) {
		return bad("header")
	}
	snap.Applied = applied
	snap.Items = make([]value.Item, 0, count)
	snap.Meta = make([][2]uint64, 0, count)
	for range count {
		ver, ok1 := uv()
		ts, ok2 := uv()
		if !ok1 || !ok2 {
			return bad("item header")
		}
		it, rest, err := value.DecodeItemBinary(b)
		if err != nil {
			return snapshot{}, fmt.Errorf("partition: decode snapshot: %w", err)
		}
		b = rest
		snap.Items = append(snap.Items, it)
		snap.Meta = append(snap.Meta, [2]uint64{ver, ts})
	}
	n, ok := uv()
	if !ok || n != uint64(len(b)) {
		return bad("transaction tables")
	}
	var txn snapshot
	if err := json.Unmarshal(b, &txn); err != nil {
		return snapshot{}, fmt.Errorf("partition: decode snapshot: %w", err)
	}
	snap.Prepared, snap.Resolved, snap.LastDelete = txn.Prepared, txn.Resolved, txn.LastDelete
	return snap, nil
}

// Restore replaces the state with an image taken at index.
func (m Machine) Restore(index uint64, b []byte) error {
	snap, err := decodeSnapshot(b)
	if err != nil {
		return err
	}
	tree := btree.NewG(32, lessEntry)
	local := localIndexes{}
	for _, x := range m.localSchemas {
		local[x.Name] = newTree()
	}
	var total int64
	for i, it := range snap.Items {
		size := value.ItemSize(it)
		e := newEntry(m.schema.Key(it), it, size)
		e.ver = index
		if i < len(snap.Meta) {
			e.ver, e.ts = snap.Meta[i][0], snap.Meta[i][1]
		}
		tree.ReplaceOrInsert(e)
		total += int64(size)
		for _, x := range m.localSchemas {
			if x.Indexed(it) {
				p := x.Project(m.schema, it)
				local[x.Name].ReplaceOrInsert(newEntry(x.Key(m.schema, it), p, value.ItemSize(p)))
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
	colls := m.newCollections(snap.Items)
	m.mu.Lock()
	m.tree, m.bytes, m.applied = tree, total, index
	m.seen, m.order = make(map[string]Result), nil
	m.txn = txn
	m.local = local
	m.colls = colls
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
