package replica

import (
	"encoding/binary"
	"errors"
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
