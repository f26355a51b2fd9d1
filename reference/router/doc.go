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
// Strongly consistent reads (ConsistentRead) go to the leader, which runs
// raft's ReadIndex (confirming its leadership with a quorum) and then reads
// its applied state: linearizable, not a bare leader read. Eventually
// consistent reads are served by any replica, the local one when this node
// holds one, and may be stale, as in DynamoDB.
//
// Unsafe modes (Options.Unsafe) break these guarantees on purpose, for the
// negative controls of the jepsen checkers; they are off by default.
package router
