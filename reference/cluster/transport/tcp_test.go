package transport

import (
	"context"
	"testing"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

func TestFrameRoundTrip(t *testing.T) {
	batch := []Envelope{
		{Group: 1, Msg: &pb.Message{Type: pb.MessageType_MsgApp.Enum(), To: new(uint64(2)), From: new(uint64(1)), Term: new(uint64(5)),
			Entries: []*pb.Entry{{Index: new(uint64(9)), Term: new(uint64(5)), Data: []byte("cmd")}}}},
		{Group: 1 << 40, Msg: &pb.Message{Type: pb.MessageType_MsgHeartbeat.Enum()}},
	}
	buf, err := appendFrame(nil, 3, batch)
	if err != nil {
		t.Fatal(err)
	}
	from, got, err := decodeBatch(buf[4:])
	if err != nil {
		t.Fatal(err)
	}
	if from != 3 || len(got) != 2 {
		t.Fatalf("decoded from=%d len=%d", from, len(got))
	}
	for i := range batch {
		if got[i].Group != batch[i].Group || !proto.Equal(got[i].Msg, batch[i].Msg) {
			t.Fatalf("envelope %d = %v, want %v", i, got[i], batch[i])
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	buf, _ := appendFrame(nil, 1, []Envelope{{Group: 2, Msg: &pb.Message{Type: pb.MessageType_MsgVote.Enum()}}})
	f.Add(buf[4:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeBatch(b) // must not panic
	})
}

func TestTCPDeliversAndReconnects(t *testing.T) {
	ctx := context.Background()
	r2 := &recorder{}
	n2, err := ListenTCP(ctx, TCPOptions{ID: 2, Addr: "127.0.0.1:0", Handler: r2.handle})
	if err != nil {
		t.Fatal(err)
	}
	addr2 := n2.Addr()
	n1, err := ListenTCP(ctx, TCPOptions{ID: 1, Addr: "127.0.0.1:0", Handler: func(uint64, []Envelope) {},
		Peers: map[uint64]string{2: addr2}})
	if err != nil {
		t.Fatal(err)
	}
	defer n1.Close()
	n1.Send(2, msg(1))
	eventually(t, "first message", func() bool { return r2.count() == 1 })
	r2.mu.Lock()
	if r2.from[0] != 1 {
		t.Fatalf("from = %d, want 1", r2.from[0])
	}
	r2.mu.Unlock()

	// Restart node 2 on the same address: node 1 must redial.
	if err := n2.Close(); err != nil {
		t.Fatal(err)
	}
	r3 := &recorder{}
	n2b, err := ListenTCP(ctx, TCPOptions{ID: 2, Addr: addr2, Handler: r3.handle})
	if err != nil {
		t.Fatal(err)
	}
	defer n2b.Close()
	eventually(t, "delivery after reconnect", func() bool {
		n1.Send(2, msg(2))
		return r3.count() > 0
	})
}
