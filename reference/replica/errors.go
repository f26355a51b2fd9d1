package replica

import (
	"errors"
	"fmt"
)

// ErrNotLeader is matched (errors.Is) by every *NotLeaderError.
var ErrNotLeader = errors.New("replica: not the leader")

// NotLeaderError says this replica does not lead its group; Leader is the
// node it believes leads (0 when unknown). Nothing was proposed.
type NotLeaderError struct {
	Group  uint64
	Leader uint64
}

func (e *NotLeaderError) Error() string {
	return fmt.Sprintf("replica: group %d: not the leader (leader hint %d)", e.Group, e.Leader)
}

// Is makes errors.Is(err, ErrNotLeader) true.
func (e *NotLeaderError) Is(target error) bool { return target == ErrNotLeader }

// ErrOutcomeUnknown means a proposal was in flight when its leader stepped
// down or the node stopped: it may or may not be applied. Retry with the same
// RequestID to make sure it is applied exactly once.
var ErrOutcomeUnknown = errors.New("replica: proposal outcome unknown (leadership lost)")

// ErrStopped is returned once the node has stopped.
var ErrStopped = errors.New("replica: node stopped")

// ErrAlreadyApplied is the result of a proposal whose request id was already
// applied, when the original result is no longer cached (e.g. after a
// restart). The command was applied exactly once.
var ErrAlreadyApplied = errors.New("replica: request already applied")
