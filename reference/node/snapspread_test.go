package node

import "testing"

func TestSnapshotEverySpreadsNodes(t *testing.T) {
	for _, tc := range []struct {
		base, id, want uint64
	}{
		{0, 1, 10000},
		{0, 2, 12500},
		{0, 3, 15000},
		{0, 4, 10000}, // zones repeat: node 4 is in az1 with node 1
		{100, 1, 100},
		{100, 2, 125},
		{100, 3, 150},
		{1, 3, 1},
	} {
		if got := snapshotEvery(tc.base, tc.id); got != tc.want {
			t.Errorf("snapshotEvery(%d, %d) = %d, want %d", tc.base, tc.id, got, tc.want)
		}
	}
}
