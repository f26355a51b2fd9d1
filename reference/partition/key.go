package partition

import (
	"bytes"
	"encoding/binary"

	"github.com/ddbkit/ddbkit/reference/value"
)

// KeySchema names a table's key attributes and their types. RangeKey is ""
// for a table with only a partition key.
type KeySchema struct {
	HashKey   string     `json:"hash"`
	HashType  value.Type `json:"hashType"`
	RangeKey  string     `json:"range,omitempty"`
	RangeType value.Type `json:"rangeType,omitempty"`
	// Indexes are the table's secondary indexes known when the table was
	// created: their key types are checked on every write, and the local
	// ones (Local) are stored in the partition (index.go).
	Indexes []IndexSchema `json:"indexes,omitempty"`
	// CollectionLimit caps the bytes of one item collection (items with
	// one partition key and their local index entries) of a table with
	// local indexes; 0 means DynamoDB's 10 GB.
	CollectionLimit int64 `json:"collLimit,omitempty"`
}

// DefaultCollectionLimit is DynamoDB's item collection size limit.
const DefaultCollectionLimit = 10 << 30

// LocalIndexes returns the local secondary indexes.
func (s KeySchema) LocalIndexes() []IndexSchema {
	var out []IndexSchema
	for _, x := range s.Indexes {
		if x.Local {
			out = append(out, x)
		}
	}
	return out
}

// Key returns the B-tree key of an item (or of a key-only item). The item
// must hold the schema's key attributes.
func (s KeySchema) Key(item value.Item) []byte {
	pk := item[s.HashKey]
	b := make([]byte, 8, 8+len(pk.Str)+len(pk.Bin)+16)
	binary.BigEndian.PutUint64(b, value.Hash(pk))
	b = value.AppendKey(b, pk)
	if s.RangeKey != "" {
		b = value.AppendKey(b, item[s.RangeKey])
	}
	return b
}

// HashPrefix returns the key prefix shared by all items with partition key pk.
func HashPrefix(pk value.Value) []byte {
	b := make([]byte, 8, 8+len(pk.Str)+len(pk.Bin)+4)
	binary.BigEndian.PutUint64(b, value.Hash(pk))
	return value.AppendKey(b, pk)
}

// KeyHash returns the partition-key hash stored in the first 8 bytes of key.
func KeyHash(key []byte) uint64 { return binary.BigEndian.Uint64(key) }

// KeyOnly returns the key attributes of item.
func (s KeySchema) KeyOnly(item value.Item) value.Item {
	k := value.Item{s.HashKey: item[s.HashKey]}
	if s.RangeKey != "" {
		k[s.RangeKey] = item[s.RangeKey]
	}
	return k
}

// PrefixEnd returns the smallest key greater than every key with prefix p
// (nil if there is none).
func PrefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
