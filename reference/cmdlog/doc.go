// Package cmdlog is the durable log of the single-node engine: an
// append-only file of checksummed records (table created, updated, deleted;
// a write command applied to a partition), written with group commit — one
// write and one fsync cover every record queued while the previous fsync ran —
// and replayed on start.
//
// A record is acknowledged only after the fsync that covers it. A torn tail
// (a crash in the middle of a write) fails its checksum and is truncated on
// open, so replay sees exactly a prefix of what was written.
//
// Replicated clusters do not use this package: there each partition's raft
// log is the durable record (reference/storage).
package cmdlog
