package router

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/replica"
	"github.com/ddbkit/ddbkit/reference/value"
)

// noReplicas is a node that holds no replica of any group.
type noReplicas struct{ id uint64 }

func (n noReplicas) ID() uint64                          { return n.id }
func (noReplicas) Group(uint64) (*replica.Group, bool)   { return nil, false }
func (noReplicas) State(uint64) (*partition.State, bool) { return nil, false }
func (noReplicas) Frozen(uint64) bool                    { return false }

// scriptedPeers answers each internal read with answer(node, req) and
// records the calls.
type scriptedPeers struct {
	answer func(ctx context.Context, node uint64, req ReadRequest) (ReadResponse, error)
	mu     sync.Mutex
	calls  []ReadRequest
	nodes  []uint64
}

func (s *scriptedPeers) Propose(context.Context, uint64, ProposeRequest) (ProposeResponse, error) {
	return ProposeResponse{}, errors.New("no proposals here")
}

func (s *scriptedPeers) Read(ctx context.Context, node uint64, req ReadRequest) (ReadResponse, error) {
	s.mu.Lock()
	s.calls = append(s.calls, req)
	s.nodes = append(s.nodes, node)
	s.mu.Unlock()
	return s.answer(ctx, node, req)
}

func testRouter(p Peers) *Router {
	return New(Options{Local: noReplicas{id: 9}, Peers: p, Client: 1,
		Timeout: 80 * time.Millisecond, AttemptTimeout: 20 * time.Millisecond})
}

// A remote read that no replica answers in time fails as an error the
// caller checks (an InternalServerError), never as a panic: Get reports
// nothing, Scan visits nothing, and later reads do not try again.
func TestRemoteReadTimeoutIsAnError(t *testing.T) {
	unreachable := func(context.Context, uint64, ReadRequest) (ReadResponse, error) {
		return ReadResponse{}, errors.New("unreachable")
	}
	hang := func(ctx context.Context, _ uint64, _ ReadRequest) (ReadResponse, error) {
		<-ctx.Done()
		return ReadResponse{}, ctx.Err()
	}
	behind := func(context.Context, uint64, ReadRequest) (ReadResponse, error) {
		return ReadResponse{Failure: &Failure{Behind: true, Message: "behind"}}, nil
	}
	reads := []struct {
		name string
		read func(partition.Reader) (visited int)
	}{
		{"Get", func(r partition.Reader) int {
			if _, ok := r.Get([]byte("k")); ok {
				return 1
			}
			return 0
		}},
		{"Scan", func(r partition.Reader) int {
			n := 0
			r.Scan(nil, nil, false, func([]byte, value.Item) bool { n++; return true })
			return n
		}},
		{"ReadTxn", func(r partition.Reader) int {
			if it, _, _ := r.(partition.TxnReader).ReadTxn([]byte("k")); it != nil {
				return 1
			}
			return 0
		}},
		{"ScanLocal", func(r partition.Reader) int {
			n := 0
			r.(partition.LocalReader).ScanLocal("lsi", nil, nil, false, func([]byte, value.Item) bool { n++; return true })
			return n
		}},
		{"ScanGlobal", func(r partition.Reader) int {
			n := 0
			r.(partition.GlobalReader).ScanGlobal(partition.IndexSchema{Name: "gsi", HashKey: "g", HashType: value.S},
				nil, nil, false, func([]byte, value.Item) bool { n++; return true })
			return n
		}},
	}
	peers := []struct {
		name   string
		answer func(context.Context, uint64, ReadRequest) (ReadResponse, error)
	}{{"unreachable", unreachable}, {"hanging", hang}, {"all behind", behind}}
	for _, pc := range peers {
		for _, rc := range reads {
			t.Run(pc.name+"/"+rc.name, func(t *testing.T) {
				sp := &scriptedPeers{answer: pc.answer}
				rep := testRouter(sp).Replica(7, []uint64{1, 2, 3})
				rd, err := rep.Read(context.Background(), false)
				if err != nil {
					t.Fatal(err)
				}
				if n := rc.read(rd); n != 0 {
					t.Fatalf("%d items from a read that failed", n)
				}
				err = rd.Err()
				if ddberr.TypeOf(err) != ddberr.InternalServer {
					t.Fatalf("Err() = %v, want an InternalServerError", err)
				}
				sp.mu.Lock()
				calls := len(sp.calls)
				sp.mu.Unlock()
				if calls == 0 {
					t.Fatal("no replica was asked")
				}
				if n := rc.read(rd); n != 0 || rd.Err() != err {
					t.Fatalf("a read after the failure: %d items, Err() = %v", n, rd.Err())
				}
				sp.mu.Lock()
				defer sp.mu.Unlock()
				if len(sp.calls) != calls {
					t.Fatalf("a read after the failure asked replicas again (%d calls, then %d)", calls, len(sp.calls))
				}
			})
		}
	}
}

// A remote reader asks the node that confirmed the read index first, sends
// the index as MinApplied, and moves on to the next replica when one is
// behind; Txn and Index reads say so on the wire.
func TestRemoteReaderOrderAndRequests(t *testing.T) {
	item := value.Item{"pk": value.Str("k")}
	sp := &scriptedPeers{answer: func(_ context.Context, node uint64, req ReadRequest) (ReadResponse, error) {
		if node == 2 {
			return ReadResponse{Failure: &Failure{Behind: true, Message: "behind"}}, nil
		}
		if req.Scan {
			return ReadResponse{Items: []KeyItem{{Key: []byte("k"), Item: item}}}, nil
		}
		return ReadResponse{Item: item, Found: true, Version: 41, Pending: true}, nil
	}}
	rep := testRouter(sp).Replica(7, []uint64{1, 2, 3})
	rr := rep.remote(context.Background(), 17, 2)
	if want := []uint64{2, 3, 1}; !slices.Equal(rr.order(), want) {
		t.Fatalf("order %v, want %v", rr.order(), want)
	}
	if it, ver, pending := rr.ReadTxn([]byte("k")); it == nil || ver != 41 || !pending {
		t.Fatalf("ReadTxn = %v %d %v", it, ver, pending)
	}
	n := 0
	rr.ScanLocal("lsi", nil, nil, false, func([]byte, value.Item) bool { n++; return true })
	if n != 1 || rr.Err() != nil {
		t.Fatalf("ScanLocal: %d items, err %v", n, rr.Err())
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if want := []uint64{2, 3, 2, 3}; !slices.Equal(sp.nodes, want) {
		t.Fatalf("asked nodes %v, want %v", sp.nodes, want)
	}
	for i, req := range sp.calls {
		if req.Group != 7 || req.MinApplied != 17 {
			t.Fatalf("call %d: group %d, MinApplied %d", i, req.Group, req.MinApplied)
		}
	}
	if !sp.calls[1].Txn || sp.calls[1].Get == nil {
		t.Fatalf("ReadTxn sent %+v", sp.calls[1])
	}
	if !sp.calls[3].Scan || sp.calls[3].Index != "lsi" {
		t.Fatalf("ScanLocal sent %+v", sp.calls[3])
	}
}

// A composite reader reports the error of a failed part and stops its scan
// there.
func TestCompositeReaderFails(t *testing.T) {
	schema := partition.KeySchema{HashKey: "pk", HashType: value.S}
	ok := partition.NewState(schema)
	it := value.Item{"pk": value.Str("a")}
	ok.Apply(1, &partition.Command{Op: partition.OpPut, Key: it, Item: it})
	sp := &scriptedPeers{answer: func(context.Context, uint64, ReadRequest) (ReadResponse, error) {
		return ReadResponse{}, errors.New("unreachable")
	}}
	bad := testRouter(sp).Replica(7, []uint64{1, 2, 3}).remote(context.Background(), 0, 0)
	cr := &compositeReader{parts: []part{{lo: 0, hi: 1 << 63, r: bad}, {lo: 1<<63 + 1, hi: ^uint64(0), r: ok}}}
	n := 0
	cr.Scan(nil, nil, false, func([]byte, value.Item) bool { n++; return true })
	if n != 0 || ddberr.TypeOf(cr.Err()) != ddberr.InternalServer {
		t.Fatalf("scan over a failed part: %d items, Err() = %v", n, cr.Err())
	}
}

// A remote read of a global index's entries asks for the index by schema
// and in growing pages (a GSI read merging many partitions usually needs
// few entries of each).
func TestRemoteGlobalScanPages(t *testing.T) {
	x := partition.IndexSchema{Name: "byG", HashKey: "g", HashType: value.S, Projection: partition.ProjectAll}
	sp := &scriptedPeers{answer: func(_ context.Context, _ uint64, req ReadRequest) (ReadResponse, error) {
		k := append([]byte(nil), req.From...)
		k = append(k, 'x')
		return ReadResponse{Items: []KeyItem{{Key: k, Item: value.Item{"g": value.Str("a")}}}, More: len(k) < 4}, nil
	}}
	rd := testRouter(sp).Replica(7, []uint64{1, 2, 3}).remote(context.Background(), 0, 0)
	n := 0
	rd.ScanGlobal(x, nil, nil, false, func([]byte, value.Item) bool { n++; return true })
	if n != 3 || rd.Err() != nil {
		t.Fatalf("ScanGlobal: %d entries, err %v", n, rd.Err())
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var limits []int
	for _, c := range sp.calls {
		if !c.Scan || c.Global == nil || c.Global.Name != "byG" || c.Index != "byG" {
			t.Fatalf("request %+v does not ask for the index's entries", c)
		}
		limits = append(limits, c.Limit)
	}
	if want := []int{firstGlobalPage, 2 * firstGlobalPage, 4 * firstGlobalPage}; !slices.Equal(limits, want) {
		t.Fatalf("page limits %v, want %v", limits, want)
	}
}
