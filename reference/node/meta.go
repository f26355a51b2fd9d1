package node

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/placement"
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
	// create | update | delete | split (tables), join | move | moved |
	// cancel (membership and placement, see members.go).
	Kind  string         `json:"k"`
	Table *catalog.Table `json:"t,omitempty"`
	// A split replaces partition Parent of table Table.Name (id Table.ID)
	// by two children owning [Lo, Mid-1] and [Mid, Hi].
	Parent int    `json:"parent,omitempty"`
	Mid    uint64 `json:"mid,omitempty"`
	// Member joins the cluster.
	Member *Member `json:"member,omitempty"`
	// A move (or its completion, moved) replaces voter From of Group by To.
	Group uint64 `json:"g,omitempty"`
	From  uint64 `json:"from,omitempty"`
	To    uint64 `json:"to,omitempty"`
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
	// Membership and placement (members.go).
	founders []Member
	members  map[uint64]Member
	ring     *placement.Ring
	voters   map[uint64][]uint64 // group -> current voters
	moves    map[uint64]Move     // group -> move in progress
	applied  uint64
	changed  func() // non-blocking notification after each change
}

// newMetaMachine returns an empty catalog whose members are the founders.
func newMetaMachine(founders []Member, changed func()) *metaMachine {
	m := &metaMachine{tables: map[string][]byte{}, parents: map[string]map[int]int{}, founders: founders,
		voters: map[uint64][]uint64{}, moves: map[uint64]Move{}, changed: changed}
	m.setFounders(founders)
	return m
}

// encodeTable is the canonical encoding of a table's replicated part
// (partition replicas and states are not encoded).
func encodeTable(t *catalog.Table) ([]byte, error) { return json.Marshal(t) }

// Apply implements replica.StateMachine.
func (m *metaMachine) Apply(index uint64, b []byte) any {
	var c metaCmd
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("node: bad catalog command at %d: %v", index, err)
	}
	switch c.Kind {
	case "join", "move", "moved", "cancel":
		defer m.changed()
		m.mu.Lock()
		defer m.mu.Unlock()
		m.applied = index
		return m.applyMembership(c)
	}
	if c.Table == nil {
		return fmt.Errorf("node: catalog command %q at %d without a table", c.Kind, index)
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
		m.recordTable(enc)
	case "update":
		if !ok || curID != c.Table.ID {
			return ddberr.Newf(ddberr.ResourceNotFound, "Requested resource not found: Table: %s not found", c.Table.Name)
		}
		m.tables[c.Table.Name] = enc
	case "delete":
		if ok && curID == c.Table.ID {
			m.forgetTable(cur)
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
	// The children keep their parent's voters (and nodes).
	v := m.votersLocked(t.ID, p.ID)
	m.tables[t.Name] = enc
	if m.parents[t.ID] == nil {
		m.parents[t.ID] = map[int]int{}
	}
	m.parents[t.ID][a.ID], m.parents[t.ID][b.ID] = p.ID, p.ID
	m.voters[GroupID(t.ID, a.ID)], m.voters[GroupID(t.ID, b.ID)] = v, slices.Clone(v)
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
	// Members, Voters and Moves are absent in images of older versions:
	// the founders, and placement by the ring, then apply.
	Members []Member            `json:"members,omitempty"`
	Voters  map[uint64][]uint64 `json:"voters,omitempty"`
	Moves   map[uint64]Move     `json:"moves,omitempty"`
}

// Snapshot implements replica.StateMachine.
func (m *metaMachine) Snapshot() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	img := metaImage{Tables: m.tables, Parents: m.parents, Voters: m.voters, Moves: m.moves}
	for _, mem := range m.members {
		img.Members = append(img.Members, mem)
	}
	slices.SortFunc(img.Members, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	return json.Marshal(img)
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
	if img.Voters == nil {
		img.Voters = map[uint64][]uint64{}
	}
	if img.Moves == nil {
		img.Moves = map[uint64]Move{}
	}
	m.mu.Lock()
	m.tables, m.parents, m.applied = img.Tables, img.Parents, index
	m.voters, m.moves = img.Voters, img.Moves
	if len(img.Members) == 0 {
		img.Members = m.founders
	}
	m.setFounders(img.Members)
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
