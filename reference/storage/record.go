package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// recordKind tags the body of a WAL record.
type recordKind byte

const (
	kindEntries   recordKind = 1 // body: repeated (uvarint length, raftpb.Entry)
	kindHardState recordKind = 2 // body: raftpb.HardState
	kindSnapshot  recordKind = 3 // body: uvarint index, uvarint term of an installed snapshot
)

const headerSize = 8

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// marshalOpts is deterministic so that Size and MarshalAppend agree.
var marshalOpts = proto.MarshalOptions{Deterministic: true}

// errTorn reports a record that is incomplete or fails its checksum.
var errTorn = errors.New("storage: torn or corrupt WAL record")

// record is one decoded WAL record.
type record struct {
	kind    recordKind
	group   uint64
	entries []*pb.Entry
	hs      *pb.HardState
	index   uint64 // kindSnapshot
	term    uint64 // kindSnapshot
}

// appendRecord frames payload (kind, group, body) onto buf.
func appendRecord(buf []byte, kind recordKind, group uint64, body func([]byte) ([]byte, error)) ([]byte, error) {
	start := len(buf)
	buf = append(buf, make([]byte, headerSize)...)
	buf = append(buf, byte(kind))
	buf = binary.AppendUvarint(buf, group)
	buf, err := body(buf)
	if err != nil {
		return buf[:start], err
	}
	payload := buf[start+headerSize:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, crcTable))
	return buf, nil
}

func appendEntries(buf []byte, group uint64, ents []*pb.Entry) ([]byte, error) {
	return appendRecord(buf, kindEntries, group, func(b []byte) ([]byte, error) {
		for _, e := range ents {
			// Marshalled straight into the record (no buffer per entry).
			b = binary.AppendUvarint(b, uint64(marshalOpts.Size(e)))
			var err error
			if b, err = marshalOpts.MarshalAppend(b, e); err != nil {
				return b, fmt.Errorf("storage: marshal entry %d: %w", e.GetIndex(), err)
			}
		}
		return b, nil
	})
}

func appendHardState(buf []byte, group uint64, hs *pb.HardState) ([]byte, error) {
	return appendRecord(buf, kindHardState, group, func(b []byte) ([]byte, error) {
		data, err := proto.Marshal(hs)
		if err != nil {
			return b, fmt.Errorf("storage: marshal hard state: %w", err)
		}
		return append(b, data...), nil
	})
}

func appendSnapshotMarker(buf []byte, group, index, term uint64) ([]byte, error) {
	return appendRecord(buf, kindSnapshot, group, func(b []byte) ([]byte, error) {
		b = binary.AppendUvarint(b, index)
		return binary.AppendUvarint(b, term), nil
	})
}

// decodeRecord decodes the record at the start of data and returns it with
// its framed length. errTorn means the bytes do not hold a whole valid record.
func decodeRecord(data []byte) (record, int, error) {
	if len(data) < headerSize {
		return record{}, 0, errTorn
	}
	n := int(binary.LittleEndian.Uint32(data))
	sum := binary.LittleEndian.Uint32(data[4:])
	if n == 0 || n > len(data)-headerSize {
		return record{}, 0, errTorn
	}
	payload := data[headerSize : headerSize+n]
	if crc32.Checksum(payload, crcTable) != sum {
		return record{}, 0, errTorn
	}
	r := record{kind: recordKind(payload[0])}
	p := payload[1:]
	g, k := binary.Uvarint(p)
	if k <= 0 {
		return record{}, 0, fmt.Errorf("storage: bad group id in record: %w", errTorn)
	}
	r.group, p = g, p[k:]
	switch r.kind {
	case kindEntries:
		for len(p) > 0 {
			l, k := binary.Uvarint(p)
			if k <= 0 || uint64(len(p)-k) < l {
				return record{}, 0, fmt.Errorf("storage: bad entry length: %w", errTorn)
			}
			e := &pb.Entry{}
			if err := proto.Unmarshal(p[k:k+int(l)], e); err != nil {
				return record{}, 0, fmt.Errorf("storage: decode entry: %w", err)
			}
			r.entries = append(r.entries, e)
			p = p[k+int(l):]
		}
	case kindHardState:
		r.hs = &pb.HardState{}
		if err := proto.Unmarshal(p, r.hs); err != nil {
			return record{}, 0, fmt.Errorf("storage: decode hard state: %w", err)
		}
	case kindSnapshot:
		idx, k := binary.Uvarint(p)
		if k <= 0 {
			return record{}, 0, fmt.Errorf("storage: bad snapshot marker: %w", errTorn)
		}
		term, k2 := binary.Uvarint(p[k:])
		if k2 <= 0 {
			return record{}, 0, fmt.Errorf("storage: bad snapshot marker: %w", errTorn)
		}
		r.index, r.term = idx, term
	default:
		return record{}, 0, fmt.Errorf("storage: unknown record kind %d", r.kind)
	}
	return r, headerSize + n, nil
}
