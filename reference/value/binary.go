package value

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unsafe"
)

// The binary form of values and items is the engine's internal encoding:
// replicated commands, log entries and snapshots carry it instead of the
// wire JSON, because it is several times cheaper to write and read (no
// base64, no quoting, no reflection) and a little smaller.
//
//	value  = type:byte payload
//	S, N   uvarint(len) bytes          (N in canonical decimal text)
//	B      uvarint(len) bytes
//	BOOL   0 or 1
//	NULL   nothing
//	SS, NS uvarint(count) {uvarint(len) bytes}
//	BS     uvarint(count) {uvarint(len) bytes}
//	L      uvarint(count) {value}
//	M      item
//	item   = uvarint(count) {uvarint(len) name value}, names in byte order
//
// Map and item members are written in name order, so equal items have
// equal encodings (replicas compare digests of them). The encoding is not
// a wire format: it changes with the engine, and data directories carry a
// version byte in front of it where they store it.

// ErrBinary is wrapped by every decoding error.
var ErrBinary = errors.New("value: malformed binary value")

// AppendBinary appends the binary form of v to b.
func AppendBinary(b []byte, v Value) []byte {
	b = append(b, byte(v.T))
	switch v.T {
	case S, N:
		b = appendBytes(b, v.Str)
	case B:
		b = appendBytes(b, v.Bin)
	case BOOL:
		if v.Bool {
			return append(b, 1)
		}
		return append(b, 0)
	case NULL:
	case SS, NS:
		b = binary.AppendUvarint(b, uint64(len(v.Strs)))
		for _, s := range v.Strs {
			b = appendBytes(b, s)
		}
	case BS:
		b = binary.AppendUvarint(b, uint64(len(v.Bins)))
		for _, x := range v.Bins {
			b = appendBytes(b, x)
		}
	case L:
		b = binary.AppendUvarint(b, uint64(len(v.List)))
		for _, x := range v.List {
			b = AppendBinary(b, x)
		}
	case M:
		b = AppendItemBinary(b, Item(v.Map))
	default:
		panic(fmt.Sprintf("value: AppendBinary of invalid type %d", v.T))
	}
	return b
}

// AppendItemBinary appends the binary form of item i (nil and empty items
// encode alike) to b.
func AppendItemBinary(b []byte, i Item) []byte {
	b = binary.AppendUvarint(b, uint64(len(i)))
	var small [16]string
	names := small[:0]
	for k := range i {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b = appendBytes(b, k)
		b = AppendBinary(b, i[k])
	}
	return b
}

func appendBytes[T string | []byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeBinary decodes one value from the front of b and returns the rest.
func DecodeBinary(b []byte) (Value, []byte, error) {
	d := decoder{b: b}
	v := d.value(1)
	if d.err != nil {
		return Value{}, nil, d.err
	}
	return v, d.b, nil
}

// DecodeItemBinary decodes one item from the front of b and returns the
// rest. An empty item decodes as an empty, non-nil Item.
func DecodeItemBinary(b []byte) (Item, []byte, error) {
	d := decoder{b: b}
	it := d.item(1)
	if d.err != nil {
		return nil, nil, d.err
	}
	return it, d.b, nil
}

// DecodeItemBinaryShared is DecodeItemBinary for an encoding that is never
// modified afterwards (the engine's in-memory copy of a stored item): the
// decoded strings and byte slices share b's memory instead of copying it,
// which saves most of a decode's allocations. The item keeps b alive.
func DecodeItemBinaryShared(b []byte) (Item, []byte, error) {
	d := decoder{b: b, shared: true}
	it := d.item(1)
	if d.err != nil {
		return nil, nil, d.err
	}
	return it, d.b, nil
}

// maxBinaryDepth bounds nesting when decoding (DynamoDB allows 32 levels;
// the margin covers items built by the engine itself).
const maxBinaryDepth = 64

type decoder struct {
	b      []byte
	err    error
	shared bool // alias b's memory (DecodeItemBinaryShared)
}

func (d *decoder) str() string {
	b := d.bytes()
	if d.shared && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

func (d *decoder) bin() []byte {
	b := d.bytes()
	if d.shared {
		if b == nil {
			return []byte{}
		}
		return b
	}
	return append([]byte{}, b...)
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrBinary, what)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length")
		return 0
	}
	d.b = d.b[n:]
	return x
}

// count reads an element count: each element takes at least min bytes, so
// a count larger than the rest of the input is malformed (and never makes
// a huge allocation).
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail("count beyond the input")
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("length beyond the input")
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) value(depth int) Value {
	if depth > maxBinaryDepth {
		d.fail("nested too deeply")
		return Value{}
	}
	if len(d.b) == 0 {
		d.fail("missing value")
		return Value{}
	}
	t := Type(d.b[0])
	d.b = d.b[1:]
	v := Value{T: t}
	switch t {
	case S, N:
		v.Str = d.str()
	case B:
		v.Bin = d.bin()
	case BOOL:
		if len(d.b) == 0 || d.b[0] > 1 {
			d.fail("bad BOOL")
			return Value{}
		}
		v.Bool = d.b[0] == 1
		d.b = d.b[1:]
	case NULL:
	case SS, NS:
		n := d.count(1)
		v.Strs = make([]string, n)
		for i := range n {
			v.Strs[i] = d.str()
		}
	case BS:
		n := d.count(1)
		v.Bins = make([][]byte, n)
		for i := range n {
			v.Bins[i] = d.bin()
		}
	case L:
		n := d.count(1)
		v.List = make([]Value, n)
		for i := range n {
			v.List[i] = d.value(depth + 1)
		}
	case M:
		v.Map = d.item(depth + 1)
	default:
		d.fail(fmt.Sprintf("type %d", t))
		return Value{}
	}
	if d.err != nil {
		return Value{}
	}
	return v
}

func (d *decoder) item(depth int) Item {
	n := d.count(2)
	it := make(Item, n)
	for range n {
		k := d.str()
		it[k] = d.value(depth)
		if d.err != nil {
			return nil
		}
	}
	return it
}

// AppendItemJSONFromBinary appends the wire JSON of the item whose binary
// form is enc (as AppendItemBinary wrote it) to b, without building the
// value.Item: a read that returns a whole stored item spends no map and no
// allocation per attribute on it.
func AppendItemJSONFromBinary(b, enc []byte) ([]byte, error) {
	d := decoder{b: enc}
	b = d.itemJSON(b, 1)
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrBinary, len(d.b))
	}
	return b, nil
}

func (d *decoder) itemJSON(b []byte, depth int) []byte {
	n := d.count(2)
	b = append(b, '{')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStringBytes(b, d.bytes())
		b = append(b, ':')
		b = d.valueJSON(b, depth)
		if d.err != nil {
			return b
		}
	}
	return append(b, '}')
}

func (d *decoder) valueJSON(b []byte, depth int) []byte {
	if depth > maxBinaryDepth {
		d.fail("nested too deeply")
		return b
	}
	if len(d.b) == 0 {
		d.fail("missing value")
		return b
	}
	t := Type(d.b[0])
	d.b = d.b[1:]
	switch t {
	case S:
		b = append(b, `{"S":`...)
		b = appendStringBytes(b, d.bytes())
	case N:
		b = append(b, `{"N":"`...)
		b = append(b, d.bytes()...)
		b = append(b, '"')
	case B:
		b = append(b, `{"B":"`...)
		b = base64.StdEncoding.AppendEncode(b, d.bytes())
		b = append(b, '"')
	case BOOL:
		if len(d.b) == 0 || d.b[0] > 1 {
			d.fail("bad BOOL")
			return b
		}
		b = append(b, `{"BOOL":`...)
		b = strconv.AppendBool(b, d.b[0] == 1)
		d.b = d.b[1:]
	case NULL:
		b = append(b, `{"NULL":true`...)
	case SS, NS, BS:
		b = append(b, `{"`...)
		b = append(b, t.String()...)
		b = append(b, `":[`...)
		n := d.count(1)
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			switch t {
			case BS:
				b = append(b, '"')
				b = base64.StdEncoding.AppendEncode(b, d.bytes())
				b = append(b, '"')
			default:
				b = appendStringBytes(b, d.bytes())
			}
		}
		b = append(b, ']')
	case L:
		b = append(b, `{"L":[`...)
		n := d.count(1)
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = d.valueJSON(b, depth+1)
		}
		b = append(b, ']')
	case M:
		b = append(b, `{"M":`...)
		b = d.itemJSON(b, depth+1)
	default:
		d.fail(fmt.Sprintf("type %d", t))
		return b
	}
	return append(b, '}')
}

// appendStringBytes is AppendString for bytes that hold a string.
func appendStringBytes(b, s []byte) []byte {
	if len(s) == 0 {
		return append(b, `""`...)
	}
	return AppendString(b, unsafe.String(&s[0], len(s)))
}
