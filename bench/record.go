package bench

import (
	"math/rand/v2"
	"strconv"

	"github.com/ddbkit/ddbkit/bench/driver"
	"github.com/ddbkit/ddbkit/bench/keygen"
	"github.com/ddbkit/ddbkit/workloads"
)

// valueAlphabet fills field values. YCSB's RandomByteIterator draws
// printable ASCII; ddbkit draws letters and digits so values never need
// JSON escaping (the lengths, which are what the store sees, are the same).
const valueAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// dataPool is a read-only block of random value bytes shared by all
// workers; a field value is a slice of it at a random offset.
type dataPool []byte

func newDataPool(seed uint64, size int) dataPool {
	r := rand.New(rand.NewPCG(seed, 0xda7a))
	b := make([]byte, size)
	for i := range b {
		b[i] = valueAlphabet[r.IntN(len(valueAlphabet))]
	}
	return b
}

func (d dataPool) value(r *rand.Rand, n int64) []byte {
	if n > int64(len(d)) {
		n = int64(len(d))
	}
	off := r.Int64N(int64(len(d)) - n + 1)
	return d[off : off+n]
}

// layout maps YCSB record numbers to DynamoDB keys and fields.
type layout struct {
	spec      workloads.Spec
	table     driver.Table
	fields    []string
	versioned bool
	fieldLen  keygen.LengthGen
	data      dataPool
}

func newLayout(s workloads.Spec, seed uint64) (*layout, error) {
	fl, err := keygen.NewLengthGen(s.FieldLengthDistribution, s.MinFieldLength, s.FieldLength)
	if err != nil {
		return nil, err
	}
	l := &layout{
		spec:      s,
		table:     driver.Table{Name: s.Table, SortKey: s.SortKeys > 1},
		versioned: s.ConditionalUpdateProportion > 0,
		fieldLen:  fl,
	}
	for i := int64(0); i < s.FieldCount; i++ {
		l.fields = append(l.fields, s.FieldNamePrefix+strconv.FormatInt(i, 10))
	}
	size := 1 << 20
	if need := 4 * s.FieldLength; need > int64(size) {
		size = int(need)
	}
	l.data = newDataPool(seed, size)
	return l, nil
}

// key returns the DynamoDB key of record number n, appending the key name
// to buf.
func (l *layout) key(buf []byte, n int64) driver.Key {
	if l.table.SortKey {
		return driver.Key{PK: keygen.AppendKeyName(buf, n/l.spec.SortKeys, l.spec.ZeroPadding, l.spec.OrderedInserts), SK: n % l.spec.SortKeys}
	}
	return driver.Key{PK: keygen.AppendKeyName(buf, n, l.spec.ZeroPadding, l.spec.OrderedInserts)}
}

// item builds a whole record (every field), as YCSB's buildValues.
func (l *layout) item(r *rand.Rand, buf []byte, n int64, fields []driver.Field) driver.Item {
	fields = fields[:0]
	for _, name := range l.fields {
		fields = append(fields, driver.Field{Name: name, Value: l.data.value(r, l.fieldLen.Next(r))})
	}
	it := driver.Item{Key: l.key(buf, n), Fields: fields}
	if l.versioned {
		it.Version = 1
	}
	return it
}
