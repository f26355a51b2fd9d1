//go:build linux

package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
	pb "go.etcd.io/raft/v3/raftpb"
)

// badFd is a file whose descriptor is not open: a raw fsync of it must fail
// with EBADF, which shows syncHoldingP really syncs the descriptor.
type badFd struct{ vfs.File }

func (badFd) Fd() uintptr { return ^uintptr(0) }

func TestSyncHoldingPSyncsTheDescriptor(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syncHoldingP(f); err != nil {
		t.Fatalf("fsync of an open file: %v", err)
	}
	if err := syncHoldingP(badFd{f}); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("fsync of a bad descriptor: %v, want EBADF", err)
	}
	// vfs.OS hands out files that have a descriptor, so a real disk takes
	// the raw path.
	g, err := vfs.OS{}.Create(filepath.Join(t.TempDir(), "g"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, ok := g.(interface{ Fd() uintptr }); !ok {
		t.Fatalf("vfs.OS files (%T) have no Fd: SyncHoldsP would fall back to Sync", g)
	}
}

// A store on the real disk with SyncHoldsP saves, syncs and reopens.
func TestSyncHoldsPStoreReopens(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Dir: dir, SyncHoldsP: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGroup(1, voters(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	before := s.Fsyncs()
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 2), Entries: []*pb.Entry{ent(1, 1, "a"), ent(2, 1, "b")}}}); err != nil {
		t.Fatal(err)
	}
	if s.Fsyncs() != before+1 {
		t.Fatalf("fsyncs %d, want %d", s.Fsyncs(), before+1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), Options{Dir: dir, SyncHoldsP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	g, ok := s2.Group(1)
	if !ok {
		t.Fatal("group 1 lost")
	}
	checkLog(t, g, []string{"1:a", "1:b"})
}
