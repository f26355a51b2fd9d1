package replica

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestMoveReplicaToNewNode(t *testing.T) {
	for _, tc := range []struct {
		name string
		from func(lead uint64) uint64
	}{
		{"move a follower", func(lead uint64) uint64 {
			if lead == 1 {
				return 2
			}
			return 1
		}},
		{"move the leader", func(lead uint64) uint64 { return lead }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 91, func(o *Options) { o.SnapshotEvery = 100000 })
			lead := h.waitLeader()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for i := 0; i < 100; i++ {
				if _, err := h.write(ctx, h.group(lead).NewRequestID(), fmt.Sprintf("k%d=%d", i, i)); err != nil {
					t.Fatal(err)
				}
			}
			from := tc.from(lead)
			h.start(4) // joins empty
			if err := h.group(lead).MoveReplica(ctx, from, 4); err != nil {
				t.Fatalf("move %d -> 4: %v", from, err)
			}
			members := []uint64{4}
			for id := uint64(1); id <= 3; id++ {
				if id != from {
					members = append(members, id)
				}
			}
			newLead := h.waitLeader(members...)
			s := h.group(newLead).Status()
			if want := slices.Sorted(slices.Values(members)); !slices.Equal(s.Voters, want) {
				t.Fatalf("voters after move = %v, want %v", s.Voters, want)
			}
			oldGroup := h.group(from)
			if err := h.nodes[from].RemoveGroup(ctx, testGroup); err != nil {
				t.Fatal(err)
			}
			// The group goes on without the old node, and node 4 has
			// everything, also after a crash.
			if _, err := h.write(ctx, h.group(newLead).NewRequestID(), "after=move", members...); err != nil {
				t.Fatal(err)
			}
			d := h.waitConverged(members...)
			if d[members[0]] != d[members[1]] || d[members[1]] != d[members[2]] {
				t.Fatalf("digests differ after move: %v", d)
			}
			if s := h.group(4).Status(); s.SnapshotIndex == 0 {
				t.Fatalf("node 4 caught up without a snapshot: %+v", s)
			}
			h.crash(4)
			h.start(4)
			h.waitConverged(members...)
			if n := h.sm(4).Len(); n != 101 {
				t.Fatalf("node 4 has %d keys after restart, want 101", n)
			}
			if _, ok := h.nodes[from].Group(testGroup); ok {
				t.Fatalf("node %d still has the group", from)
			}
			if _, err := oldGroup.Propose(ctx, []byte("x=y")); !errors.Is(err, ErrStopped) {
				t.Fatalf("Propose on a removed replica = %v, want ErrStopped", err)
			}
		})
	}
}
