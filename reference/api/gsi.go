package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
)

// Global secondary indexes. Each base partition's replicas keep the
// entries of that partition's items (partition.State.ScanGlobal, built on
// a replica the first time it is asked, then kept in step with every
// write it applies). A GSI read merges the entries of every base
// partition in index key order, reading each from any replica: the local
// one when this node holds it, else a remote one through the router
// (gsi_read.go). So a GSI reads the same through every node, whichever
// partitions it holds, and is eventually consistent, as in DynamoDB.
//
// The background pass (feedGSIs) backfills: an index being created
// (UpdateTable, IndexStatus CREATING) is built on a replica of every base
// partition (the local one, else a remote replica, which builds it when it
// answers the read) before the catalog marks it ACTIVE; and it builds the
// indexes of the partitions this node holds, so that reads find them
// ready, and drops the entries of deleted indexes.

// gsiStore holds what the GSI background work needs between passes.
type gsiStore struct {
	// kick wakes the background pass after an index was added
	// (non-blocking, capacity 1).
	kick chan struct{}
}

func newGSIStore() *gsiStore { return &gsiStore{kick: make(chan struct{}, 1)} }

func (g *gsiStore) notify() {
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

// drop forgets the local entries of a deleted index.
func (g *gsiStore) drop(t *catalog.Table, name string) {
	var keep []string
	for _, gi := range t.Global {
		if gi.Name != name {
			keep = append(keep, gi.Name)
		}
	}
	for _, p := range t.Partitions {
		if p.State != nil {
			p.State.KeepGlobals(keep)
		}
	}
}

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
	total := partition.Sizes{Local: map[string][2]int64{}, Global: map[string][2]int64{}}
	for _, sz := range sizes {
		total.Items += sz.Items
		total.Bytes += sz.Bytes
		for name, v := range sz.Local {
			total.Local[name] = [2]int64{total.Local[name][0] + v[0], total.Local[name][1] + v[1]}
		}
		for name, v := range sz.Global {
			total.Global[name] = [2]int64{total.Global[name][0] + v[0], total.Global[name][1] + v[1]}
		}
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

// feedGSIs runs one background pass over the GSIs of every table: drop
// the local entries of deleted indexes, build the local entries of every
// index, backfill the indexes being created on a replica of every base
// partition and then mark them ACTIVE.
func (h *Handler) feedGSIs(ctx context.Context) error {
	var errs []error
	for _, t := range h.cat.Tables() {
		names := make([]string, 0, len(t.Global))
		for _, gi := range t.Global {
			names = append(names, gi.Name)
		}
		for _, p := range t.Partitions {
			if p.State != nil {
				p.State.KeepGlobals(names)
			}
		}
		for _, gi := range t.Global {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if gi.Status != catalog.IndexCreating {
				for _, p := range t.Partitions {
					if p.State != nil {
						p.State.BuildGlobal(gi.IndexSchema)
					}
				}
				continue
			}
			if err := h.backfillGSI(ctx, t, gi); err != nil {
				errs = append(errs, fmt.Errorf("gsi %s/%s: %w", t.Name, gi.Name, err))
				continue
			}
			if err := h.markGSIActive(t.Name, gi.Name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// backfillGSI builds the entries of gi on a replica of every base
// partition: an index is backfilled once each partition's replica that
// answers its reads has built it.
func (h *Handler) backfillGSI(ctx context.Context, t *catalog.Table, gi *catalog.GlobalIndex) error {
	for _, p := range t.Partitions {
		rd, err := p.Replica.Read(ctx, false)
		if err != nil {
			return fmt.Errorf("partition %d: %w", p.ID, err)
		}
		gr, ok := rd.(partition.GlobalReader)
		if !ok {
			return fmt.Errorf("partition %d: reader %T cannot read global indexes", p.ID, rd)
		}
		gr.BuildGlobal(gi.IndexSchema)
		if err := rd.Err(); err != nil {
			return fmt.Errorf("partition %d: %w", p.ID, err)
		}
		if p.State != nil {
			p.State.BuildGlobal(gi.IndexSchema) // this node's replica too, for its reads
		}
	}
	return nil
}

// markGSIActive records in the catalog that a backfilled index is ACTIVE
// (a no-op when it already is, or was deleted meanwhile).
func (h *Handler) markGSIActive(table, name string) error {
	_, err := h.cat.Update(table, func(t *catalog.Table) error {
		t.Global = append([]*catalog.GlobalIndex(nil), t.Global...)
		for i, g := range t.Global {
			if g.Name == name && g.Status == catalog.IndexCreating {
				cp := *g
				cp.Status, cp.Backfilling = catalog.IndexActive, false
				t.Global[i] = &cp
			}
		}
		return nil
	})
	return err
}
