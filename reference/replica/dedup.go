package replica

// dedup remembers the request ids applied in the last window log indexes.
// It is part of the replicated state: its content is a function of the log,
// and snapshots carry it. Results are cached beside it but only in memory
// (they are values of the proposer's Go program, not data).
type dedup struct {
	window  uint64
	applied map[RequestID]uint64 // id -> index it was applied at
	order   []dedupEntry         // in index order, for eviction
	results map[RequestID]any
	// resultOrder holds the ids whose results are still cached. Results
	// (which hold whole items) are kept only for the last resultWindow
	// applied ids: a retry arrives within seconds, and caching 100,000
	// results per group held gigabytes of old item versions. An id applied
	// earlier still counts as applied (ErrAlreadyApplied), so it is still
	// never applied twice.
	resultOrder []RequestID
}

// resultWindow is how many recent results a group caches for retries.
const resultWindow = 1024

type dedupEntry struct {
	id    RequestID
	index uint64
}

func newDedup(window uint64) *dedup {
	return &dedup{window: window, applied: map[RequestID]uint64{}, results: map[RequestID]any{}}
}

func (d *dedup) seen(id RequestID) bool {
	_, ok := d.applied[id]
	return ok
}

func (d *dedup) record(id RequestID, index uint64, result any) {
	d.applied[id] = index
	d.results[id] = result
	d.resultOrder = append(d.resultOrder, id)
	if n := len(d.resultOrder) - resultWindow; n > 0 {
		for _, old := range d.resultOrder[:n] {
			delete(d.results, old)
		}
		d.resultOrder = append(d.resultOrder[:0], d.resultOrder[n:]...)
	}
	d.order = append(d.order, dedupEntry{id, index})
	// Evict by log index, so every replica evicts the same ids.
	i := 0
	for i < len(d.order) && d.order[i].index+d.window < index {
		delete(d.applied, d.order[i].id)
		delete(d.results, d.order[i].id)
		i++
	}
	if i > 0 {
		d.order = append(d.order[:0], d.order[i:]...)
	}
}

// result returns the cached result of an applied id, or ErrAlreadyApplied.
func (d *dedup) result(id RequestID) any {
	if r, ok := d.results[id]; ok {
		return r
	}
	return ErrAlreadyApplied
}
