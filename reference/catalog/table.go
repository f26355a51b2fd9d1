package catalog

import (
	"sort"
	"time"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Table statuses.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusDeleting = "DELETING"
	StatusUpdating = "UPDATING"
)

// Billing modes.
const (
	PayPerRequest = "PAY_PER_REQUEST"
	Provisioned   = "PROVISIONED"
)

// AttributeDefinition is one entry of a table's AttributeDefinitions.
type AttributeDefinition struct {
	Name string     `json:"name"`
	Type value.Type `json:"type"`
}

// Throughput is a table's provisioned throughput settings.
type Throughput struct {
	Read  int64 `json:"read"`
	Write int64 `json:"write"`
	// LastIncrease and LastDecrease are when capacity last went up or down.
	LastIncrease time.Time `json:"lastIncrease,omitzero"`
	LastDecrease time.Time `json:"lastDecrease,omitzero"`
	Decreases    int64     `json:"decreases,omitempty"`
}

// Table is one table's metadata and partition map.
type Table struct {
	Name        string                `json:"name"`
	ID          string                `json:"id"`
	Schema      partition.KeySchema   `json:"schema"`
	Attributes  []AttributeDefinition `json:"attributes"`
	BillingMode string                `json:"billingMode"`
	Throughput  Throughput            `json:"throughput"`
	Created     time.Time             `json:"created"`
	// BillingModeChanged is when the billing mode was last set to PAY_PER_REQUEST.
	BillingModeChanged time.Time `json:"billingModeChanged,omitzero"`
	Status             string    `json:"status"`
	DeletionProtection bool      `json:"deletionProtection,omitempty"`
	// System marks an engine-internal table (the transaction ledger): it is
	// not listed by Names, and its name is one no request can spell.
	System bool `json:"system,omitempty"`
	// TTLAttribute is the Number attribute holding items' expiry (epoch
	// seconds) when Time to Live is enabled, "" when disabled.
	TTLAttribute string `json:"ttl,omitempty"`
	// Global are the table's global secondary indexes (local ones are in
	// Schema.Indexes, marked Local).
	Global []*GlobalIndex `json:"gsis,omitempty"`

	Partitions []*Partition `json:"partitions"`
}

// GlobalIndex is a global secondary index's metadata. Its entries live in
// the engine's index store, fed from the table's partitions.
type GlobalIndex struct {
	partition.IndexSchema
	Status      string     `json:"status"`
	Backfilling bool       `json:"backfilling,omitempty"`
	Throughput  Throughput `json:"throughput"`
}

// Index statuses.
const (
	IndexCreating = "CREATING"
	IndexActive   = "ACTIVE"
)

// GlobalIndex returns the named global secondary index, or nil.
func (t *Table) GlobalIndex(name string) *GlobalIndex {
	for _, g := range t.Global {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// LocalIndex returns the named local secondary index, or nil.
func (t *Table) LocalIndex(name string) *partition.IndexSchema {
	for i := range t.Schema.Indexes {
		if x := &t.Schema.Indexes[i]; x.Local && x.Name == name {
			return x
		}
	}
	return nil
}

// IndexARN returns the ARN of the table's index name.
func (t *Table) IndexARN(name string) string { return t.ARN() + "/index/" + name }

// Partition is one entry of a table's partition map.
type Partition struct {
	ID int    `json:"id"`
	Lo uint64 `json:"lo"` // first hash owned
	Hi uint64 `json:"hi"` // last hash owned (inclusive)

	Replica partition.Replica `json:"-"`
	State   *partition.State  `json:"-"` // the local state, when this process holds one
}

// ARN returns the table's ARN in the region and account used by the engine.
func (t *Table) ARN() string {
	return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + t.Name
}

const (
	region  = "us-east-1"
	account = "000000000000"
)

// PartitionFor returns the partition that owns hash h.
func (t *Table) PartitionFor(h uint64) *Partition {
	i := sort.Search(len(t.Partitions), func(i int) bool { return t.Partitions[i].Hi >= h })
	return t.Partitions[i]
}

// PartitionForKey returns the partition that owns partition key pk.
func (t *Table) PartitionForKey(pk value.Value) *Partition {
	return t.PartitionFor(value.Hash(pk))
}

// AttributeType returns the declared type of attribute name, or TypeNone.
func (t *Table) AttributeType(name string) value.Type {
	for _, a := range t.Attributes {
		if a.Name == name {
			return a.Type
		}
	}
	return value.TypeNone
}

// Stats sums item counts and sizes over the partitions held locally.
func (t *Table) Stats() (items int64, bytes int64) {
	for _, p := range t.Partitions {
		if p.State != nil {
			n, b := p.State.Stats()
			items += int64(n)
			bytes += b
		}
	}
	return items, bytes
}

// SplitRanges divides the 64-bit hash space into n contiguous ranges.
func SplitRanges(n int) [][2]uint64 {
	if n < 1 {
		n = 1
	}
	out := make([][2]uint64, n)
	step := ^uint64(0) / uint64(n)
	lo := uint64(0)
	for i := 0; i < n; i++ {
		hi := lo + step
		if i == n-1 {
			hi = ^uint64(0)
		}
		out[i] = [2]uint64{lo, hi}
		lo = hi + 1
	}
	return out
}
