package api

// extraOps returns operations defined outside the core files (Query, Scan,
// batch and transaction operations register here as they land).
func (h *Handler) extraOps() map[string]op { return nil }
