package api

import (
	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Key limits from "Service, account, and table quotas": partition key values
// up to 2048 bytes, sort key values up to 1024 bytes.
const (
	maxHashKeyBytes  = 2048
	maxRangeKeyBytes = 1024
)

const msgKeyMismatch = "The provided key element does not match the schema"

// checkKey validates a Key parameter (GetItem, DeleteItem, UpdateItem, ...)
// against the table's key schema.
func checkKey(t *catalog.Table, key value.Item) error {
	s := t.Schema
	want := 1
	if s.RangeKey != "" {
		want = 2
	}
	if len(key) != want {
		return ddberr.Validationf(msgKeyMismatch)
	}
	if v, ok := key[s.HashKey]; !ok || v.T != s.HashType {
		return ddberr.Validationf(msgKeyMismatch)
	}
	if s.RangeKey != "" {
		if v, ok := key[s.RangeKey]; !ok || v.T != s.RangeType {
			return ddberr.Validationf(msgKeyMismatch)
		}
	}
	return checkKeyValues(t, key)
}

// checkItemKey validates the key attributes of a whole item (PutItem).
func checkItemKey(t *catalog.Table, item value.Item) error {
	s := t.Schema
	for _, k := range []struct {
		name string
		typ  value.Type
	}{{s.HashKey, s.HashType}, {s.RangeKey, s.RangeType}} {
		if k.name == "" {
			continue
		}
		v, ok := item[k.name]
		if !ok {
			return ddberr.Invalid("Missing the key %s in the item", k.name)
		}
		if v.T != k.typ {
			return ddberr.Invalid("Type mismatch for key %s expected: %s actual: %s", k.name, k.typ, v.T)
		}
	}
	return checkKeyValues(t, item)
}

// checkKeyValues checks emptiness and size of key values whose presence and
// types are already known to be right.
func checkKeyValues(t *catalog.Table, item value.Item) error {
	s := t.Schema
	for _, name := range []string{s.HashKey, s.RangeKey} {
		if name == "" {
			continue
		}
		v := item[name]
		switch {
		case v.T == value.S && v.Str == "":
			return ddberr.Validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
		case v.T == value.B && len(v.Bin) == 0:
			return ddberr.Validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
		}
	}
	if value.Size(item[s.HashKey]) > maxHashKeyBytes {
		return ddberr.Invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if s.RangeKey != "" && value.Size(item[s.RangeKey]) > maxRangeKeyBytes {
		return ddberr.Invalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}
