package transport

import (
	pb "go.etcd.io/raft/v3/raftpb"
)

// Envelope is one raft message of one group.
type Envelope struct {
	Group uint64
	Msg   *pb.Message
}

// Handler receives the batches addressed to a node. It is called from the
// transport's delivery goroutine or (the in-process Network) from the
// sender's Send, and must not block.
type Handler func(from uint64, batch []Envelope)

// Transport sends batches to other nodes.
type Transport interface {
	// Send queues batch for node to. It does not block on the network and
	// may drop the batch (raft retransmits).
	Send(to uint64, batch []Envelope)
	// Close stops sending and receiving.
	Close() error
}
