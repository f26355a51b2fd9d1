// Package replica makes a partition a replication group: one go.etcd.io/raft/v3
// RawNode per partition replica, three voters placed one per zone
// (ARCHITECTURE.md §5, after DynamoDB, USENIX ATC 2022 §3–§4).
//
// The replicated thing is an opaque StateMachine (the partition package
// implements it): commands are byte strings applied deterministically, in log
// order, on every replica, so every replica reaches the same state; the
// result of an Apply is handed back to the proposer.
//
// One Node per storage node drives all its groups from ONE loop goroutine,
// with raft's AsyncStorageWrites:
//
//	tick / receive messages / take proposals and read requests
//	→ collect every group's raft Ready
//	→ send all their messages, batched per destination node (a leader's
//	  appends go out before its own disk write: Raft thesis §10.2.1)
//	→ hand all their entries, hard states and snapshots to the node's
//	  appender, which persists them with ONE fsync (storage.Store.Save:
//	  group commit) and only then releases the acknowledgements raft
//	  attached to them (MsgAppResp, votes, the local "stable" notice)
//	→ apply committed (and locally durable) entries to the state machines,
//	  answer proposers and readers
//
// The loop never waits for the disk: while the appender syncs one batch the
// loop keeps ticking, heartbeating, stepping messages and taking proposals,
// which form the next batch. A slow disk therefore neither stalls
// heartbeats (no spurious elections) nor blocks commits, which need any
// quorum of durable copies, not the leader's own.
//
// Writes: Group.Propose wraps the command in an envelope carrying a request
// id; a re-proposal of the same id (a router retrying after a timeout or a
// leader change) is applied once — a deterministic table of recently applied
// ids is part of the replicated state and of snapshots. Only the leader
// accepts proposals; others answer a *NotLeaderError with a leader hint. When
// a leader steps down with proposals in flight, they fail with
// ErrOutcomeUnknown: the entry may still commit under the new leader, so the
// caller must retry with the same request id, never assume failure.
//
// Reads: Group.ReadIndex uses raft's ReadOnlySafe read index (the leader
// confirms with a quorum that it still leads) and returns once this replica
// has applied up to that index; the caller may then read its state machine
// and the read is linearizable. CheckQuorum and PreVote are on; on top of
// raft's CheckQuorum (which looks at whole election-timeout periods and may
// take two to step a leader down) each group keeps a sliding window of when
// it last heard from each voter, so a leader cut off from a quorum stops
// serving (NotLeader, Status.IsLeader false) one election timeout after it
// last heard from a quorum — no later than the others can elect a
// successor.
//
// Snapshots: every Options.SnapshotEvery applied entries a group snapshots its
// state machine and compacts its log (keeping SnapshotKeep entries for slow
// followers); a follower that fell behind the compacted log receives the
// snapshot and restores from it. A Node restarted on the same data directory
// restores each group from its snapshot and replays the committed log.
//
// Determinism at the edges: the tick source (Clock: RealClock; ManualClock,
// ticked by tests; RateClock, whose speed against real time changes at run
// time, for jepsen's clock-skew fault), the random source used for request
// ids, the transport (an in-process Network with seeded faults in
// tests) and the filesystem are injected. Raft's own election timeout jitter
// uses the library's internal random source and cannot be seeded.
package replica
