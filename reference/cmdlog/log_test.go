package cmdlog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestAppendReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	l, err := Open(path, true, func([]byte) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := l.Append(context.Background(), []byte(fmt.Sprintf("%d-%d", g, i))); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	l2, err := Open(path, true, func(r []byte) error { seen[string(r)] = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	l2.Close()
	if len(seen) != 400 {
		t.Fatalf("replayed %d records, want 400", len(seen))
	}
}

// A torn tail (any prefix of the last record) is dropped, and everything
// before it is replayed.
func TestTornTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	l, err := Open(path, false, func([]byte) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := l.Append(context.Background(), []byte(fmt.Sprintf("record-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	full, _ := os.ReadFile(path)
	last := 8 + len("record-2")
	for cut := 1; cut < last; cut++ {
		p := filepath.Join(dir, fmt.Sprintf("torn-%d", cut))
		if err := os.WriteFile(p, full[:len(full)-cut], 0o644); err != nil {
			t.Fatal(err)
		}
		var got []string
		l, err := Open(p, false, func(r []byte) error { got = append(got, string(r)); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1] != "record-1" {
			t.Fatalf("cut %d: replayed %v", cut, got)
		}
		// Appending after truncation yields a clean log.
		if err := l.Append(context.Background(), []byte("after")); err != nil {
			t.Fatal(err)
		}
		l.Close()
		got = nil
		l, _ = Open(p, false, func(r []byte) error { got = append(got, string(r)); return nil })
		l.Close()
		if len(got) != 3 || got[2] != "after" {
			t.Fatalf("cut %d: after reopen %v", cut, got)
		}
	}
	// A flipped byte in the last record's payload fails its checksum.
	bad := append([]byte(nil), full...)
	bad[len(bad)-1] ^= 0xFF
	p := filepath.Join(dir, "bad")
	os.WriteFile(p, bad, 0o644)
	n := 0
	l, _ = Open(p, false, func([]byte) error { n++; return nil })
	l.Close()
	if n != 2 {
		t.Fatalf("corrupt tail: replayed %d, want 2", n)
	}
}
