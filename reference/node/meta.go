package node

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
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
	Kind  string         `json:"k"` // create | update | delete
	Table *catalog.Table `json:"t"`
}

// metaMachine is the replicated catalog: table metadata and partition maps
// by name. It is a replica.StateMachine; every node derives its
// catalog.Catalog from it (see reconcile). Apply never touches the catalog
// itself, so a proposer holding the catalog's lock cannot deadlock the loop.
type metaMachine struct {
	mu      sync.RWMutex
	tables  map[string][]byte // name -> encoded catalog.Table
	applied uint64
	changed func() // non-blocking notification after each change
}

func newMetaMachine(changed func()) *metaMachine {
	return &metaMachine{tables: map[string][]byte{}, changed: changed}
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
	enc, err := encodeTable(c.Table)
	if err != nil {
		return err
	}
	m.mu.Lock()
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
		}
	default:
		return fmt.Errorf("node: unknown catalog command %q", c.Kind)
	}
	return nil
}

// Snapshot implements replica.StateMachine.
func (m *metaMachine) Snapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return json.Marshal(m.tables)
}

// Restore implements replica.StateMachine.
func (m *metaMachine) Restore(index uint64, b []byte) error {
	tables := map[string][]byte{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &tables); err != nil {
			return fmt.Errorf("node: decode catalog snapshot: %w", err)
		}
	}
	m.mu.Lock()
	m.tables, m.applied = tables, index
	m.mu.Unlock()
	m.changed()
	return nil
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
	for _, b := range m.tables {
		var t catalog.Table
		if json.Unmarshal(b, &t) == nil {
			out = append(out, &t)
		}
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
