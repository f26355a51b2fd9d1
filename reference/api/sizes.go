package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
)

// tableSizes sums the sizes of t's partitions and of their entries in
// t's indexes: a partition this node holds from its State, any other from
// one of its replicas elsewhere (an eventually consistent read, all of
// them at once, bounded by sizesWait). DynamoDB too reports these
// approximately, refreshed about every six hours; a partition no replica
// answers for in time counts as empty.
func (h *Handler) tableSizes(ctx context.Context, t *catalog.Table) partition.Sizes {
	var locals, globals []string
	for _, x := range t.Schema.LocalIndexes() {
		locals = append(locals, x.Name)
	}
	for _, g := range t.Global {
		globals = append(globals, g.Name)
	}
	ctx, cancel := context.WithTimeout(ctx, sizesWait)
	defer cancel()
	sizes := make([]partition.Sizes, len(t.Partitions))
	var wg sync.WaitGroup
	for i, p := range t.Partitions {
		if p.State != nil {
			sizes[i], _ = p.State.Sizes(locals, globals) // a State's never fails
			continue
		}
		wg.Go(func() {
			sz, err := h.partitionSizes(ctx, p, locals, globals)
			if err != nil {
				h.log.Debug("partition sizes unavailable", "table", t.Name, "partition", p.ID, "err", err)
				return
			}
			sizes[i] = sz
		})
	}
	wg.Wait()
	var total partition.Sizes
	for _, sz := range sizes {
		total.Add(sz)
	}
	return total
}

// sizesWait bounds the reads of other nodes' partition sizes in a
// DescribeTable: an unreachable zone delays it by this much at most.
const sizesWait = 500 * time.Millisecond

// partitionSizes reads one partition's Sizes.
func (h *Handler) partitionSizes(ctx context.Context, p *catalog.Partition, locals, globals []string) (partition.Sizes, error) {
	if p.Replica == nil {
		return partition.Sizes{}, nil
	}
	r, err := p.Replica.Read(ctx, false)
	if err != nil {
		return partition.Sizes{}, err
	}
	sr, ok := r.(partition.SizesReader)
	if !ok {
		return partition.Sizes{}, fmt.Errorf("api: partition %d: its reader %T reports no sizes", p.ID, r)
	}
	return sr.Sizes(locals, globals)
}
