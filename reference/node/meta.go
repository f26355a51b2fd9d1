package node

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sort"
	"strconv"
	"sync"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// MetaGroup is the raft group id of the replicated catalog.
const MetaGroup = 1

// GroupID derives the raft group id of partition part of table tableID:
// a stable hash, the same on every node, never the meta group's id.
func GroupID(tableID string, part int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(tableID))
	h.Write([]byte{'/'})
	h.Write([]byte(strconv.Itoa(part)))
	id := h.Sum64()
	if id < 16 {
		id += 16
	}
	return id
}

// metaCmd is one replicated change of the catalog.
type metaCmd struct {
	Kind  string         `json:"k"` // create | update | delete | split
	Table *catalog.Table `json:"t"`
	// A split replaces partition Parent of table Table.Name (id Table.ID)
	// by two children owning [Lo, Mid-1] and [Mid, Hi].
	Parent int    `json:"parent,omitempty"`
	Mid    uint64 `json:"mid,omitempty"`
}

// metaMachine is the replicated catalog: table metadata and partition maps
// by name. It is a replica.StateMachine; every node derives its
// catalog.Catalog from it (see reconcile). Apply never touches the catalog
// itself, so a proposer holding the catalog's lock cannot deadlock the loop.
type metaMachine struct {
	mu     sync.RWMutex
	tables map[string][]byte // name -> encoded catalog.Table
	// parents records splits: table id -> child partition -> parent.
	parents map[string]map[int]int
	applied uint64
	changed func() // non-blocking notification after each change
}

func newMetaMachine(changed func()) *metaMachine {
	return &metaMachine{tables: map[string][]byte{}, parents: map[string]map[int]int{}, changed: changed}
}

// encodeTable is the canonical encoding of a table's replicated part
// (partition replicas and states are not encoded).
func encodeTable(t *catalog.Table) ([]byte, error) { return json.Marshal(t) }

// Apply implements replica.StateMachine.
func (m *metaMachine) Apply(index uint64, b []byte) any {
	var c metaCmd
	if err := json.Unmarshal(b, &c); err != nil || c.Table == nil {
		return fmt.Errorf("node: bad catalog command at %d: %v", index, err)
	}
	if c.Kind == "split" {
		defer m.changed()
		m.mu.Lock()
		defer m.mu.Unlock()
		m.applied = index
		return m.split(c)
	}
	m.mu.Lock()
	if cur, ok := m.tables[c.Table.Name]; ok && c.Kind == "update" {
		// The partition map changes only by split: an update made from a
		// node whose catalog had not learned of a split yet keeps it.
		var t catalog.Table
		if json.Unmarshal(cur, &t) == nil && t.ID == c.Table.ID {
			c.Table.Partitions = t.Partitions
		}
	}
	enc, err := encodeTable(c.Table)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	defer func() {
		m.applied = index
		m.mu.Unlock()
		m.changed()
	}()
	cur, ok := m.tables[c.Table.Name]
	var curID string
	if ok {
		var t catalog.Table
		if json.Unmarshal(cur, &t) == nil {
			curID = t.ID
		}
	}
	switch c.Kind {
	case "create":
		if ok && curID != c.Table.ID {
			return ddberr.Newf(ddberr.ResourceInUse, "Table already exists: %s", c.Table.Name)
		}
		m.tables[c.Table.Name] = enc
	case "update":
		if !ok || curID != c.Table.ID {
			return ddberr.Newf(ddberr.ResourceNotFound, "Requested resource not found: Table: %s not found", c.Table.Name)
		}
		m.tables[c.Table.Name] = enc
	case "delete":
		if ok && curID == c.Table.ID {
			delete(m.tables, c.Table.Name)
			delete(m.parents, curID)
		}
	default:
		return fmt.Errorf("node: unknown catalog command %q", c.Kind)
	}
	return nil
}

// split applies a split command (under m.mu): idempotent, and a no-op when
// the parent is gone (split already) or the point is outside its range.
func (m *metaMachine) split(c metaCmd) any {
	cur, ok := m.tables[c.Table.Name]
	if !ok {
		return nil
	}
	var t catalog.Table
	if err := json.Unmarshal(cur, &t); err != nil || t.ID != c.Table.ID {
		return nil
	}
	at, maxID := -1, 0
	for i, p := range t.Partitions {
		if p.ID == c.Parent {
			at = i
		}
		maxID = max(maxID, p.ID)
	}
	for child := range m.parents[t.ID] {
		maxID = max(maxID, child)
	}
	if at < 0 {
		return nil
	}
	p := t.Partitions[at]
	if c.Mid <= p.Lo || c.Mid > p.Hi {
		return fmt.Errorf("node: split point %d outside partition [%d, %d]", c.Mid, p.Lo, p.Hi)
	}
	a := &catalog.Partition{ID: maxID + 1, Lo: p.Lo, Hi: c.Mid - 1}
	b := &catalog.Partition{ID: maxID + 2, Lo: c.Mid, Hi: p.Hi}
	parts := append([]*catalog.Partition{}, t.Partitions[:at]...)
	parts = append(parts, a, b)
	t.Partitions = append(parts, t.Partitions[at+1:]...)
	enc, err := encodeTable(&t)
	if err != nil {
		return err
	}
	m.tables[t.Name] = enc
	if m.parents[t.ID] == nil {
		m.parents[t.ID] = map[int]int{}
	}
	m.parents[t.ID][a.ID], m.parents[t.ID][b.ID] = p.ID, p.ID
	return nil
}

// parent returns the partition that part of table id split from.
func (m *metaMachine) parent(tableID string, part int) (int, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.parents[tableID][part]
	return p, ok
}

// root returns the partition of the table's first map that part descends
// from (itself when it never split): its replicas are placed by the root's
// group id, so a split keeps the parent's nodes.
func (m *metaMachine) root(tableID string, part int) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for {
		p, ok := m.parents[tableID][part]
		if !ok {
			return part
		}
		part = p
	}
}

// metaImage is the catalog group's snapshot.
type metaImage struct {
	Tables  map[string][]byte      `json:"tables"`
	Parents map[string]map[int]int `json:"parents,omitempty"`
}

// Snapshot implements replica.StateMachine.
func (m *metaMachine) Snapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return json.Marshal(metaImage{Tables: m.tables, Parents: m.parents})
}

// Restore implements replica.StateMachine.
func (m *metaMachine) Restore(index uint64, b []byte) error {
	img := metaImage{Tables: map[string][]byte{}, Parents: map[string]map[int]int{}}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &img); err != nil {
			return fmt.Errorf("node: decode catalog snapshot: %w", err)
		}
	}
	if img.Tables == nil {
		img.Tables = map[string][]byte{}
	}
	if img.Parents == nil {
		img.Parents = map[string]map[int]int{}
	}
	m.mu.Lock()
	m.tables, m.parents, m.applied = img.Tables, img.Parents, index
	m.mu.Unlock()
	m.changed()
	return nil
}

// appliedIndex returns the index of the last applied catalog command.
func (m *metaMachine) appliedIndex() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.applied
}

// encoded returns the stored encoding of the named table.
func (m *metaMachine) encoded(name string) ([]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.tables[name]
	return b, ok
}

// list decodes every table, sorted by name.
func (m *metaMachine) list() []*catalog.Table {
	m.mu.RLock()
	out := make([]*catalog.Table, 0, len(m.tables))
	for name, b := range m.tables {
		var t catalog.Table
		if err := json.Unmarshal(b, &t); err == nil {
			out = append(out, &t)
		} else {
			slog.Error("node: undecodable table in the catalog group", "table", name, "err", err)
		}
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
