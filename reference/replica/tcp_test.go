package replica

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/storage"
	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

// TestGroupOverTCP runs the 3-node group over the TCP transport on
// loopback, as scripts/cluster.sh's processes do, and restarts one node on
// the same address.
func TestGroupOverTCP(t *testing.T) {
	ctx := context.Background()
	type member struct {
		n  *Node
		st *storage.Store
		tr *transport.TCP
		sm *kv
		fs *vfs.Crashable
	}
	ms := map[uint64]*member{}
	start := func(id uint64, addr string) {
		m := ms[id]
		if m == nil {
			m = &member{fs: vfs.NewCrashable()}
			ms[id] = m
		}
		st, err := storage.Open(ctx, storage.Options{FS: m.fs, Dir: "/data"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := NewNode(Options{ID: id, Store: st, TickInterval: 5 * time.Millisecond, Rand: rand.New(rand.NewPCG(id, 5))})
		if err != nil {
			t.Fatal(err)
		}
		sm := newKV()
		if _, err := n.AddGroup(ctx, testGroup, []uint64{1, 2, 3}, sm); err != nil {
			t.Fatal(err)
		}
		tr, err := transport.ListenTCP(ctx, transport.TCPOptions{ID: id, Addr: addr, Handler: n.Deliver})
		if err != nil {
			t.Fatal(err)
		}
		m.n, m.st, m.tr, m.sm = n, st, tr, sm
	}
	stop := func(id uint64) {
		_ = ms[id].n.Close() // closes the transport too
		_ = ms[id].st.Close()
	}
	for id := uint64(1); id <= 3; id++ {
		start(id, "127.0.0.1:0")
	}
	connect := func() {
		for id, m := range ms {
			for peer, pm := range ms {
				if peer != id {
					m.tr.SetPeer(peer, pm.tr.Addr())
				}
			}
		}
	}
	connect()
	for _, m := range ms {
		if err := m.n.Start(m.tr); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for id := range ms {
			stop(id)
		}
	}()
	leader := func() *Group {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			for _, m := range ms {
				if g, _ := m.n.Group(testGroup); g.Status().IsLeader {
					return g
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatal("no leader over TCP")
		return nil
	}
	write := func(cmd string) {
		deadline := time.Now().Add(10 * time.Second)
		id := RequestID{Client: 99, Seq: uint64(time.Now().UnixNano())}
		for time.Now().Before(deadline) {
			pctx, cancel := context.WithTimeout(ctx, time.Second)
			_, err := leader().ProposeRequest(pctx, id, []byte(cmd))
			cancel()
			if err == nil {
				return
			}
		}
		t.Fatalf("write %q over TCP never acknowledged", cmd)
	}
	for i := 0; i < 50; i++ {
		write(fmt.Sprintf("k%d=v", i))
	}
	// Restart a follower on the same address; the others redial it.
	f := leader().node.ID()%3 + 1
	addr := ms[f].tr.Addr()
	stop(f)
	write("while=down")
	start(f, addr)
	connect()
	if err := ms[f].n.Start(ms[f].tr); err != nil {
		t.Fatal(err)
	}
	write("after=restart")
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, b, c := ms[1].sm.Digest(), ms[2].sm.Digest(), ms[3].sm.Digest()
		if a == b && b == c && ms[f].sm.Len() == 52 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas did not converge over TCP: %s %s %s, restarted node has %d keys", a, b, c, ms[f].sm.Len())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
