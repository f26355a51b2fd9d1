package api

import (
	"context"
	"errors"
	"fmt"

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
