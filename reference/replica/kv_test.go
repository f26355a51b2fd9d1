package replica

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// kv is the toy state machine of the tests: commands "key=value" set a key
// and return the previous value; "key+=" appends the applied index to a
// list under key (to count applications).
type kv struct {
	mu      sync.Mutex
	m       map[string]string
	applied uint64
}

type kvResult struct {
	Prev  string
	Index uint64
}

func newKV() *kv { return &kv{m: map[string]string{}} }

func (s *kv) Apply(index uint64, cmd []byte) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if index <= s.applied {
		panic(fmt.Sprintf("kv: apply %d after %d", index, s.applied))
	}
	s.applied = index
	c := string(cmd)
	if k, ok := strings.CutSuffix(c, "+="); ok {
		prev := s.m[k]
		s.m[k] = prev + fmt.Sprintf("%d,", index)
		return kvResult{Prev: prev, Index: index}
	}
	k, v, _ := strings.Cut(c, "=")
	prev := s.m[k]
	s.m[k] = v
	return kvResult{Prev: prev, Index: index}
}

func (s *kv) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.Marshal(s.m)
}

func (s *kv) Restore(index uint64, snap []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]string{}
	if err := json.Unmarshal(snap, &m); err != nil {
		return err
	}
	s.m, s.applied = m, index
	return nil
}

func (s *kv) Get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

func (s *kv) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// Digest is a hash of the whole state.
func (s *kv) Digest() string {
	_, d := s.DigestAt()
	return d
}

// DigestAt returns the applied index and the digest of the state at it,
// atomically (the loop may be applying while a test reads).
func (s *kv) DigestAt() (uint64, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%q;", k, s.m[k])
	}
	return s.applied, hex.EncodeToString(h.Sum(nil))[:16]
}

// asyncKV is the kv whose snapshots are encoded off the loop, slowly, so
// that writes go on applying while one is written.
type asyncKV struct{ *kv }

func (a asyncKV) SnapshotAsync() func(dst []byte) ([]byte, error) {
	a.mu.Lock()
	m := maps.Clone(a.m)
	a.mu.Unlock()
	return func(dst []byte) ([]byte, error) {
		time.Sleep(2 * time.Millisecond)
		b, err := json.Marshal(m)
		return append(dst, b...), err
	}
}
