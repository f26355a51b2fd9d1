package api

// extraOps returns the operations beyond the control plane and single-item
// operations: reads of many items and batches (engine-2).
func (h *Handler) extraOps() map[string]op {
	return map[string]op{
		"Query":          h.query,
		"Scan":           h.scan,
		"BatchGetItem":   h.batchGetItem,
		"BatchWriteItem": h.batchWriteItem,

		"TransactWriteItems": h.transactWriteItems,
		"TransactGetItems":   h.transactGetItems,

		"UpdateTimeToLive":   h.updateTimeToLive,
		"DescribeTimeToLive": h.describeTimeToLive,
	}
}
