// Package partition is the deterministic state machine of one partition of a
// table: an ordered B-tree (github.com/google/btree) of items keyed by an
// order-preserving encoding of (hash(partition key), partition key, sort key),
// and the write commands applied to it (Put, Delete, Update, each with an
// optional condition evaluated at apply time).
//
// The package never knows about replication. A Replica is "something that
// applies commands to a State and lets you read it": Local applies them
// directly (engine-1, one replica); the replication layer applies the same
// commands from a committed raft log on three replicas. Because a Command
// carries the whole request (condition and update as expression text plus
// attribute names and values) and Apply is a pure function of the State and
// the Command, every replica reaches the same state.
//
// Key layout (see Key): 8 bytes big-endian hash of the partition key, then
// value.AppendKey(partition key), then value.AppendKey(sort key) if the table
// has one. Items of one partition key are therefore contiguous and sorted by
// sort key, so a Query is a range scan, and a Scan visits items in hash order,
// which is also the order of the table's partitions.
//
// Also part of the state, so replicated with it: transactions' prepared
// writes and recent outcomes (txn.go, the partition's half of the protocol
// in package txn), and local secondary indexes, kept in trees updated in the
// same apply as the items (index.go). Each replica also keeps the global
// secondary index entries of its own items (ScanGlobal: built the first
// time a replica is asked, then updated in every apply); a GSI read merges
// them over all partitions (package api). Items are held in the B-trees in
// their binary form (value.AppendItemBinary) and decoded on read.
package partition
