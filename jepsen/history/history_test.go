package history

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestRecorderStreamsWhatReadJSONLReads(t *testing.T) {
	var buf bytes.Buffer
	now := int64(0)
	clock := func() int64 { now += 10; return now }
	r := NewRecorder(Header{Workload: "register", Seed: 7}, clock, &buf)
	r.Invoke(Op{Process: 0, F: Write, Key: 1, Value: Int(5)})
	r.Invoke(Op{Process: 1, F: Read, Key: 1})
	r.Complete(Op{Type: OK, Process: 1, F: Read, Key: 1, Value: Int(5)})
	r.Event(Op{Type: Info, Process: NemesisProcess, F: FaultStart, Fault: "kill", Target: "n1"})
	r.Complete(Op{Type: Info, Process: 0, F: Write, Key: 1, Value: Int(5), Error: "timeout"})
	r.Event(Op{Type: Info, Process: NemesisProcess, F: FaultStop, Fault: "kill", Target: "n1"})
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := r.History()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
	for i, op := range got.Ops {
		if op.Index != i || op.Time != int64(10*(i+1)) {
			t.Fatalf("op %d: index %d time %d", i, op.Index, op.Time)
		}
	}
	var again bytes.Buffer
	if err := WriteJSONL(&again, got); err != nil {
		t.Fatal(err)
	}
	if strings.Count(again.String(), "\n") != len(got.Ops)+1 {
		t.Fatalf("WriteJSONL wrote %q", again.String())
	}

	pairs := Pairs(got.Ops)
	if len(pairs) != 2 {
		t.Fatalf("pairs %+v", pairs)
	}
	if p := pairs[0]; p.Invoke.F != Write || p.Type() != Info || p.Return() != Never || p.Call() != 10 {
		t.Fatalf("write pair %+v", p)
	}
	if p := pairs[1]; p.Type() != OK || p.Return() != 30 || *p.Complete.Value != 5 {
		t.Fatalf("read pair %+v", p)
	}
	ws := Windows(got.Ops)
	if len(ws) != 1 || ws[0] != (Window{Fault: "kill", Target: "n1", Start: 40, Stop: 60}) {
		t.Fatalf("windows %+v", ws)
	}
}

func TestPairsWithoutCompletion(t *testing.T) {
	ops := []Op{
		{Index: 0, Type: Invoke, Process: 3, F: Add, Key: 2, Value: Int(9), Time: 5},
	}
	p := Pairs(ops)
	if len(p) != 1 || p[0].Type() != Info || p[0].Return() != Never || *p[0].Complete.Value != 9 {
		t.Fatalf("%+v", p)
	}
}

func TestReadJSONLRejectsGarbage(t *testing.T) {
	for _, in := range []string{`{"index":0}` + "\n", `{"header":{"seed":1}}` + "\n" + `{"index":`} {
		if _, err := ReadJSONL(strings.NewReader(in)); err == nil {
			t.Errorf("ReadJSONL(%q) accepted", in)
		}
	}
}
