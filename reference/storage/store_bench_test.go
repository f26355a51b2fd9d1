package storage

import (
	"context"
	"fmt"
	"testing"

	pb "go.etcd.io/raft/v3/raftpb"
)

// BenchmarkSave measures the WAL on the real disk: one Save per loop
// iteration carrying `groups` groups' entries (batch entries in all), with
// and without fsync. Entries/s is what group commit buys: one fsync covers
// the whole batch.
func BenchmarkSave(b *testing.B) {
	for _, sync := range []bool{true, false} {
		for _, tc := range []struct{ groups, batch int }{{1, 1}, {1, 64}, {16, 64}} {
			b.Run(fmt.Sprintf("fsync=%v/groups=%d/batch=%d", sync, tc.groups, tc.batch), func(b *testing.B) {
				s, err := Open(context.Background(), Options{Dir: b.TempDir(), NoSync: !sync})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				for g := 1; g <= tc.groups; g++ {
					if _, err := s.CreateGroup(uint64(g), voters(1, 2, 3)); err != nil {
						b.Fatal(err)
					}
				}
				data := make([]byte, 128)
				next := make([]uint64, tc.groups+1)
				per := max(tc.batch/tc.groups, 1)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					ups := make([]Update, 0, tc.groups)
					for g := 1; g <= tc.groups; g++ {
						ents := make([]*pb.Entry, per)
						for j := range ents {
							next[g]++
							ents[j] = &pb.Entry{Index: new(next[g]), Term: new(uint64(1)), Data: data}
						}
						ups = append(ups, Update{Group: uint64(g), Entries: ents, HardState: hs(1, 1, next[g]-1)})
					}
					if err := s.Save(ups); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*per*tc.groups)/b.Elapsed().Seconds(), "entries/s")
			})
		}
	}
}
