// Package router implements partition.Replica for a replicated engine: the
// api layer hands a partition's Replica a command or a read, and the router
// sends it to the right replica of the partition's raft group
// (ARCHITECTURE.md §3, after DynamoDB, USENIX ATC 2022 §3: "request routers"
// forward each request to the storage node that leads the partition).
//
// Writes go to the group leader: the local replica.Group when this node
// leads, otherwise the leader's node over an internal RPC (Peers; HTTP POST
// /internal/propose on the node's port, or a direct call inside one process).
// Every write carries ONE replica.RequestID for all its attempts: a retry
// after NotLeader (following the leader hint), after ErrOutcomeUnknown or after
// a lost RPC proposes the same id again, so it is applied at most once. The
// retries end when the request context ends (or Options.Timeout elapses); the
// outcome is then unknown and the api answers InternalServerError, which
// clients must treat as indeterminate.
//
// Strongly consistent reads (ConsistentRead) ask the leader for a read
// index: it runs raft's ReadIndex (confirming its leadership with a quorum)
// and answers its applied index, so the read is linearizable, not a bare
// leader read. The read is then served by a replica that applied that
// index: the local one when this node holds one and it catches up within
// Options.LagWait (usually at once), else a remote one, the leader first,
// every remote read carrying the index as MinApplied so that a replica
// still behind it refuses and the next is asked. A follower catching up
// after a partition, or slow under load, thus never fails a read.
// Eventually consistent reads are served by any replica, the local one when
// this node holds one, and may be stale, as in DynamoDB.
//
// Range reads of a remote replica can read a table, a local secondary
// index, or the replica's entries of a global secondary index
// (ReadRequest.Global: the replica builds them first if it has not), so
// every index read works through a node that holds no replica.
//
// A router has one Replica per raft group. When the group's replicas move
// (the node's catalog asks Router.Replica again with the new voters, or
// calls SetVoters), requests already in flight use the new voters from
// their next attempt on, so they reach a leader on the node the group moved
// to instead of timing out.
//
// Reads of remote replicas can fail part-way (no replica answers before the
// request's deadline). partition.Reader's Get and Scan have no error
// result, so the reader records the failure, stops, and reports it from
// Err, which every caller checks; the api answers InternalServerError.
// Nothing in this package panics to report a failure: background passes
// read through it with no HTTP handler's recover above them.
//
// Unsafe modes (Options.Unsafe) break these guarantees on purpose, for the
// negative controls of the jepsen checkers; they are off by default.
package router
