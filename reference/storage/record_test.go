package storage

import (
	"errors"
	"testing"

	pb "go.etcd.io/raft/v3/raftpb"
)

func TestRecordRoundTripAndDamage(t *testing.T) {
	buf, err := appendEntries(nil, 7, []*pb.Entry{ent(1, 2, "a"), ent(2, 2, "bb")})
	if err != nil {
		t.Fatal(err)
	}
	buf, err = appendHardState(buf, 7, hs(2, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	r, n, err := decodeRecord(buf)
	if err != nil || r.kind != kindEntries || r.group != 7 || len(r.entries) != 2 || string(r.entries[1].GetData()) != "bb" {
		t.Fatalf("decode entries = %+v, %v", r, err)
	}
	r2, _, err := decodeRecord(buf[n:])
	if err != nil || r2.kind != kindHardState || r2.hs.GetCommit() != 1 {
		t.Fatalf("decode hard state = %+v, %v", r2, err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"short header", buf[:5]},
		{"short payload", buf[:n-1]},
		{"flipped bit", func() []byte { b := append([]byte(nil), buf[:n]...); b[n-1] ^= 1; return b }()},
		{"zero length", make([]byte, 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := decodeRecord(tc.data); !errors.Is(err, errTorn) {
				t.Fatalf("decodeRecord(%s) error = %v, want errTorn", tc.name, err)
			}
		})
	}
}

func FuzzDecodeRecord(f *testing.F) {
	buf, _ := appendEntries(nil, 1, []*pb.Entry{ent(1, 1, "x")})
	f.Add(buf)
	buf, _ = appendSnapshotMarker(nil, 3, 10, 2)
	f.Add(buf)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, n, err := decodeRecord(b) // must not panic
		if err == nil && (n <= 0 || n > len(b)) {
			t.Fatalf("decoded length %d of %d bytes", n, len(b))
		}
	})
}
