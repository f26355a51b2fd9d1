// Package transport carries raft messages between the storage nodes of a
// cluster (ARCHITECTURE.md §7).
//
// A node's replica loop hands Send a batch of messages of many raft groups
// (each tagged with its group id) for one destination node; the transport
// delivers it, asynchronously and without guarantees, to the destination's
// Handler. Raft tolerates loss, duplication and reordering, so neither
// implementation retries: a full queue or a broken connection drops.
//
// Two implementations share the Transport interface:
//
//   - Network, in-process: every node Joins one Network and batches are
//     delivered by a goroutine per node. The network is a fault injector for
//     tests and the in-process `ddbkit serve --nodes N` cluster: partition
//     zones, isolate a node, cut single links, drop or delay messages with
//     probabilities drawn from a seeded random source, pause a node (its
//     inbound messages are held and its loop frozen through a hook) and heal.
//   - TCP, between processes: length-prefixed protobuf frames over one
//     outbound connection per peer, redialed with backoff when it breaks.
package transport
