package node

import (
	"fmt"
	"sync/atomic"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
)

// freezeCmd is the replicated command that freezes a partition about to
// split. Encoded partition commands are longer than one byte (binary ones
// begin with 0xC1, JSON ones from older logs with '{').
var freezeCmd = []byte{0x01}

// WrongRangeType is the error type of a command that reached a partition
// frozen by a split; routers retry it at the partition's children, so it
// never reaches a client.
const WrongRangeType = "ddbkit.WrongRange"

func wrongRange() error {
	return ddberr.New(WrongRangeType, "partition split: retry at its children")
}

// partMachine is a partition's replicated state machine: partition.Machine
// plus the split freeze. Once the freeze applies (at the same log index on
// every replica), the partition never changes again: every replica holds the
// identical image the split's children are built from.
type partMachine struct {
	partition.Machine
	frozen   atomic.Bool
	onFreeze func()
	// load counts the requests this replica serves (nil: not counted).
	load *loadMeter
}

// Apply implements replica.StateMachine.
func (m *partMachine) Apply(index uint64, cmd []byte) any {
	if len(cmd) == 1 && cmd[0] == freezeCmd[0] {
		m.frozen.Store(true)
		if m.onFreeze != nil {
			m.onFreeze()
		}
		return nil
	}
	if m.frozen.Load() {
		return partition.Result{Err: wrongRange()}
	}
	m.load.add()
	return m.Machine.Apply(index, cmd)
}

// Snapshot implements replica.StateMachine: one byte (frozen or not), then
// the partition's image.
func (m *partMachine) Snapshot() ([]byte, error) {
	b, err := m.Machine.Snapshot()
	if err != nil {
		return nil, err
	}
	flag := byte('A')
	if m.frozen.Load() {
		flag = 'F'
	}
	return append([]byte{flag}, b...), nil
}

// Restore implements replica.StateMachine.
func (m *partMachine) Restore(index uint64, b []byte) error {
	if len(b) == 0 {
		return nil // an empty group's index-0 snapshot
	}
	switch b[0] {
	case 'A', 'F':
	default:
		return fmt.Errorf("node: partition snapshot: unknown flag %q", b[0])
	}
	if err := m.Machine.Restore(index, b[1:]); err != nil {
		return err
	}
	m.frozen.Store(b[0] == 'F')
	return nil
}

// ApplyDecoded implements replica.DecodedApplier: the leader applies a
// command its proposer holds decoded (a *partition.Command) without decoding
// the log entry again; the effect is Apply's.
func (m *partMachine) ApplyDecoded(index uint64, cmd []byte, decoded any) any {
	c, ok := decoded.(*partition.Command)
	if !ok {
		return m.Apply(index, cmd)
	}
	if m.frozen.Load() {
		return partition.Result{Err: wrongRange()}
	}
	m.load.add()
	return m.State.Apply(index, c)
}

// SnapshotAsync implements replica.AsyncSnapshotter: the capture is taken
// now (with the frozen flag as of now), the encoding runs later, appended to
// the replica's header.
func (m *partMachine) SnapshotAsync() func(dst []byte) ([]byte, error) {
	flag := byte('A')
	if m.frozen.Load() {
		flag = 'F'
	}
	encode := m.Machine.SnapshotImageAppend()
	return func(dst []byte) ([]byte, error) { return encode(append(dst, flag)) }
}
