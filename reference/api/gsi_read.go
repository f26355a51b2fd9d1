package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// gsiStream is one base partition's entries of a GSI, read ahead by one.
type gsiStream struct {
	rd   partition.Reader
	next func() ([]byte, value.Item, bool)
	stop func()
	key  []byte
	item value.Item
	ok   bool // key and item hold the stream's next entry
}

// advance reads the stream's next entry; at the end of the stream it
// returns the reader's error (a remote replica that failed part-way).
func (s *gsiStream) advance() error {
	s.key, s.item, s.ok = s.next()
	if !s.ok {
		return s.rd.Err()
	}
	return nil
}

// gsiScan calls fn for the entries of global index x with from <= key < to
// (nil bounds are open), over every base partition of t, in index key
// order (descending when reverse), until fn returns false.
//
// Each partition's entries are read from one of its replicas (eventually
// consistent: the local replica when this node holds one, else a remote
// one); the partitions' streams are merged. An entry's key ends with its
// base item's key, so every key is unique and lives in exactly one base
// partition: the merge visits each entry of the index once, and an
// ExclusiveStartKey or a parallel Scan segment bounds every partition's
// stream alike.
func (h *Handler) gsiScan(ctx context.Context, t *catalog.Table, x partition.IndexSchema, from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) error {
	streams := make([]*gsiStream, 0, len(t.Partitions))
	defer func() {
		for _, s := range streams {
			s.stop()
		}
	}()
	for _, p := range t.Partitions {
		rd, err := p.Replica.Read(ctx, false)
		if err != nil {
			return err
		}
		gr, ok := rd.(partition.GlobalReader)
		if !ok {
			return fmt.Errorf("api: partition reader %T cannot read global indexes", rd)
		}
		next, stop := iter.Pull2(func(yield func([]byte, value.Item) bool) {
			gr.ScanGlobal(x, from, to, reverse, yield)
		})
		streams = append(streams, &gsiStream{rd: rd, next: next, stop: stop})
	}
	if err := prime(streams); err != nil {
		return err
	}
	for {
		var best *gsiStream
		for _, s := range streams {
			if !s.ok {
				continue
			}
			if best == nil {
				best = s
				continue
			}
			c := bytes.Compare(s.key, best.key)
			if (!reverse && c < 0) || (reverse && c > 0) {
				best = s
			}
		}
		if best == nil {
			return nil
		}
		if !fn(best.key, best.item) {
			return nil
		}
		if err := best.advance(); err != nil {
			return err
		}
	}
}

// prime reads every stream's first entry: those of local replicas here,
// those of remote replicas in parallel (each is a round trip), so that a
// read costs about one round trip, not one per partition.
func prime(streams []*gsiStream) error {
	var wg sync.WaitGroup
	errs := make([]error, len(streams))
	for i, s := range streams {
		if _, local := s.rd.(*partition.State); local {
			errs[i] = s.advance()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.advance()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
