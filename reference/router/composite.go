package router

import (
	"errors"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

type part struct {
	lo, hi uint64
	r      partition.Reader
}

// compositeReader reads a hash range spread over several partitions, in
// hash order (keys begin with the 8-byte hash). It fails when one of its
// parts fails: Scan stops there and Err reports the parts' errors.
type compositeReader struct{ parts []part }

// Get implements partition.Reader.
func (c *compositeReader) Get(key []byte) (value.Item, bool) {
	if c.Err() != nil {
		return nil, false
	}
	h := partition.KeyHash(key)
	for _, p := range c.parts {
		if h >= p.lo && h <= p.hi {
			return p.r.Get(key)
		}
	}
	return nil, false
}

// Scan implements partition.Reader.
func (c *compositeReader) Scan(from, to []byte, reverse bool, fn func(key []byte, item value.Item) bool) {
	if c.Err() != nil {
		return
	}
	stopped := false
	visit := func(p part) {
		p.r.Scan(from, to, reverse, func(k []byte, it value.Item) bool {
			if !fn(k, it) {
				stopped = true
				return false
			}
			return true
		})
	}
	for i := range c.parts {
		j := i
		if reverse {
			j = len(c.parts) - 1 - i
		}
		if visit(c.parts[j]); stopped || c.parts[j].r.Err() != nil {
			return
		}
	}
}

// Err implements partition.Reader.
func (c *compositeReader) Err() error {
	var errs []error
	for _, p := range c.parts {
		if err := p.r.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
