package transport

import (
	"encoding/binary"
	"fmt"
	"io"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// MaxFrame bounds one frame (a batch), so a corrupt length cannot make the
// reader allocate without limit. Snapshots travel in frames too.
const MaxFrame = 256 << 20

// A frame is a 4-byte big-endian length followed by a protobuf message
//
//	message Batch {
//	  uint64 from = 1;
//	  repeated Envelope envelopes = 2;
//	}
//	message Envelope {
//	  uint64 group = 1;
//	  raftpb.Message msg = 2;
//	}
//
// encoded by hand with protowire (the schema is two fields; generated code
// would need protoc in the build).
func appendFrame(buf []byte, from uint64, batch []Envelope) ([]byte, error) {
	start := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	buf = protowire.AppendTag(buf, 1, protowire.VarintType)
	buf = protowire.AppendVarint(buf, from)
	for _, e := range batch {
		msg, err := proto.Marshal(e.Msg)
		if err != nil {
			return buf[:start], fmt.Errorf("transport: marshal message: %w", err)
		}
		var env []byte
		env = protowire.AppendTag(env, 1, protowire.VarintType)
		env = protowire.AppendVarint(env, e.Group)
		env = protowire.AppendTag(env, 2, protowire.BytesType)
		env = protowire.AppendBytes(env, msg)
		buf = protowire.AppendTag(buf, 2, protowire.BytesType)
		buf = protowire.AppendBytes(buf, env)
	}
	n := len(buf) - start - 4
	if n > MaxFrame {
		return buf[:start], fmt.Errorf("transport: frame of %d bytes exceeds %d", n, MaxFrame)
	}
	binary.BigEndian.PutUint32(buf[start:], uint32(n))
	return buf, nil
}

// readFrame reads one frame from r.
func readFrame(r io.Reader, scratch []byte) (from uint64, batch []Envelope, buf []byte, err error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, scratch, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return 0, nil, scratch, fmt.Errorf("transport: frame of %d bytes exceeds %d", n, MaxFrame)
	}
	if cap(scratch) < int(n) {
		scratch = make([]byte, n)
	}
	buf = scratch[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, scratch, err
	}
	from, batch, err = decodeBatch(buf)
	return from, batch, scratch, err
}

func decodeBatch(b []byte) (uint64, []Envelope, error) {
	var from uint64
	var batch []Envelope
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, nil, fmt.Errorf("transport: bad frame: %w", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, nil, fmt.Errorf("transport: bad from: %w", protowire.ParseError(n))
			}
			from, b = v, b[n:]
		case num == 2 && typ == protowire.BytesType:
			env, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return 0, nil, fmt.Errorf("transport: bad envelope: %w", protowire.ParseError(n))
			}
			e, err := decodeEnvelope(env)
			if err != nil {
				return 0, nil, err
			}
			batch, b = append(batch, e), b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return 0, nil, fmt.Errorf("transport: bad field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	return from, batch, nil
}

func decodeEnvelope(b []byte) (Envelope, error) {
	var e Envelope
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return e, fmt.Errorf("transport: bad envelope: %w", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return e, fmt.Errorf("transport: bad group: %w", protowire.ParseError(n))
			}
			e.Group, b = v, b[n:]
		case num == 2 && typ == protowire.BytesType:
			raw, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return e, fmt.Errorf("transport: bad message: %w", protowire.ParseError(n))
			}
			m := &pb.Message{}
			if err := proto.Unmarshal(raw, m); err != nil {
				return e, fmt.Errorf("transport: decode message: %w", err)
			}
			e.Msg, b = m, b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return e, fmt.Errorf("transport: bad field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	if e.Msg == nil {
		return e, fmt.Errorf("transport: envelope without message")
	}
	return e, nil
}
