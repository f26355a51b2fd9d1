// Package storage keeps the raft state of all the replication groups of one
// storage node durable: one write-ahead log (WAL) per node, whose records are
// tagged with the group id, plus one snapshot file per group.
//
// Layout of a data directory:
//
//	wal/<seq>.log     WAL segments, replayed in order
//	snap/<group>.snap the group's newest snapshot (raftpb.Snapshot, CRC-checked)
//
// A WAL record is an 8-byte header (payload length, CRC-32C of the payload)
// followed by the payload: a kind byte, the group id, and a body (raft log
// entries, a hard state, or the marker of an installed snapshot).
//
// Group commit: Store.Save takes the hard states, entries and snapshots of
// every group the node's appender has queued (everything raft produced
// while the previous batch was syncing), writes them with one write and
// makes them durable with ONE fsync. This is what lets a node with
// thousands of groups keep up: the fsync (≈130 µs on the project's machine
// when idle, milliseconds when loaded) is paid once per batch, not once per
// group or write. A batch that only advances commit indexes is written
// without an fsync (Update.CommitOnly); on Open a commit index left behind a
// snapshot by such a lost write is raised to the snapshot's index.
//
// Reads go to an in-memory go.etcd.io/raft/v3 MemoryStorage per group, which
// is what Group embeds; Save updates it after the data is durable, so raft
// never sees an entry as stored before it is. Store.Compact writes a snapshot
// file and compacts the group's log; WAL segments whose entries are all
// covered by their groups' snapshots are deleted (every new segment begins
// with a checkpoint of all hard states, so older ones are never needed).
//
// Crash safety: on Open the WAL is replayed; a torn or partial record at the
// tail of the last segment (bad CRC, short header or payload) is the unsynced
// end of the last write and is truncated; the same damage in an older segment
// is corruption and fails Open. Options.NoSync turns fsync off and exists only
// for benchmarks that say so.
package storage
