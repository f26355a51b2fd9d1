// Package placement decides which storage nodes hold the replicas of a
// partition.
//
// It implements the zone-aware consistent-hash ring of ARCHITECTURE.md §4
// (after the DynamoDB paper, USENIX ATC 2022 §3): every storage node owns a
// number of virtual nodes, points ("tokens") on a 64-bit ring. A partition is
// placed by walking the ring clockwise from the partition's token and taking
// the first node of each zone that is not yet used, so a partition gets
// exactly one replica in each zone.
//
// Because the walk picks, for every zone independently, the first virtual
// node of that zone after the token, adding a node to zone z changes only
// zone z's choice, and only for the partitions whose walk now meets one of the
// new node's virtual nodes first: about 1/N of the replicas move, all of them
// to the new node. Removing a node is the inverse. The ring is a pure function
// of its membership: the same nodes give the same placement on every process.
package placement
