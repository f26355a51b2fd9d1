// Package catalog holds the tables of an engine: their key schemas and
// attribute definitions, billing settings, status, and each table's partition
// map — an explicit list of partitions, each owning a contiguous range
// [Lo, Hi] of the 64-bit hash of the partition key, each served by a
// partition.Replica (a single Local replica in engine-1, a raft group when
// replicated). A ReplicaFactory decides which.
package catalog
