package node

import (
	"encoding/json"
	"net/http"

	"github.com/ddbkit/ddbkit/reference/replica"
)

// Status is what a node reports on GET /admin/status: the tables it knows,
// each partition's hash range and placement by zone, and, for the replicas
// held here, raft state and a digest of the data.
type Status struct {
	Node    uint64         `json:"node"`
	Zone    string         `json:"zone"`
	Members []Member       `json:"members"`
	Catalog *ReplicaStatus `json:"catalog,omitempty"`
	Tables  []TableStatus  `json:"tables"`
}

// TableStatus is one table's partition map.
type TableStatus struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Partitions []PartitionStatus `json:"partitions"`
}

// PartitionStatus is one partition: hash range [Lo, Hi], its raft group and
// replicas, and the local replica's state when this node holds one.
type PartitionStatus struct {
	ID       int         `json:"id"`
	Group    uint64      `json:"group"`
	Lo       uint64      `json:"lo"`
	Hi       uint64      `json:"hi"`
	Replicas []Placement `json:"replicas"`
	// Moving is the move of a replica in progress (see mover.go).
	Moving *Move          `json:"moving,omitempty"`
	Local  *ReplicaStatus `json:"local,omitempty"`
}

// Placement is one replica's node and zone.
type Placement struct {
	Node uint64 `json:"node"`
	Zone string `json:"zone"`
}

// ReplicaStatus is the raft state of a replica held here and, for a
// partition, the digest of its data (partition.State.Digest).
type ReplicaStatus struct {
	Leader   uint64 `json:"leader"`
	IsLeader bool   `json:"isLeader"`
	Term     uint64 `json:"term"`
	Commit   uint64 `json:"commit"`
	Applied  uint64 `json:"applied"`
	State    string `json:"state"`
	Digest   string `json:"digest,omitempty"`
	Items    int    `json:"items"`
}

// Status reports the node's view; digests cost a scan of each local
// replica, so withDigests is for health checks and tests.
func (n *Node) Status(withDigests bool) Status {
	s := Status{Node: n.o.ID, Zone: n.o.Zone, Members: n.meta.memberList()}
	if g, ok := n.rn.Group(MetaGroup); ok {
		s.Catalog = replicaStatus(g.Status())
	}
	for _, t := range n.cat.Tables() {
		ts := TableStatus{Name: t.Name, ID: t.ID}
		for _, p := range t.Partitions {
			gid := GroupID(t.ID, p.ID)
			ps := PartitionStatus{ID: p.ID, Group: gid, Lo: p.Lo, Hi: p.Hi}
			for _, id := range n.votersOf(t.ID, p.ID) {
				ps.Replicas = append(ps.Replicas, Placement{Node: id, Zone: n.meta.zoneOf(id)})
			}
			if mv, ok := n.meta.moveOf(gid); ok {
				ps.Moving = &mv
			}
			if g, ok := n.rn.Group(gid); ok {
				ps.Local = replicaStatus(g.Status())
				if st, ok := n.State(gid); ok {
					ps.Local.Items, _ = st.Stats()
					if withDigests {
						ps.Local.Digest = st.Digest()
					}
				}
			}
			ts.Partitions = append(ts.Partitions, ps)
		}
		s.Tables = append(s.Tables, ts)
	}
	return s
}

func replicaStatus(st replica.Status) *ReplicaStatus {
	return &ReplicaStatus{Leader: st.Leader, IsLeader: st.IsLeader, Term: st.Term, Commit: st.Commit,
		Applied: st.Applied, State: st.State}
}

func (n *Node) serveStatus(w http.ResponseWriter, r *http.Request) {
	b, err := json.MarshalIndent(n.Status(r.URL.Query().Get("digests") != "false"), "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}
