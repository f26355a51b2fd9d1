// Package cluster runs a replicated reference engine in one process: N
// storage nodes (reference/node) in zones az1..az3, talking raft over the
// in-process, fault-injectable transport.Network, each serving the DynamoDB
// API on its own loopback port, plus a front URL that hands every request to
// a live node in turn (any node routes any request to the partition's leader).
//
// It is the engine of `ddbkit serve --nodes N` and the system under test of
// the replication tests and of jepsen: the fault hooks partition zones or
// nodes, cut links, drop and delay messages, pause (freeze) a node, crash a
// node (an in-memory disk loses everything not fsynced; a real directory
// keeps what the OS has, as after kill -9) and restart it from its data,
// make a node's clock — the source of its raft ticks, a replica.RateClock —
// run slower or faster than real time (SetClockRate), and heal. The same
// network faults apply to the internal RPCs between nodes' routers.
// Nemesis adapts a Cluster to jepsen's nemesis.Cluster.
//
// Everything random is drawn from Options.Seed (raft's own election jitter
// excepted), so a failing run can be repeated.
package cluster
