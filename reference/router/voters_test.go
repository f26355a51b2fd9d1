package router

import (
	"context"
	"sync"
	"testing"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// movedLeaderPeers: nodes 1..3 are not the leader and point at node 4,
// which leads (the group's replica moved there); onCall runs on each call.
type movedLeaderPeers struct {
	mu     sync.Mutex
	asked  []uint64
	onCall func(node uint64)
}

func (m *movedLeaderPeers) record(node uint64) {
	m.mu.Lock()
	m.asked = append(m.asked, node)
	on := m.onCall
	m.mu.Unlock()
	if on != nil {
		on(node)
	}
}

func (m *movedLeaderPeers) Propose(_ context.Context, node uint64, _ ProposeRequest) (ProposeResponse, error) {
	m.record(node)
	if node != 4 {
		return ProposeResponse{Failure: &Failure{NotLeader: true, Leader: 4}}, nil
	}
	return ProposeResponse{}, nil
}

func (m *movedLeaderPeers) Read(_ context.Context, node uint64, req ReadRequest) (ReadResponse, error) {
	m.record(node)
	if node != 4 {
		return ReadResponse{Failure: &Failure{NotLeader: true, Leader: 4}}, nil
	}
	if req.Scan {
		return ReadResponse{Items: []KeyItem{{Key: []byte("k"), Item: value.Item{"pk": value.Str("k")}}}}, nil
	}
	return ReadResponse{Applied: 3}, nil
}

// A request that started while the group's voters were {1,2,3} reaches
// the new leader, node 4, once the node learns that a replica moved there
// (Router.Replica with the new voters, as the node's catalog does): its
// next attempt follows the leader hint it ignored before. Without the new
// voters it cannot reach node 4 and fails.
func TestRequestInFlightFollowsAMove(t *testing.T) {
	cases := []struct {
		name   string
		move   bool
		wantOK bool
	}{{"voters updated mid-request", true, true}, {"voters never updated", false, false}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			peers := &movedLeaderPeers{}
			rt := testRouter(peers)
			rep := rt.Replica(7, []uint64{1, 2, 3})
			var once sync.Once
			peers.onCall = func(uint64) {
				if tc.move {
					once.Do(func() { rt.Replica(7, []uint64{4, 2, 3}) })
				}
			}
			_, err := rep.ProposeBytes(context.Background(), []byte("cmd"))
			if (err == nil) != tc.wantOK {
				t.Fatalf("propose: err %v, want success %v (asked %v)", err, tc.wantOK, peers.asked)
			}
			if got := rep.Voters(); tc.move && (len(got) != 3 || got[0] != 4) {
				t.Fatalf("voters after the move %v", got)
			}
		})
	}
}

// SetVoters changes the nodes a remote reader asks between its requests.
func TestRemoteReaderAsksCurrentVoters(t *testing.T) {
	peers := &movedLeaderPeers{}
	rt := testRouter(peers)
	rep := rt.Replica(7, []uint64{1, 2, 3})
	rd, err := rep.Read(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	rep.SetVoters([]uint64{4})
	n := 0
	rd.Scan(nil, nil, false, func([]byte, value.Item) bool { n++; return true })
	if n != 1 || rd.Err() != nil {
		t.Fatalf("scan after SetVoters: %d items, err %v", n, rd.Err())
	}
	if rt.Replica(7, []uint64{4}) != rep {
		t.Fatal("a router made a second Replica for one group")
	}
	var _ partition.GlobalReader = rd.(*remoteReader)
}

// A group with no known voter fails its requests as unavailable at their
// deadline; nothing panics.
func TestReplicaWithoutVotersFails(t *testing.T) {
	peers := &movedLeaderPeers{}
	rep := testRouter(peers).Replica(7, nil)
	if _, err := rep.ProposeBytes(context.Background(), []byte("cmd")); err == nil {
		t.Fatal("a proposal to a group without voters succeeded")
	}
	rd, err := rep.Read(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rd.Get([]byte("k")); ok || rd.Err() == nil {
		t.Fatalf("a read of a group without voters: found %v, err %v", ok, rd.Err())
	}
}
