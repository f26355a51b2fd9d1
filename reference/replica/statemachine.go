package replica

// StateMachine is what a group replicates. The partition package implements
// it; tests use a toy key-value map.
//
// Apply, Snapshot and Restore are called only from the node's loop
// goroutine. Readers that access the state machine from other goroutines
// (after ReadIndex) must synchronize with Apply themselves.
type StateMachine interface {
	// Apply applies the command committed at index. It must be
	// deterministic: every replica applies the same commands in the same
	// order and must reach the same state. The result is handed to the
	// proposer.
	Apply(index uint64, cmd []byte) any
	// Snapshot returns a consistent image as of the last applied index.
	Snapshot() ([]byte, error)
	// Restore replaces the state with snap, taken at index.
	Restore(index uint64, snap []byte) error
}

// DecodedApplier is a StateMachine that can apply a command the proposer
// already holds decoded (Group.ProposeDecoded), sparing the leader a decode
// of its own proposal. ApplyDecoded must have exactly the effect and result
// of Apply(index, cmd).
type DecodedApplier interface {
	ApplyDecoded(index uint64, cmd []byte, decoded any) any
}

// AsyncSnapshotter is a StateMachine whose snapshots can be encoded off the
// node's loop: SnapshotAsync captures the state as of the last applied
// index (cheaply: it runs on the loop) and returns the function that
// appends to dst the capture's encoding, what Snapshot would have returned
// (dst is the replica's snapshot header: one buffer, no copy); the replica
// runs that function and writes the snapshot on another goroutine, so a
// large partition's snapshot stalls neither its node's other groups nor
// the WAL's group commit.
type AsyncSnapshotter interface {
	SnapshotAsync() func(dst []byte) ([]byte, error)
}
