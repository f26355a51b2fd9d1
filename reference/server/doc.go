// Package server assembles a reference engine and serves it over HTTP.
//
// Three shapes, chosen by Options:
//
//   - one node (Nodes 0 or 1): a catalog of tables whose partitions are
//     single Local replicas (in memory, or durable through a group-committed
//     command log in DataDir), behind the DynamoDB API handler;
//   - an in-process replicated cluster (Nodes >= 3, reference/cluster):
//     storage nodes in zones az1..az3, every partition a raft group with one
//     replica per zone; URL is a front that hands each request to a live
//     node, and Cluster exposes the fault hooks, digests and jepsen's nemesis
//     adapter;
//   - one node of a multi-process cluster (NodeID and Peers): raft over TCP,
//     internal RPCs over HTTP, as scripts/cluster.sh runs it.
//
// Listeners bind loopback by default.
//
//	srv, err := server.Start(ctx, server.Options{Addr: "127.0.0.1:0", Nodes: 3})
//	...
//	client := ... srv.URL() ...
//	defer srv.Close()
package server
