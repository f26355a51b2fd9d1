package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ddbkit/ddbkit/bench/driver"
	"github.com/ddbkit/ddbkit/bench/keygen"
	"github.com/ddbkit/ddbkit/bench/measure"
	"github.com/ddbkit/ddbkit/workloads"
)

// worker issues operations with its own random stream and generators, as
// one YCSB client thread does.
type worker struct {
	l        *layout
	c        driver.Client
	rec      *measure.Recorder
	r        *rand.Rand
	ops      keygen.Discrete
	keys     keygen.Chooser
	inserts  *keygen.AckCounter
	fieldSel keygen.Uniform
	scanLen  keygen.LengthGen

	keyBuf  []byte
	fields  []driver.Field
	items   []driver.Item
	bufs    [][]byte
	project []string
	chosen  []int64
}

func newWorker(l *layout, c driver.Client, rec *measure.Recorder, seed uint64, id int, chooser keygen.Chooser, inserts *keygen.AckCounter) (*worker, error) {
	w := &worker{
		l: l, c: c, rec: rec,
		r:        rand.New(rand.NewPCG(seed, uint64(id)+1)),
		keys:     chooser.Clone(),
		inserts:  inserts,
		fieldSel: keygen.NewUniform(0, l.spec.FieldCount-1),
		keyBuf:   make([]byte, 0, 32),
		project:  make([]string, 1),
	}
	for _, m := range l.spec.Mix() {
		w.ops.Add(m.Weight, m.Op)
	}
	var err error
	if w.scanLen, err = keygen.NewLengthGen(l.spec.ScanLengthDistribution, l.spec.MinScanLength, l.spec.MaxScanLength); err != nil {
		return nil, err
	}
	w.bufs = make([][]byte, l.spec.BatchSize)
	for i := range w.bufs {
		w.bufs[i] = make([]byte, 0, 32)
	}
	return w, nil
}

// next picks the next operation (YCSB's operationchooser).
func (w *worker) next() string { return w.ops.Next(w.r) }

// readFields is nil (all) or one random field, as YCSB's doTransactionRead.
func (w *worker) readFields() []string {
	if w.l.spec.ReadAllFields {
		return nil
	}
	w.project[0] = w.l.fields[w.fieldSel.Next(w.r)]
	return w.project
}

// writeFields is every field or one random field, as YCSB's
// buildValues/buildSingleValue.
func (w *worker) writeFields() []driver.Field {
	w.fields = w.fields[:0]
	if w.l.spec.WriteAllFields {
		for _, name := range w.l.fields {
			w.fields = append(w.fields, driver.Field{Name: name, Value: w.l.data.value(w.r, w.l.fieldLen.Next(w.r))})
		}
		return w.fields
	}
	name := w.l.fields[w.fieldSel.Next(w.r)]
	return append(w.fields, driver.Field{Name: name, Value: w.l.data.value(w.r, w.l.fieldLen.Next(w.r))})
}

// do executes one operation of type op. Its random choices (key, field,
// length) are drawn inside the measured time; they cost well under a
// microsecond.
func (w *worker) do(ctx context.Context, op string) error {
	l := w.l
	consistent := l.spec.ConsistentRead
	switch op {
	case workloads.OpRead:
		k := l.key(w.keyBuf[:0], w.keys.Next(w.r))
		res, err := w.c.GetItem(ctx, l.table, k, w.readFields(), consistent)
		if err == nil && !res.Found {
			w.rec.Count(op, "not_found", 1)
		}
		return err
	case workloads.OpUpdate:
		k := l.key(w.keyBuf[:0], w.keys.Next(w.r))
		return w.c.UpdateItem(ctx, l.table, k, w.writeFields(), driver.NoCondition)
	case workloads.OpInsert:
		n := w.inserts.Next()
		err := w.c.PutItem(ctx, l.table, l.item(w.r, w.keyBuf[:0], n, w.fields))
		if ackErr := w.inserts.Acknowledge(n); ackErr != nil && err == nil {
			err = ackErr
		}
		return err
	case workloads.OpScan:
		k := l.key(w.keyBuf[:0], w.keys.Next(w.r))
		n, err := w.c.Scan(ctx, l.table, k, int(w.scanLen.Next(w.r)), w.readFields(), consistent)
		w.rec.Count(op, "items", int64(n))
		return err
	case workloads.OpReadModifyWrite:
		k := l.key(w.keyBuf[:0], w.keys.Next(w.r))
		if _, err := w.c.GetItem(ctx, l.table, k, w.readFields(), consistent); err != nil {
			return err
		}
		return w.c.UpdateItem(ctx, l.table, k, w.writeFields(), driver.NoCondition)
	case workloads.OpConditionalUpdate:
		k := l.key(w.keyBuf[:0], w.keys.Next(w.r))
		res, err := w.c.GetItem(ctx, l.table, k, []string{driver.AttrVersion}, true)
		if err != nil {
			return err
		}
		return w.c.UpdateItem(ctx, l.table, k, w.writeFields(), res.Version)
	case workloads.OpQuery:
		n := w.keys.Next(w.r)
		k := l.key(w.keyBuf[:0], n)
		length := w.scanLen.Next(w.r)
		hi := min(k.SK+length-1, l.spec.SortKeys-1)
		got, err := w.c.Query(ctx, l.table, k.PK, k.SK, hi, int(length), w.readFields(), consistent)
		w.rec.Count(op, "items", int64(got))
		return err
	case workloads.OpBatchWrite:
		// BatchWriteItem rejects two requests for one key: draw distinct keys.
		w.items, w.chosen = w.items[:0], w.chosen[:0]
		for i := 0; i < l.spec.BatchSize; i++ {
			n := w.keys.Next(w.r)
			for tries := 0; tries < 100 && slices.Contains(w.chosen, n); tries++ {
				n = w.keys.Next(w.r)
			}
			if slices.Contains(w.chosen, n) {
				break // a tiny key space: send a smaller batch
			}
			w.chosen = append(w.chosen, n)
			w.items = append(w.items, l.item(w.r, w.bufs[i][:0], n, make([]driver.Field, 0, len(l.fields))))
		}
		un, err := w.c.BatchPut(ctx, l.table, w.items)
		w.rec.Count(op, "unprocessed", int64(un))
		return err
	default:
		return fmt.Errorf("bench: unknown operation %q", op)
	}
}
