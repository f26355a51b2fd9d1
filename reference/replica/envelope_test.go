package replica

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/ddbkit/ddbkit/reference/storage"
	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

func TestProposalEnvelopeRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		id  RequestID
		cmd []byte
	}{
		{RequestID{1, 1}, []byte("a=b")},
		{RequestID{^uint64(0), 1 << 40}, nil},
	} {
		id, cmd, err := decodeProposal(encodeProposal(tc.id, tc.cmd))
		if err != nil || id != tc.id || !bytes.Equal(cmd, tc.cmd) {
			t.Fatalf("round trip of %v %q = %v %q %v", tc.id, tc.cmd, id, cmd, err)
		}
	}
	if _, _, err := decodeProposal([]byte{9, 1, 1}); err == nil {
		t.Fatal("accepted an unknown envelope version")
	}
}

func TestDedupEvictsByIndexDeterministically(t *testing.T) {
	d := newDedup(10)
	for i := uint64(1); i <= 30; i++ {
		d.record(RequestID{1, i}, i, i)
	}
	if d.seen(RequestID{1, 5}) {
		t.Fatal("id applied 25 indexes ago is still remembered with a window of 10")
	}
	if !d.seen(RequestID{1, 25}) || d.result(RequestID{1, 25}) != uint64(25) {
		t.Fatal("recent id forgotten")
	}
	// A snapshot carries the table (not the cached results).
	d2, image, err := decodeSnapshot(encodeSnapshot(d, []byte("img")), 10)
	if err != nil || string(image) != "img" {
		t.Fatalf("decode snapshot: %q %v", image, err)
	}
	if !d2.seen(RequestID{1, 25}) || d2.seen(RequestID{1, 5}) {
		t.Fatal("dedup table differs after a snapshot round trip")
	}
	if d2.result(RequestID{1, 25}) != ErrAlreadyApplied {
		t.Fatal("restored table invented a cached result")
	}
}

func FuzzDecodeSnapshot(f *testing.F) {
	f.Add(encodeSnapshot(newDedup(10), []byte("x")))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeSnapshot(b, 10) // must not panic
		_, _, _ = decodeProposal(b)
	})
}

func TestClientIDDiffersAcrossIncarnationsWithSameSeed(t *testing.T) {
	fs := vfs.NewCrashable()
	var ids []uint64
	for i := 0; i < 3; i++ {
		st, err := storage.Open(context.Background(), storage.Options{FS: fs, Dir: "/d"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := NewNode(Options{ID: 1, Store: st, Rand: rand.New(rand.NewPCG(42, 42))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.clientID)
		_ = n.Close()
		_ = st.Close()
	}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Fatalf("client ids repeat across restarts with one seed: %v (retried request ids would collide)", ids)
	}
}
