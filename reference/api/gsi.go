package api

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Global secondary indexes: each is an IndexTree fed asynchronously from the
// change feeds of its table's partitions (partition.Feed). A feeder pass
// drains every feed into the index; a new index (UpdateTable Create, or
// every index after the engine starts) is backfilled first: remember each
// feed's position, scan the partition, then apply the feed from that
// position (IndexTree.Set is per base item and last-write-wins, so changes
// already seen by the scan are harmless). Reads of a GSI are therefore
// eventually consistent, as in DynamoDB.
//
// The index entries are held by the engine process that serves requests,
// built from the partitions whose State it holds (partition.Feed is
// recorded on each replica that is asked, not replicated): they are
// derived data, rebuilt by backfill whenever the process starts.

// gsiStore holds the GSIs of all tables.
type gsiStore struct {
	mu  sync.Mutex
	idx map[string]*gsiIndex // tableID/indexName
	// kick wakes the feeder after a change (non-blocking, capacity 1).
	kick chan struct{}
}

type gsiIndex struct {
	mu      sync.Mutex // one feeder at a time
	tree    *partition.IndexTree
	cursors map[int]uint64 // base partition ID -> next feed sequence
	ready   bool           // backfilled
}

func newGSIStore() *gsiStore {
	return &gsiStore{idx: make(map[string]*gsiIndex), kick: make(chan struct{}, 1)}
}

func (g *gsiStore) notify() {
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

func gsiID(t *catalog.Table, name string) string { return t.ID + "/" + name }

// index returns the store's entry for a GSI, creating an empty one.
func (g *gsiStore) index(t *catalog.Table, gi *catalog.GlobalIndex) *gsiIndex {
	g.mu.Lock()
	defer g.mu.Unlock()
	id := gsiID(t, gi.Name)
	x := g.idx[id]
	if x == nil {
		x = &gsiIndex{tree: partition.NewIndexTree(gi.IndexSchema, t.Schema), cursors: map[int]uint64{}}
		g.idx[id] = x
	}
	return x
}

func (g *gsiStore) drop(t *catalog.Table, name string) {
	g.mu.Lock()
	delete(g.idx, gsiID(t, name))
	g.mu.Unlock()
}

// gsiStats returns the entry count and size of a GSI (0 before backfill).
func (h *Handler) gsiStats(t *catalog.Table, name string) (int64, int64) {
	h.gsi.mu.Lock()
	x := h.gsi.idx[gsiID(t, name)]
	h.gsi.mu.Unlock()
	if x == nil {
		return 0, 0
	}
	n, size := x.tree.Stats()
	return int64(n), size
}

// feedBatch is how many changes one feed contributes per step.
const feedBatch = 4096

// feedGSIs runs one feeder pass over every GSI of every table: backfill
// the ones not built yet, apply new changes to the others, and mark
// backfilled indexes ACTIVE.
func (h *Handler) feedGSIs(ctx context.Context) error {
	var errs []error
	for _, t := range h.cat.Tables() {
		for _, gi := range t.Global {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			x := h.gsi.index(t, gi)
			if err := h.feedOne(t, x); err != nil {
				errs = append(errs, fmt.Errorf("gsi %s/%s: %w", t.Name, gi.Name, err))
				continue
			}
			if gi.Status == catalog.IndexCreating {
				name := gi.Name
				if _, err := h.cat.Update(t.Name, func(t *catalog.Table) error {
					t.Global = append([]*catalog.GlobalIndex(nil), t.Global...)
					for i, g := range t.Global {
						if g.Name == name {
							cp := *g
							cp.Status, cp.Backfilling = catalog.IndexActive, false
							t.Global[i] = &cp
						}
					}
					return nil
				}); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// feedOne brings one GSI up to date with its table's partitions.
func (h *Handler) feedOne(t *catalog.Table, x *gsiIndex) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for {
		if !x.ready {
			if err := h.backfill(t, x); err != nil {
				return err
			}
		}
		lost := false
		for _, p := range t.Partitions {
			if p.State == nil {
				continue
			}
			f := p.State.Feed(h.gsi.notify)
			for {
				changes, gone := f.Since(x.cursors[p.ID], feedBatch)
				if gone {
					lost = true
					break
				}
				if len(changes) == 0 {
					break
				}
				for _, c := range changes {
					x.tree.Set(c.Key, c.Item)
				}
				x.cursors[p.ID] = changes[len(changes)-1].Seq + 1
			}
			if lost {
				break
			}
		}
		if !lost {
			return nil
		}
		// The feed dropped changes this index had not seen: rebuild.
		x.tree = partition.NewIndexTree(x.tree.Schema, x.tree.Base)
		x.ready = false
	}
}

// backfill scans the table's partitions into x, after noting each feed's
// position.
func (h *Handler) backfill(t *catalog.Table, x *gsiIndex) error {
	for _, p := range t.Partitions {
		if p.State == nil {
			return fmt.Errorf("partition %d is not held by this process; cannot index it", p.ID)
		}
		x.cursors[p.ID] = p.State.Feed(h.gsi.notify).Next()
		p.State.Scan(nil, nil, false, func(key []byte, it value.Item) bool {
			x.tree.Set(key, it)
			return true
		})
	}
	x.ready = true
	return nil
}

// gsiTree returns a GSI's tree, built and caught up (synchronously, if the
// feeder has not got to it yet).
func (h *Handler) gsiTree(t *catalog.Table, gi *catalog.GlobalIndex) (*partition.IndexTree, error) {
	x := h.gsi.index(t, gi)
	x.mu.Lock()
	ready, tree := x.ready, x.tree
	x.mu.Unlock()
	if !ready {
		if err := h.feedOne(t, x); err != nil {
			return nil, err
		}
		x.mu.Lock()
		tree = x.tree
		x.mu.Unlock()
	}
	return tree, nil
}
