package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ddbkit/ddbkit/reference/cluster"
	"github.com/ddbkit/ddbkit/reference/cluster/transport"
	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/placement"
	"github.com/ddbkit/ddbkit/reference/router"
)

// Peer is one node of a multi-process cluster: its id, zone, the address of
// its DynamoDB API (also its internal RPCs) and of its raft transport.
type Peer struct {
	ID       uint64
	Zone     string
	APIAddr  string
	RaftAddr string
}

// ParsePeers parses "ID/ZONE/APIADDR/RAFTADDR,..." (e.g.
// "1/az1/127.0.0.1:8001/127.0.0.1:9001,2/az2/...").
func ParsePeers(s string) ([]Peer, error) {
	var out []Peer
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		parts := strings.Split(f, "/")
		if len(parts) != 4 {
			return nil, fmt.Errorf("server: peer %q: want ID/ZONE/APIADDR/RAFTADDR", f)
		}
		id, err := strconv.ParseUint(parts[0], 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("server: peer %q: bad id", f)
		}
		out = append(out, Peer{ID: id, Zone: parts[1], APIAddr: parts[2], RaftAddr: parts[3]})
	}
	return out, nil
}

// startCluster runs the in-process cluster of o.Nodes nodes: the server's
// URL is the cluster's front URL (any node serves any request).
func startCluster(ctx context.Context, o Options) (*Server, error) {
	c, err := cluster.Start(ctx, cluster.Options{Nodes: o.Nodes, Seed: o.Seed, Dir: o.DataDir, NoSync: o.NoFsync, SyncHoldsP: o.FsyncHoldsP,
		Addr: o.Addr, Partitions: o.Partitions, Unsafe: o.Unsafe, Logger: o.Logger, SplitBytes: o.SplitBytes,
		SplitLoad: o.SplitLoad, SplitLoadWindow: o.SplitLoadWindow, Auth: o.Auth, ItemCollectionLimit: o.ItemCollectionLimit})
	if err != nil {
		return nil, err
	}
	return &Server{cluster: c, url: c.URL()}, nil
}

// startNodeProcess runs one node of a multi-process cluster: raft over TCP
// to the peers, internal RPCs over HTTP.
func startNodeProcess(ctx context.Context, o Options) (*Server, error) {
	var self *Peer
	var members []placement.Node
	raftPeers := map[uint64]string{}
	apiURLs := map[uint64]string{}
	for i, p := range o.Peers {
		if !o.Join || p.ID != o.NodeID { // a joining node is no founder
			members = append(members, placement.Node{ID: placement.NodeID(p.ID), Zone: p.Zone})
		}
		apiURLs[p.ID] = "http://" + p.APIAddr
		if p.ID == o.NodeID {
			self = &o.Peers[i]
		} else {
			raftPeers[p.ID] = p.RaftAddr
		}
	}
	if self == nil {
		return nil, fmt.Errorf("server: node %d is not among the peers", o.NodeID)
	}
	if o.DataDir == "" {
		return nil, errors.New("server: a cluster node needs --data")
	}
	httpPeers := router.NewHTTPPeers(nil, apiURLs)
	var tcp *transport.TCP
	// Nodes that joined after this process started are found in the
	// catalog's members.
	onMembers := func(ms []node.Member) {
		for _, m := range ms {
			if m.ID == o.NodeID {
				continue
			}
			if m.Raft != "" {
				tcp.SetPeer(m.ID, m.Raft)
			}
			if m.API != "" {
				httpPeers.SetURL(m.ID, m.API)
			}
		}
	}
	n, err := node.New(ctx, node.Options{ID: o.NodeID, Zone: self.Zone, Members: members, Dir: o.DataDir,
		Join: o.Join, Self: node.Member{API: "http://" + self.APIAddr, Raft: self.RaftAddr}, OnMembers: onMembers,
		NoSync: o.NoFsync, SyncHoldsP: o.FsyncHoldsP, Peers: httpPeers, Partitions: o.Partitions, Seed: o.Seed,
		Unsafe: o.Unsafe, Logger: o.Logger, SplitBytes: o.SplitBytes, SplitLoad: o.SplitLoad, SplitLoadWindow: o.SplitLoadWindow, Auth: o.Auth, ItemCollectionLimit: o.ItemCollectionLimit})
	if err != nil {
		return nil, err
	}
	tcp, err = transport.ListenTCP(ctx, transport.TCPOptions{ID: o.NodeID, Addr: self.RaftAddr, Peers: raftPeers,
		Handler: n.Deliver, Logger: o.Logger})
	if err != nil {
		_ = n.Close()
		return nil, fmt.Errorf("server: raft transport: %w", err)
	}
	if err := n.Start(tcp); err != nil {
		_ = n.Close()
		return nil, err
	}
	addr := o.Addr
	if addr == "" || addr == defaultAddr {
		addr = self.APIAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		_ = n.Close()
		return nil, fmt.Errorf("server: listen %s: %w", addr, err)
	}
	s := &Server{ln: ln, node: n, served: make(chan error, 1)}
	s.http = &http.Server{Handler: n.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

// Cluster returns the in-process cluster (nil unless Options.Nodes >= 3):
// fault hooks, digests, the jepsen nemesis adapter.
func (s *Server) Cluster() *cluster.Cluster { return s.cluster }
