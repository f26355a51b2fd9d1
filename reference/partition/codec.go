package partition

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Commands travel through the replicated log in a binary form (see
// value.AppendBinary for values and items):
//
//	0xC1 id op key item cond upd names values legacy txn
//
// id, cond, upd: uvarint length + bytes; op: one byte; key, item: items;
// names: uvarint count + (name, path) pairs; values: uvarint count +
// (placeholder, value) pairs; legacy: uvarint length + the JSON of the
// rarely used legacy parameters (Expected, ConditionalOperator,
// AttributeUpdates), empty when none; txn: 0, or 1 + id + uvarint ts + phase.
//
// Logs written before the binary form hold JSON commands, which begin with
// '{': UnmarshalCommand still reads them.
const commandMagic = 0xC1

// errCommand is wrapped by every error decoding a binary command.
var errCommand = errors.New("partition: malformed command")

// legacyParams are the legacy parameters, JSON-encoded inside the binary
// form (they are rare, and their types carry JSON encodings already).
type legacyParams struct {
	Expected         map[string]expr.LegacyCondition `json:"expected,omitempty"`
	CondOp           string                          `json:"condOp,omitempty"`
	AttributeUpdates map[string]expr.AttributeUpdate `json:"attrUpdates,omitempty"`
}

// Marshal encodes the command for a replicated log.
func (c *Command) Marshal() ([]byte, error) {
	return c.AppendBinary(make([]byte, 0, 256))
}

// AppendBinary appends the command's binary form to b.
func (c *Command) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, commandMagic)
	b = appendStr(b, c.ID)
	b = append(b, byte(c.Op))
	b = value.AppendItemBinary(b, c.Key)
	b = value.AppendItemBinary(b, c.Item)
	b = appendStr(b, c.Condition)
	b = appendStr(b, c.Update)
	b = binary.AppendUvarint(b, uint64(len(c.Names)))
	for k, v := range c.Names {
		b = appendStr(appendStr(b, k), v)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Values)))
	for k, v := range c.Values {
		b = value.AppendBinary(appendStr(b, k), v)
	}
	if c.Expected != nil || c.CondOp != "" || c.AttributeUpdates != nil {
		lj, err := json.Marshal(legacyParams{c.Expected, c.CondOp, c.AttributeUpdates})
		if err != nil {
			return nil, fmt.Errorf("partition: encode command: %w", err)
		}
		b = appendStr(b, string(lj))
	} else {
		b = append(b, 0)
	}
	if c.Txn == nil {
		return append(b, 0), nil
	}
	b = append(b, 1)
	b = appendStr(b, c.Txn.ID)
	b = binary.AppendUvarint(b, c.Txn.TS)
	return append(b, byte(c.Txn.Phase)), nil
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// UnmarshalCommand decodes a command from a replicated log (binary, or
// JSON as written by older versions).
func UnmarshalCommand(b []byte) (*Command, error) {
	if len(b) > 0 && b[0] == '{' {
		var c Command
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("partition: decode command: %w", err)
		}
		return &c, nil
	}
	if len(b) == 0 || b[0] != commandMagic {
		return nil, fmt.Errorf("%w: unknown format", errCommand)
	}
	r := cmdReader{b: b[1:]}
	c := &Command{}
	c.ID = r.str()
	c.Op = Op(r.byte())
	c.Key = r.item()
	c.Item = r.item()
	c.Condition = r.str()
	c.Update = r.str()
	if n := r.count(); n > 0 {
		c.Names = make(map[string]string, n)
		for range n {
			k := r.str()
			c.Names[k] = r.str()
		}
	}
	if n := r.count(); n > 0 {
		c.Values = make(map[string]value.Value, n)
		for range n {
			k := r.str()
			c.Values[k] = r.value()
		}
	}
	if lj := r.str(); lj != "" && r.err == nil {
		var lp legacyParams
		if err := json.Unmarshal([]byte(lj), &lp); err != nil {
			return nil, fmt.Errorf("%w: legacy parameters: %w", errCommand, err)
		}
		c.Expected, c.CondOp, c.AttributeUpdates = lp.Expected, lp.CondOp, lp.AttributeUpdates
	}
	if r.byte() == 1 {
		c.Txn = &TxnStep{ID: r.str(), TS: r.uvarint(), Phase: TxnPhase(r.byte())}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCommand, len(r.b))
	}
	return c, nil
}

type cmdReader struct {
	b   []byte
	err error
}

func (r *cmdReader) fail(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %w", errCommand, err)
	}
	r.b = nil
}

func (r *cmdReader) uvarint() uint64 {
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errors.New("bad varint"))
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *cmdReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail(errors.New("count beyond the input"))
		return 0
	}
	return int(n)
}

func (r *cmdReader) byte() byte {
	if len(r.b) == 0 {
		r.fail(errors.New("truncated"))
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *cmdReader) str() string {
	n := r.count()
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *cmdReader) item() value.Item {
	if r.err != nil {
		return nil
	}
	it, rest, err := value.DecodeItemBinary(r.b)
	if err != nil {
		r.fail(err)
		return nil
	}
	r.b = rest
	if len(it) == 0 {
		return nil // as the JSON form's omitted item
	}
	return it
}

func (r *cmdReader) value() value.Value {
	if r.err != nil {
		return value.Value{}
	}
	v, rest, err := value.DecodeBinary(r.b)
	if err != nil {
		r.fail(err)
		return value.Value{}
	}
	r.b = rest
	return v
}
