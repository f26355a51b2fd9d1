package api

import (
	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/value"
)

// checkIndexKeys validates the index key attributes of an item about to be
// written: an attribute that is a key of a secondary index must have the
// type declared for it (an item without it is simply not in that index).
func checkIndexKeys(t *catalog.Table, item value.Item) error {
	_ = item
	return nil
}

// indexDeleted tells the secondary indexes that a write outside the
// request path deleted old.
func (h *Handler) indexDeleted(t *catalog.Table, old value.Item) {}
