package router

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// remoteReader reads a group's state from the replicas of other nodes (and
// of this one), a request at a time: a group this node holds no replica
// of, or a consistent read whose local replica lags. Every request carries
// minApplied, so a replica that has not applied the read index refuses and
// the next is asked.
//
// partition.Reader's Get and Scan return no error: when no replica answers
// before the request's deadline the reader records an InternalServerError
// (the outcome of a read is not indeterminate, but the api answers it as
// DynamoDB answers an unavailable partition), Get reports nothing found,
// Scan stops, and Err returns the error for the caller to check. It never
// panics: background passes read through it too, with no recover between
// them and the process.
//
// It also implements partition.TxnReader, partition.LocalReader and
// partition.GlobalReader, so transactions and index reads work wherever
// the data is read.
type remoteReader struct {
	p          *Replica
	ctx        context.Context
	minApplied uint64
	first      uint64 // the node to ask first (0: none)

	mu  sync.Mutex
	err error
}

// remote returns a reader of the group's replicas that applied minApplied,
// asking node first first (0: the voters in placement order).
func (p *Replica) remote(ctx context.Context, minApplied, first uint64) *remoteReader {
	return &remoteReader{p: p, ctx: ctx, minApplied: minApplied, first: first}
}

// order returns the nodes to ask, in turn: the group's current voters
// (they may change between requests of one reader), node first first.
func (rr *remoteReader) order() []uint64 {
	voters := rr.p.current()
	if len(voters) == 0 {
		return []uint64{noNode}
	}
	if i := slices.Index(voters, rr.first); i > 0 {
		return append(slices.Clone(voters[i:]), voters[:i]...)
	}
	return voters
}

// Err implements partition.Reader.
func (rr *remoteReader) Err() error {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.err
}

// fail records err unless an error was recorded before.
func (rr *remoteReader) fail(err error) {
	rr.mu.Lock()
	if rr.err == nil {
		rr.err = err
	}
	rr.mu.Unlock()
}

// do sends req to the replicas in turn until one answers it or the
// request's deadline (Options.Timeout when its context has none) passes;
// after a failure, or when an earlier request failed, it returns false.
func (rr *remoteReader) do(req ReadRequest) (ReadResponse, bool) {
	if rr.Err() != nil {
		return ReadResponse{}, false
	}
	req.Group, req.MinApplied = rr.p.group, rr.minApplied
	ctx, cancel := rr.p.r.bound(rr.ctx)
	defer cancel()
	last := "no attempt"
	for n := 0; ; n++ {
		order := rr.order()
		target := order[n%len(order)]
		resp, err := rr.p.r.read(ctx, target, req)
		if err == nil && resp.Failure == nil {
			return resp, true
		}
		switch {
		case err != nil:
			last = err.Error()
		case resp.Failure.NoReplica:
			last = fmt.Sprintf("node %d has no replica", target)
		default:
			last = resp.Failure.Message
		}
		if ctx.Err() != nil {
			rr.fail(unknown(rr.p.group, last))
			return ReadResponse{}, false
		}
		if n%len(order) == len(order)-1 {
			sleep(ctx, backoff(n))
		}
	}
}

// Get implements partition.Reader.
func (rr *remoteReader) Get(key []byte) (value.Item, bool) {
	resp, ok := rr.do(ReadRequest{Get: key})
	if !ok {
		return nil, false
	}
	return resp.Item, resp.Found
}

// ReadTxn implements partition.TxnReader (nothing found and no version
// after a failure, which Err reports).
func (rr *remoteReader) ReadTxn(key []byte) (item value.Item, version uint64, pending bool) {
	resp, ok := rr.do(ReadRequest{Get: key, Txn: true})
	if !ok {
		return nil, 0, false
	}
	return resp.Item, resp.Version, resp.Pending
}

// Scan implements partition.Reader, a page at a time.
func (rr *remoteReader) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	rr.scan(ReadRequest{}, from, to, reverse, fn)
}

// ScanLocal implements partition.LocalReader, a page at a time.
func (rr *remoteReader) ScanLocal(name string, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	if name == "" {
		return // as State.ScanLocal of an unknown index ("" asks for the table on the wire)
	}
	rr.scan(ReadRequest{Index: name}, from, to, reverse, fn)
}

// ScanGlobal implements partition.GlobalReader, a page at a time.
func (rr *remoteReader) ScanGlobal(x partition.IndexSchema, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	rr.scan(ReadRequest{Index: x.Name, Global: &x}, from, to, reverse, fn)
}

// Sizes implements partition.SizesReader.
func (rr *remoteReader) Sizes(locals, globals []string) (partition.Sizes, error) {
	resp, ok := rr.do(ReadRequest{Sizes: &SizesQuery{Local: locals, Global: globals}})
	if !ok {
		return partition.Sizes{}, rr.Err()
	}
	if resp.Sizes == nil {
		return partition.Sizes{}, fmt.Errorf("router: group %d: a sizes read came back without sizes", rr.p.group)
	}
	return *resp.Sizes, nil
}

// BuildGlobal implements partition.GlobalReader: a read of one entry
// makes the replica that answers build the index (Err reports a failure).
func (rr *remoteReader) BuildGlobal(x partition.IndexSchema) {
	rr.do(ReadRequest{Scan: true, Index: x.Name, Global: &x, Limit: 1})
}

// firstGlobalPage is the size of the first page of a remote read of a
// global index's entries; each next page is twice as large (up to the
// replica's maximum). A GSI read merges every partition's entries and
// usually needs few of each (a Limit, a page of 1 MB in all), so small
// first pages keep it from moving whole partitions' entries.
const firstGlobalPage = 128

// scan reads the table, a local index or a global index's entries (as req
// asks) in pages.
func (rr *remoteReader) scan(req ReadRequest, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	req.Scan, req.Reverse = true, reverse
	if req.Global != nil {
		req.Limit = firstGlobalPage
	}
	for {
		req.From, req.To = from, to
		resp, ok := rr.do(req)
		if req.Limit > 0 {
			req.Limit = min(2*req.Limit, maxPageItems)
		}
		if !ok {
			return
		}
		for _, ki := range resp.Items {
			if !fn(ki.Key, ki.Item) {
				return
			}
		}
		if !resp.More || len(resp.Items) == 0 {
			return
		}
		lastKey := resp.Items[len(resp.Items)-1].Key
		if reverse {
			to = lastKey
		} else {
			from = append(slices.Clip(lastKey), 0)
		}
	}
}
