package testport

import (
	"fmt"
	"net"
	"testing"
)

func TestBaseIsFreeAndBelowEphemeral(t *testing.T) {
	offs := []int{1, 2, 3, 101, 102, 103}
	base := Base(t, offs...)
	for _, o := range offs {
		p := base + o
		if p < low || p > high {
			t.Fatalf("port %d outside [%d, %d]", p, low, high)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d handed out but not free: %v", p, err)
		}
		_ = l.Close()
	}
}

// A block with a port held is never handed out: free must see it.
func TestFreeSeesAHeldPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := l.Addr().(*net.TCPAddr).Port
	if free(held-5, []int{0, 5}) {
		t.Fatalf("port %d is held, free says the block is free", held)
	}
	if _, err := pick([]int{-1}); err == nil {
		t.Fatal("a negative offset should be refused")
	}
}
