package partition

import (
	"sync"

	"github.com/ddbkit/ddbkit/reference/value"
)

// Feed is a partition's change feed: every item change applied to the
// State, in apply order, as (B-tree key, new item or nil). Global secondary
// indexes consume it asynchronously. The feed is not part of the
// replicated state (it is derived from the applied commands); each replica
// that is asked for one records its own. It holds at most feedCap changes:
// a consumer that falls further behind is told so (Lost) and must rebuild
// from a scan.
type Feed struct {
	mu      sync.Mutex
	first   uint64 // sequence number of changes[0]
	changes []Change
	notify  func()
}

// Change is one item change.
type Change struct {
	Seq  uint64
	Key  []byte
	Item value.Item // nil: deleted
}

const feedCap = 1 << 16

// Feed returns the State's change feed, creating it (and starting to
// record) on first use; notify, if not nil, is called after each change
// (it must not block).
func (s *State) Feed(notify func()) *Feed {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.feed == nil {
		s.feed = &Feed{first: 1}
	}
	if notify != nil {
		s.feed.notify = notify
	}
	return s.feed
}

// add records a change; a nil Feed records nothing. Called under the
// State's lock.
func (f *Feed) add(key []byte, item value.Item) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.changes = append(f.changes, Change{Seq: f.first + uint64(len(f.changes)), Key: key, Item: item})
	if len(f.changes) > feedCap {
		drop := len(f.changes) - feedCap
		f.changes = append(f.changes[:0:0], f.changes[drop:]...)
		f.first += uint64(drop)
	}
	notify := f.notify
	f.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// Next returns the sequence number the next change will get.
func (f *Feed) Next() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first + uint64(len(f.changes))
}

// Since returns up to max changes with Seq >= from, and lost=true when
// some changes at or after from were already dropped.
func (f *Feed) Since(from uint64, max int) (out []Change, lost bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if from < f.first {
		return nil, true
	}
	i := int(from - f.first)
	if i >= len(f.changes) {
		return nil, false
	}
	end := min(len(f.changes), i+max)
	return append([]Change(nil), f.changes[i:end]...), false
}

// Trim drops the changes before seq (every consumer has them).
func (f *Feed) Trim(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if seq <= f.first {
		return
	}
	n := min(int(seq-f.first), len(f.changes))
	f.changes = append(f.changes[:0:0], f.changes[n:]...)
	f.first += uint64(n)
}

// reset drops every change and skips a sequence number, so that every
// consumer sees Lost and rebuilds.
func (f *Feed) reset() {
	f.mu.Lock()
	f.first += uint64(len(f.changes)) + 1
	f.changes = nil
	notify := f.notify
	f.mu.Unlock()
	if notify != nil {
		notify()
	}
}
