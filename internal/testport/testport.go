// Package testport picks loopback ports for tests that start servers on
// ports fixed in advance: child processes and scripts/cluster.sh, which
// lay a node's ports out as base+offset.
//
// The ports come from below Linux's ephemeral range (32768–60999 by
// default), so no outgoing connection of any process can be holding one
// when the server binds it; that was how a fixed base inside the range
// failed ("bind: address already in use" for a raft port). Each pick is
// random and probed free, so test packages running side by side rarely
// collide; a probe cannot reserve a port, so a collision stays possible,
// but only with another test that picks ports by hand.
package testport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"testing"
)

// Lowest and highest port handed out: under the ephemeral range.
const (
	low  = 20000
	high = 32767
)

// Base returns a base port such that base+o is free on 127.0.0.1 for every
// offset o (all ≥ 0). It fails the test if no such base turns up in 200
// random tries.
func Base(t testing.TB, offsets ...int) int {
	t.Helper()
	base, err := pick(offsets)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func pick(offsets []int) (int, error) {
	if len(offsets) == 0 {
		offsets = []int{0}
	}
	span := slices.Max(offsets)
	if slices.Min(offsets) < 0 || span > high-low {
		return 0, fmt.Errorf("testport: offsets %v out of range", offsets)
	}
	for try := 0; try < 200; try++ {
		base := low + rand.IntN(high-low-span+1)
		if free(base, offsets) {
			return base, nil
		}
	}
	return 0, fmt.Errorf("testport: no free block for offsets %v in 200 tries", offsets)
}

// free reports whether every base+o can be listened on now.
func free(base int, offsets []int) bool {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for _, o := range offsets {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+o))
		if err != nil {
			return false
		}
		ls = append(ls, l)
	}
	return true
}
