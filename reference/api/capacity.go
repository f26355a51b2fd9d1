package api

import (
	"github.com/ddbkit/ddbkit/reference/value"
)

// Capacity accounting as the Developer Guide ("Read/write capacity mode")
// describes: a read unit covers up to 4 KB read strongly consistently (half a
// unit eventually consistently), a write unit up to 1 KB; sizes round up, and
// every request consumes at least one unit's worth.

// readUnits returns the capacity consumed by reading size bytes.
func readUnits(size int, consistent bool) float64 {
	u := float64((size + 4095) / 4096)
	if u < 1 {
		u = 1
	}
	if !consistent {
		u /= 2
	}
	return u
}

// writeUnits returns the capacity consumed by writing an item whose larger
// version (before or after) is size bytes.
func writeUnits(size int) float64 {
	u := float64((size + 1023) / 1024)
	if u < 1 {
		u = 1
	}
	return u
}

// itemSize is value.ItemSize treating nil as empty.
func itemSize(it value.Item) int {
	if it == nil {
		return 0
	}
	return value.ItemSize(it)
}

// consumed renders a ConsumedCapacity for mode TOTAL or INDEXES (nil for
// NONE or absent).
func consumed(mode *string, table string, units float64) map[string]any {
	if mode == nil || *mode == "NONE" {
		return nil
	}
	cc := map[string]any{"TableName": table, "CapacityUnits": units}
	if *mode == "INDEXES" {
		cc["Table"] = map[string]any{"CapacityUnits": units}
	}
	return cc
}
