package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "go.etcd.io/raft/v3/raftpb"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

// TestPreallocatedSegmentsSurviveACrash: on the real filesystem WAL
// segments are preallocated with zeros; a node that stops without Close
// (a crash: the active segment ends in zeros) reopens with every saved
// entry, and every segment but the active one holds records only.
func TestPreallocatedSegmentsSurviveACrash(t *testing.T) {
	dir := t.TempDir()
	const segSize = 8 << 10
	opts := Options{FS: vfs.OS{}, Dir: dir, SegmentSize: segSize}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGroup(1, voters(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	var want []string
	sawPrealloc := false
	for i := uint64(1); i <= 300 || !s.activePrealloc; i++ {
		if i > 5000 {
			t.Fatal("the active segment never became a preallocated one")
		}
		data := fmt.Sprintf("entry-%03d-%s", i, strings.Repeat("x", 90))
		if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, i), Entries: []*pb.Entry{ent(i, 1, data)}}}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "1:"+data)
		s.mu.Lock()
		if s.activePrealloc {
			if fi, err := os.Stat(s.activeName); err == nil && fi.Size() == segSize && s.size < segSize {
				sawPrealloc = true
			}
		}
		s.mu.Unlock()
	}
	if !sawPrealloc {
		t.Fatal("no active segment was preallocated")
	}
	// Crash: no Close; the active segment ends in zeros. Let a running preparer finish first (a real crash
	// would leave its file half made: it is not a segment and is ignored).
	s.prepWG.Wait()
	segs, _ := filepath.Glob(filepath.Join(dir, walDir, "*.log"))
	if len(segs) < 3 {
		t.Fatalf("%d segments, want several rotations", len(segs))
	}
	for _, name := range segs[:len(segs)-1] {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(data); {
			_, n, err := decodeRecord(data[off:])
			if err != nil {
				t.Fatalf("%s: not records only at offset %d of %d: %v", filepath.Base(name), off, len(data), err)
			}
			off += n
		}
	}
	s2, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer s2.Close()
	g, ok := s2.Group(1)
	if !ok {
		t.Fatal("group lost")
	}
	checkLog(t, g, want)
}
