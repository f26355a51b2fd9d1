package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/replica"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Local is what a storage node offers the router: its replicas of raft
// groups and their partition states.
type Local interface {
	// ID is the node id.
	ID() uint64
	Group(id uint64) (*replica.Group, bool)
	State(group uint64) (*partition.State, bool)
	// Frozen reports whether the group's partition was frozen by a split
	// (its data now lives in its successors).
	Frozen(group uint64) bool
}

// maxPageItems and maxPageBytes bound one range read answer.
const (
	maxPageItems = 2000
	maxPageBytes = 2 << 20
)

// ServePropose handles a ProposeRequest on the node that received it.
func ServePropose(ctx context.Context, l Local, req ProposeRequest) ProposeResponse {
	g, ok := l.Group(req.Group)
	if !ok {
		return ProposeResponse{Failure: &Failure{NoReplica: true}}
	}
	id := replica.RequestID{Client: req.Client, Seq: req.Seq}
	if req.AckBeforeQuorum {
		// UNSAFE negative control: acknowledge as soon as the leader has
		// the proposal, before any quorum has it.
		if st := g.Status(); !st.IsLeader {
			return ProposeResponse{Failure: &Failure{NotLeader: true, Leader: st.Leader}}
		}
		go func() {
			bctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, _ = g.ProposeRequest(bctx, id, req.Cmd)
		}()
		return ProposeResponse{}
	}
	res, err := g.ProposeDecoded(ctx, id, req.Cmd, req.Decoded)
	if err != nil {
		return ProposeResponse{Failure: failureOf(err)}
	}
	switch r := res.(type) {
	case partition.Result:
		return ProposeResponse{Old: r.Old, New: r.New, Err: toWire(r.Err), Collection: r.Collection}
	case error:
		if errors.Is(r, replica.ErrAlreadyApplied) {
			return ProposeResponse{} // applied once before; its result is gone
		}
		return ProposeResponse{Err: toWire(r)}
	}
	return ProposeResponse{}
}

// failureOf classifies an error of a replica.Group call.
func failureOf(err error) *Failure {
	var nl *replica.NotLeaderError
	if errors.As(err, &nl) {
		return &Failure{NotLeader: true, Leader: nl.Leader}
	}
	return &Failure{Unknown: true, Message: err.Error()}
}

// ServeRead handles a ReadRequest on the node that received it.
func ServeRead(ctx context.Context, l Local, req ReadRequest) ReadResponse {
	g, ok := l.Group(req.Group)
	if !ok {
		return ReadResponse{Failure: &Failure{NoReplica: true}}
	}
	st, ok := l.State(req.Group)
	if !ok && (req.Get != nil || req.Scan || req.Sizes != nil) {
		return ReadResponse{Failure: &Failure{NoReplica: true}}
	}
	if req.Consistent && !req.StaleOK {
		if err := g.ReadIndex(ctx); err != nil {
			return ReadResponse{Failure: failureOf(err)}
		}
		if l.Frozen(req.Group) {
			return ReadResponse{Failure: &Failure{WrongRange: true}}
		}
	}
	if req.MinApplied > 0 {
		wctx, cancel := context.WithTimeout(ctx, behindWait)
		err := waitApplied(wctx, g, req.MinApplied)
		cancel()
		if err != nil {
			return ReadResponse{Failure: &Failure{Behind: true,
				Message: fmt.Sprintf("replica of group %d behind the read index %d", req.Group, req.MinApplied)}}
		}
	}
	out := ReadResponse{Applied: g.Status().Applied}
	switch {
	case req.Sizes != nil:
		sz, _ := st.Sizes(req.Sizes.Local, req.Sizes.Global) // a State's never fails
		out.Sizes = &sz
	case req.Get != nil && req.Txn:
		out.Item, out.Version, out.Pending = st.ReadTxn(req.Get)
		out.Found = out.Item != nil
	case req.Get != nil:
		out.Item, out.Found = st.Get(req.Get)
	case req.Scan:
		limit := req.Limit
		if limit <= 0 || limit > maxPageItems {
			limit = maxPageItems
		}
		size := 0
		scan := st.Scan
		switch {
		case req.Global != nil:
			x := *req.Global
			scan = func(from, to []byte, reverse bool, fn func([]byte, value.Item) bool) {
				st.ScanGlobal(x, from, to, reverse, fn)
			}
		case req.Index != "":
			scan = func(from, to []byte, reverse bool, fn func([]byte, value.Item) bool) {
				st.ScanLocal(req.Index, from, to, reverse, fn)
			}
		}
		scan(req.From, req.To, req.Reverse, func(key []byte, item value.Item) bool {
			if len(out.Items) >= limit || size >= maxPageBytes {
				out.More = true
				return false
			}
			out.Items = append(out.Items, KeyItem{Key: append([]byte(nil), key...), Item: item})
			size += len(key) + value.ItemSize(item)
			return true
		})
	}
	return out
}

// behindWait bounds how long a replica waits to apply a read's MinApplied
// before it refuses (Failure.Behind), so that the reader asks another
// replica instead of spending its attempt on a lagging one.
const behindWait = 50 * time.Millisecond

// waitApplied waits until g applied index idx.
func waitApplied(ctx context.Context, g *replica.Group, idx uint64) error {
	if g.Status().Applied >= idx {
		return nil
	}
	t := time.NewTicker(500 * time.Microsecond)
	defer t.Stop()
	for g.Status().Applied < idx {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
