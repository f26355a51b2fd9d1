package replica

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// RequestID identifies a proposal so that re-proposing it applies it once.
// Client identifies the proposer (a node incarnation or a router session)
// and Seq numbers its requests.
type RequestID struct {
	Client uint64
	Seq    uint64
}

const envelopeVersion = 1

// encodeProposal wraps cmd with its request id: version, client, seq, cmd.
func encodeProposal(id RequestID, cmd []byte) []byte {
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(cmd))
	b = append(b, envelopeVersion)
	b = binary.AppendUvarint(b, id.Client)
	b = binary.AppendUvarint(b, id.Seq)
	return append(b, cmd...)
}

var errBadEnvelope = errors.New("replica: malformed proposal envelope")

func decodeProposal(b []byte) (RequestID, []byte, error) {
	if len(b) < 1 || b[0] != envelopeVersion {
		return RequestID{}, nil, errBadEnvelope
	}
	b = b[1:]
	c, n := binary.Uvarint(b)
	if n <= 0 {
		return RequestID{}, nil, errBadEnvelope
	}
	b = b[n:]
	s, n := binary.Uvarint(b)
	if n <= 0 {
		return RequestID{}, nil, errBadEnvelope
	}
	return RequestID{Client: c, Seq: s}, b[n:], nil
}

// dedup remembers the request ids applied in the last window log indexes.
// It is part of the replicated state: its content is a function of the log,
// and snapshots carry it. Results are cached beside it but only in memory
// (they are values of the proposer's Go program, not data).
type dedup struct {
	window  uint64
	applied map[RequestID]uint64 // id -> index it was applied at
	order   []dedupEntry         // in index order, for eviction
	results map[RequestID]any
}

type dedupEntry struct {
	id    RequestID
	index uint64
}

func newDedup(window uint64) *dedup {
	return &dedup{window: window, applied: map[RequestID]uint64{}, results: map[RequestID]any{}}
}

func (d *dedup) seen(id RequestID) bool {
	_, ok := d.applied[id]
	return ok
}

func (d *dedup) record(id RequestID, index uint64, result any) {
	d.applied[id] = index
	d.results[id] = result
	d.order = append(d.order, dedupEntry{id, index})
	// Evict by log index, so every replica evicts the same ids.
	i := 0
	for i < len(d.order) && d.order[i].index+d.window < index {
		delete(d.applied, d.order[i].id)
		delete(d.results, d.order[i].id)
		i++
	}
	if i > 0 {
		d.order = append(d.order[:0], d.order[i:]...)
	}
}

// result returns the cached result of an applied id, or ErrAlreadyApplied.
func (d *dedup) result(id RequestID) any {
	if r, ok := d.results[id]; ok {
		return r
	}
	return ErrAlreadyApplied
}

// encodeSnapshot prefixes the state machine's image with the dedup table:
// count, then (client, seq, index) per id, then the image.
func encodeSnapshot(d *dedup, image []byte) []byte {
	b := binary.AppendUvarint(nil, uint64(len(d.order)))
	for _, e := range d.order {
		b = binary.AppendUvarint(b, e.id.Client)
		b = binary.AppendUvarint(b, e.id.Seq)
		b = binary.AppendUvarint(b, e.index)
	}
	return append(b, image...)
}

func decodeSnapshot(b []byte, window uint64) (*dedup, []byte, error) {
	d := newDedup(window)
	if len(b) == 0 { // the empty bootstrap snapshot
		return d, nil, nil
	}
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, nil, fmt.Errorf("replica: malformed snapshot header")
	}
	b = b[k:]
	for i := uint64(0); i < n; i++ {
		var v [3]uint64
		for j := range v {
			x, k := binary.Uvarint(b)
			if k <= 0 {
				return nil, nil, fmt.Errorf("replica: malformed snapshot dedup table")
			}
			v[j], b = x, b[k:]
		}
		id := RequestID{Client: v[0], Seq: v[1]}
		d.applied[id] = v[2]
		d.order = append(d.order, dedupEntry{id, v[2]})
	}
	return d, b, nil
}
