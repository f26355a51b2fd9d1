package replica

// dedup remembers the request ids applied in the last window log indexes.
// It is part of the replicated state: its content is a function of the log,
// and snapshots carry it. Results are cached beside it but only in memory
// (they are values of the proposer's Go program, not data).
type dedup struct {
	window  uint64
	applied map[RequestID]uint64 // id -> index it was applied at
	// order[head:] are the remembered ids in index order, for eviction.
	// Evicting advances head; the evicted prefix is dropped only once it
	// is as long as what remains, so each record costs O(1) amortized.
	// (Copying the whole window down on every record, as this once did,
	// moved 2.4 MB per applied entry once a group had applied more than
	// the window: the 1M-operation benchmark fell from ~12k to ~6k ops/s
	// for its last 40 seconds.)
	order   []dedupEntry
	head    int
	results map[RequestID]any
	// resultOrder holds the ids whose results are still cached. Results
	// (which hold whole items) are kept only for the last resultWindow
	// applied ids: a retry arrives within seconds, and caching 100,000
	// results per group held gigabytes of old item versions. An id applied
	// earlier still counts as applied (ErrAlreadyApplied), so it is still
	// never applied twice.
	resultOrder []RequestID
	resultHead  int
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
	for len(d.resultOrder)-d.resultHead > resultWindow {
		delete(d.results, d.resultOrder[d.resultHead])
		d.resultHead++
	}
	d.resultOrder, d.resultHead = compactFIFO(d.resultOrder, d.resultHead)
	d.order = append(d.order, dedupEntry{id, index})
	// Evict by log index, so every replica evicts the same ids.
	for d.head < len(d.order) && d.order[d.head].index+d.window < index {
		delete(d.applied, d.order[d.head].id)
		delete(d.results, d.order[d.head].id)
		d.head++
	}
	d.order, d.head = compactFIFO(d.order, d.head)
}

// live returns the remembered ids in index order (not a copy).
func (d *dedup) live() []dedupEntry { return d.order[d.head:] }

// compactFIFO drops the consumed prefix s[:head] of a FIFO once it is at
// least as long as the rest (and not tiny), and returns the new slice and
// head. Each element is then moved at most once per time it is consumed.
func compactFIFO[T any](s []T, head int) ([]T, int) {
	if head < 64 || head < len(s)-head {
		return s, head
	}
	n := copy(s, s[head:])
	clear(s[n:])
	return s[:n], 0
}

// result returns the cached result of an applied id, or ErrAlreadyApplied.
func (d *dedup) result(id RequestID) any {
	if r, ok := d.results[id]; ok {
		return r
	}
	return ErrAlreadyApplied
}
