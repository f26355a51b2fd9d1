package cluster

import (
	"context"
	"fmt"

	"github.com/ddbkit/ddbkit/reference/router"
)

// peers are the in-process internal RPCs of node from: direct calls into
// the target node, subject to the cluster's network faults, down nodes and
// paused nodes (a call to a paused node waits, as a frozen process would
// not answer).
type peers struct {
	c    *Cluster
	from uint64
}

func (p peers) target(ctx context.Context, to uint64) (router.Local, error) {
	m := p.c.member(to)
	if m == nil {
		return nil, fmt.Errorf("cluster: no node %d", to)
	}
	if !p.c.faults.reach(p.from, p.c.Zone(p.from), to, p.c.Zone(to)) {
		return nil, fmt.Errorf("cluster: node %d unreachable from node %d", to, p.from)
	}
	n := m.wait(ctx)
	if n == nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cluster: node %d is down", to)
	}
	return n, nil
}

// Propose implements router.Peers.
func (p peers) Propose(ctx context.Context, to uint64, req router.ProposeRequest) (router.ProposeResponse, error) {
	l, err := p.target(ctx, to)
	if err != nil {
		return router.ProposeResponse{}, err
	}
	resp := router.ServePropose(ctx, l, req)
	// The answer travels back over the same link.
	if !p.c.faults.reach(to, p.c.Zone(to), p.from, p.c.Zone(p.from)) {
		return router.ProposeResponse{}, fmt.Errorf("cluster: answer from node %d lost", to)
	}
	return resp, nil
}

// Read implements router.Peers.
func (p peers) Read(ctx context.Context, to uint64, req router.ReadRequest) (router.ReadResponse, error) {
	l, err := p.target(ctx, to)
	if err != nil {
		return router.ReadResponse{}, err
	}
	resp := router.ServeRead(ctx, l, req)
	if !p.c.faults.reach(to, p.c.Zone(to), p.from, p.c.Zone(p.from)) {
		return router.ReadResponse{}, fmt.Errorf("cluster: answer from node %d lost", to)
	}
	return resp, nil
}
