package node

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/placement"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Membership and placement live in the catalog group, next to the tables,
// so that every node agrees on them during and after a move:
//
//   - the members (id, zone, address): the founders given to every node at
//     start (Options.Members), plus every node added since by a "join"
//     command. The zone-aware ring is built from them;
//   - each partition group's CURRENT voters: recorded when the table is
//     created (the ring's placement of the group's token) or split (a child
//     keeps its parent's voters), and changed only by a completed move;
//   - the moves in progress, at most one per group: voter From of the group
//     is being replaced by To (same zone, so each group keeps one replica
//     per zone).
//
// A new group's voters are the ring's placement at the time its create
// command applies; before the first join every group's voters are exactly
// that placement, so groups created by an older version, which recorded no
// voters, are placed as before and recorded by the first join.

// Member is one storage node of the cluster.
type Member struct {
	ID   uint64 `json:"id"`
	Zone string `json:"zone"`
	// API is the base URL of the node's DynamoDB API and internal RPCs,
	// Raft the address of its raft transport: how the other processes of a
	// multi-process cluster reach a node that joined (Options.OnMembers);
	// empty for founders (every process is given them) and informational
	// in the in-process cluster.
	API  string `json:"api,omitempty"`
	Raft string `json:"raft,omitempty"`
}

// Move replaces voter From of a group by To.
type Move struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// setFounders installs the founding members (under m.mu, or before use).
func (m *metaMachine) setFounders(founders []Member) {
	m.members = map[uint64]Member{}
	for _, f := range founders {
		m.members[f.ID] = f
	}
	m.rebuildRing()
}

// rebuildRing builds the ring from m.members (under m.mu).
func (m *metaMachine) rebuildRing() {
	nodes := make([]placement.Node, 0, len(m.members))
	for _, mem := range m.members {
		nodes = append(nodes, placement.Node{ID: placement.NodeID(mem.ID), Zone: mem.Zone})
	}
	r, err := placement.New(nodes, placement.Options{})
	if err != nil { // members were validated when they joined
		panic(fmt.Sprintf("node: ring of the catalog's members: %v", err))
	}
	m.ring = r
}

// placementToken is the ring position of the partitions descending from
// partition root of a table. Group ids of one table differ in their low
// bits only (FNV of "id/0", "id/1", ...), so they are mixed first: unmixed,
// all of a table's partitions would sit on one arc of the ring and move
// together. (Placement by the unmixed id, before this version, differs only
// with more than three nodes; such data directories are not compatible.)
func placementToken(tableID string, root int) uint64 {
	return value.Mix64(GroupID(tableID, root))
}

// place returns the ring's placement of token (under m.mu).
func (m *metaMachine) place(token uint64) []uint64 {
	var out []uint64
	for _, id := range m.ring.Place(token) {
		out = append(out, uint64(id))
	}
	return out
}

// rootLocked is root under m.mu.
func (m *metaMachine) rootLocked(tableID string, part int) int {
	for {
		p, ok := m.parents[tableID][part]
		if !ok {
			return part
		}
		part = p
	}
}

// votersLocked returns the recorded voters of a partition's group, or the
// placement of its root when none are recorded (under m.mu).
func (m *metaMachine) votersLocked(tableID string, part int) []uint64 {
	if v, ok := m.voters[GroupID(tableID, part)]; ok {
		return slices.Clone(v)
	}
	return m.place(placementToken(tableID, m.rootLocked(tableID, part)))
}

// groupsOfTable lists the partitions of a stored table and their split
// ancestors (under m.mu).
func (m *metaMachine) groupsOfTable(enc []byte) (string, []int) {
	var t catalog.Table
	if json.Unmarshal(enc, &t) != nil {
		return "", nil
	}
	seen := map[int]bool{}
	for _, p := range t.Partitions {
		seen[p.ID] = true
	}
	for child, parent := range m.parents[t.ID] {
		seen[child], seen[parent] = true, true
	}
	parts := make([]int, 0, len(seen))
	for p := range seen {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	return t.ID, parts
}

// recordTable records the voters of every group of a stored table that has
// none recorded yet (under m.mu).
func (m *metaMachine) recordTable(enc []byte) {
	id, parts := m.groupsOfTable(enc)
	for _, p := range parts {
		gid := GroupID(id, p)
		if _, ok := m.voters[gid]; !ok {
			m.voters[gid] = m.votersLocked(id, p)
		}
	}
}

// forgetTable drops the voters and moves of a stored table's groups (under
// m.mu, before its parents are dropped).
func (m *metaMachine) forgetTable(enc []byte) {
	id, parts := m.groupsOfTable(enc)
	for _, p := range parts {
		gid := GroupID(id, p)
		delete(m.voters, gid)
		delete(m.moves, gid)
	}
}

// applyMembership applies join, move and moved (under m.mu).
func (m *metaMachine) applyMembership(c metaCmd) error {
	switch c.Kind {
	case "join":
		if c.Member == nil || c.Member.ID == 0 || c.Member.Zone == "" {
			return fmt.Errorf("node: join without a member id and zone")
		}
		if cur, ok := m.members[c.Member.ID]; ok {
			if cur.Zone != c.Member.Zone {
				return fmt.Errorf("node: member %d is in zone %s, not %s", cur.ID, cur.Zone, c.Member.Zone)
			}
			return nil // a retry
		}
		if !slices.Contains(m.ring.Zones(), c.Member.Zone) {
			// A new zone would give every group a fourth replica.
			return fmt.Errorf("node: zone %s is not one of the cluster's zones %v", c.Member.Zone, m.ring.Zones())
		}
		// The groups placed by the old ring keep their voters: record them
		// before the ring changes (the movers then move them one by one).
		for _, enc := range m.tables {
			m.recordTable(enc)
		}
		m.members[c.Member.ID] = *c.Member
		m.rebuildRing()
		return nil
	case "move":
		if _, busy := m.moves[c.Group]; busy {
			return fmt.Errorf("node: group %d: a move is already in progress", c.Group)
		}
		v, ok := m.voters[c.Group]
		switch {
		case !ok:
			return fmt.Errorf("node: group %d: no recorded voters", c.Group)
		case !slices.Contains(v, c.From) || slices.Contains(v, c.To):
			return fmt.Errorf("node: group %d: cannot move %d to %d with voters %v", c.Group, c.From, c.To, v)
		case m.members[c.From].Zone != m.members[c.To].Zone || m.members[c.To].Zone == "":
			return fmt.Errorf("node: group %d: %d and %d are not members of one zone", c.Group, c.From, c.To)
		}
		m.moves[c.Group] = Move{From: c.From, To: c.To}
		return nil
	case "cancel":
		// A move of a group that is no longer a partition (it split):
		// forget it; the group keeps its recorded voters.
		if mv, ok := m.moves[c.Group]; ok && mv.From == c.From && mv.To == c.To {
			delete(m.moves, c.Group)
		}
		return nil
	case "moved":
		mv, ok := m.moves[c.Group]
		if !ok || mv.From != c.From || mv.To != c.To {
			return nil // a retry of a move already recorded
		}
		v := slices.Clone(m.voters[c.Group])
		for i := range v {
			if v[i] == c.From {
				v[i] = c.To
			}
		}
		m.voters[c.Group] = v
		delete(m.moves, c.Group)
		return nil
	}
	return fmt.Errorf("node: unknown catalog command %q", c.Kind)
}

// votersOf returns the current voters of partition part of table tableID
// (the ring's first choice first, a moved-in node where its predecessor
// was).
func (m *metaMachine) votersOf(tableID string, part int) []uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.votersLocked(tableID, part)
}

// target returns the ring's placement of partition part of table tableID
// (by its root, so children of a split stay together).
func (m *metaMachine) target(tableID string, part int) []uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.place(placementToken(tableID, m.rootLocked(tableID, part)))
}

// moveOf returns the move in progress of a group.
func (m *metaMachine) moveOf(group uint64) (Move, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	mv, ok := m.moves[group]
	return mv, ok
}

// allMoves returns the moves in progress by group.
func (m *metaMachine) allMoves() map[uint64]Move {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[uint64]Move, len(m.moves))
	for g, mv := range m.moves {
		out[g] = mv
	}
	return out
}

// memberList returns the members sorted by id.
func (m *metaMachine) memberList() []Member {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Member, 0, len(m.members))
	for _, mem := range m.members {
		out = append(out, mem)
	}
	slices.SortFunc(out, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// zoneOf returns a member's zone ("" when unknown).
func (m *metaMachine) zoneOf(id uint64) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.members[id].Zone
}

// planMove returns the next step towards the ring's placement of a group
// whose current voters are cur: replace the voter of one zone by the node
// the ring wants there. ok is false when cur is the placement (or no step
// keeps one replica per zone).
func planMove(cur, target []uint64, zoneOf func(uint64) string) (Move, bool) {
	for _, to := range target {
		if slices.Contains(cur, to) {
			continue
		}
		for _, from := range cur {
			if !slices.Contains(target, from) && zoneOf(from) == zoneOf(to) {
				return Move{From: from, To: to}, true
			}
		}
	}
	return Move{}, false
}
