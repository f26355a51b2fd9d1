package replica

import (
	"encoding/binary"
	"fmt"
)

// encodeSnapshot prefixes the state machine's image with the dedup table:
// count, then (client, seq, index) per id, then the image.
func encodeSnapshot(d *dedup, image []byte) []byte {
	return append(snapshotHeader(d.live(), len(image)), image...)
}

// snapshotHeader is the dedup table part of a snapshot, with room for an
// image of extra bytes after it.
func snapshotHeader(order []dedupEntry, extra int) []byte {
	b := make([]byte, 0, 3*len(order)+extra+8)
	b = binary.AppendUvarint(b, uint64(len(order)))
	for _, e := range order {
		b = binary.AppendUvarint(b, e.id.Client)
		b = binary.AppendUvarint(b, e.id.Seq)
		b = binary.AppendUvarint(b, e.index)
	}
	return b
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
