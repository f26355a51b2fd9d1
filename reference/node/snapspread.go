package node

// defaultSnapshotEvery is replica.Options' snapshot interval when zero.
const defaultSnapshotEvery = 10000

// snapshotEvery spreads the snapshot interval of the nodes: node id
// snapshots every base·(1 + ((id-1) mod 3)/4) applied entries (base, 1.25·base,
// 1.5·base; base is defaultSnapshotEvery when zero).
//
// The replicas of a partition apply the same entries, so with one interval
// they would snapshot at the same log index — at the same moment. A snapshot
// is taken on the node's raft loop, which stalls that node meanwhile; when
// both followers stall together the leader cannot commit either, and every
// write of the partition waits (the throughput dips and p99.9 spikes of
// docs/bench/cluster). With spread intervals at most one replica usually
// snapshots at a time, and a stalled follower is covered by the other.
func snapshotEvery(base uint64, id uint64) uint64 {
	if base == 0 {
		base = defaultSnapshotEvery
	}
	return base + base*((id-1)%3)/4
}
