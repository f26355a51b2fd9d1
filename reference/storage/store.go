package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

const walDir = "wal"

// DefaultSegmentSize is the WAL segment size at which a new segment starts.
const DefaultSegmentSize = 16 << 20

// Options configure a Store.
type Options struct {
	FS  vfs.FS // vfs.OS{} when nil
	Dir string // data directory of the node
	// NoSync skips fsync: acknowledged writes may be lost on a crash. Only for
	// benchmarks that say so in their report.
	NoSync bool
	// SyncHoldsP makes the WAL's fsync keep its goroutine's scheduler slot
	// (see syncHoldingP): the appender goes on the instant the disk answers
	// instead of queueing for a P behind busy request goroutines, at the
	// price of that P idling through the fsync. Give the process one more
	// P (GOMAXPROCS) per node that sets it; `ddbkit serve` does both.
	SyncHoldsP  bool
	SegmentSize int64 // DefaultSegmentSize when zero
	Logger      *slog.Logger
}

// Update is what one group hands to Save from one raft Ready.
type Update struct {
	Group     uint64
	HardState *pb.HardState // nil or empty: unchanged
	Entries   []*pb.Entry
	Snapshot  *pb.Snapshot // nil or empty: none
	// CommitOnly is !Ready.MustSync: the update changes neither the term,
	// the vote nor the log, only the commit index, which need not be synced
	// (a lost commit index is learned again from the leader). A batch of
	// only such updates is written without an fsync.
	CommitOnly bool
}

// Group is one group's raft storage. It implements raft.Storage by embedding
// a MemoryStorage that mirrors what is durable.
type Group struct {
	*raft.MemoryStorage
	id        uint64
	snap      *pb.Snapshot // newest snapshot on disk
	hardState *pb.HardState
}

var _ raft.Storage = (*Group)(nil)

// ID returns the group id.
func (g *Group) ID() uint64 { return g.id }

// SnapshotIndex returns the index of the group's newest durable snapshot.
func (g *Group) SnapshotIndex() uint64 { return g.snap.GetMetadata().GetIndex() }

// pins reports whether a segment holding this group's entries up to index
// maxIndex is still needed: it is unless its live entries are covered by
// the snapshot. Entries above the log's last index were truncated (a new
// leader overwrote them, and the overwriting entries live in later
// segments), so only indexes up to the last index can be live.
func (g *Group) pins(maxIndex uint64) bool {
	last, _ := g.LastIndex()
	return min(maxIndex, last) > g.SnapshotIndex()
}

// segment is one WAL file and, per group, the highest entry index it holds.
type segment struct {
	seq      uint64
	maxIndex map[uint64]uint64
}

// Store is the durable raft storage of one node. Save, Compact, CreateGroup
// and RemoveGroup must be called from one goroutine (the node's loop); the
// embedded MemoryStorages may be read concurrently.
type Store struct {
	mu      sync.Mutex
	opts    Options
	fs      vfs.FS
	log     *slog.Logger
	groups  map[uint64]*Group
	segs    []*segment // oldest first; the last one is active
	active  vfs.File
	size    int64 // bytes in the active segment
	buf     []byte
	fsyncs  atomic.Uint64
	removed map[uint64]bool // groups removed since Open
	// incarnation counts the Opens of this data directory (1 for a new one).
	incarnation uint64
	// activeName is the active segment's path; activePrealloc tells that
	// it was preallocated (zeros after s.size), so it is trimmed when the
	// next segment takes over.
	activeName     string
	activePrealloc bool
	// next is the segment file the preparer made ready (see prealloc.go).
	next      chan preparedSegment
	preparing bool // a preparer runs or its segment waits in next
	prepWG    sync.WaitGroup
	prepStop  chan struct{}
}

// Incarnation returns how many times the data directory has been opened,
// this time included: distinct for every restart of a node.
func (s *Store) Incarnation() uint64 { return s.incarnation }

// Open replays the data directory (creating it if needed) and returns the
// store with every group found on disk.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.FS == nil {
		opts.FS = vfs.OS{}
	}
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{opts: opts, fs: opts.FS, log: opts.Logger, groups: map[uint64]*Group{}, removed: map[uint64]bool{},
		next: make(chan preparedSegment, 1), prepStop: make(chan struct{})}
	for _, d := range []string{opts.Dir, path.Join(opts.Dir, walDir), path.Join(opts.Dir, snapDir)} {
		if err := s.fs.MkdirAll(d); err != nil {
			return nil, fmt.Errorf("storage: mkdir %s: %w", d, err)
		}
	}
	inc, err := bumpIncarnation(s.fs, opts.Dir, !opts.NoSync)
	if err != nil {
		return nil, err
	}
	s.incarnation = inc
	if err := s.loadSnapshots(); err != nil {
		return nil, err
	}
	last, err := s.replayWAL(ctx)
	if err != nil {
		return nil, err
	}
	s.fixCommits()
	if err := s.rotate(last + 1); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) loadSnapshots() error {
	dir := path.Join(s.opts.Dir, snapDir)
	names, err := s.fs.List(dir)
	if err != nil {
		return fmt.Errorf("storage: list snapshots: %w", err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, ".tmp") {
			_ = s.fs.Remove(path.Join(dir, name))
			continue
		}
		id, ok := parseSnapName(name)
		if !ok {
			continue
		}
		snap, err := readSnapshotFile(s.fs, path.Join(dir, name))
		if err != nil {
			return err
		}
		g := &Group{id: id, MemoryStorage: raft.NewMemoryStorage(), snap: snap}
		if err := g.ApplySnapshot(snap); err != nil {
			return fmt.Errorf("storage: group %d: %w", id, err)
		}
		s.groups[id] = g
	}
	return nil
}

// fixCommits raises a group's durable commit index to its snapshot index.
// A commit-only hard state is written without an fsync, so after a crash
// the WAL may hold an older commit index than a snapshot (always fsynced)
// that was taken of entries committed later; a snapshot only ever covers
// committed entries, so its index is a valid commit index.
func (s *Store) fixCommits() {
	for _, g := range s.groups {
		si := g.SnapshotIndex()
		if g.hardState == nil || g.hardState.GetCommit() >= si {
			continue
		}
		hs := &pb.HardState{Term: new(g.hardState.GetTerm()), Vote: new(g.hardState.GetVote()), Commit: new(si)}
		g.hardState = hs
		_ = g.SetHardState(hs)
	}
}

func segName(seq uint64) string { return fmt.Sprintf("%016x.log", seq) }

// replayWAL applies every WAL record to the groups and returns the highest
// segment sequence number seen.
func (s *Store) replayWAL(ctx context.Context) (uint64, error) {
	dir := path.Join(s.opts.Dir, walDir)
	names, err := s.fs.List(dir)
	if err != nil {
		return 0, fmt.Errorf("storage: list wal: %w", err)
	}
	var seqs []uint64
	for _, name := range names {
		hex, ok := strings.CutSuffix(name, ".log")
		if !ok {
			continue
		}
		seq, err := strconv.ParseUint(hex, 16, 64)
		if err != nil {
			continue
		}
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	var last uint64
	for i, seq := range seqs {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		last = seq
		name := path.Join(dir, segName(seq))
		data, err := s.fs.ReadFile(name)
		if err != nil {
			return 0, fmt.Errorf("storage: read %s: %w", name, err)
		}
		seg := &segment{seq: seq, maxIndex: map[uint64]uint64{}}
		off := 0
		for off < len(data) {
			rec, n, err := decodeRecord(data[off:])
			if errors.Is(err, errTorn) && i == len(seqs)-1 {
				s.log.Warn("truncating torn WAL tail", "segment", name, "offset", off, "dropped", len(data)-off)
				if err := s.fs.Truncate(name, int64(off)); err != nil {
					return 0, fmt.Errorf("storage: truncate torn tail of %s: %w", name, err)
				}
				break
			}
			if err != nil {
				return 0, fmt.Errorf("storage: %s at offset %d: %w", name, off, err)
			}
			if err := s.replayRecord(seg, rec); err != nil {
				return 0, fmt.Errorf("storage: %s at offset %d: %w", name, off, err)
			}
			off += n
		}
		s.segs = append(s.segs, seg)
	}
	return last, nil
}

func (s *Store) replayRecord(seg *segment, rec record) error {
	g, ok := s.groups[rec.group]
	if !ok {
		// The group was removed (its snapshot file deleted) after this
		// record was written.
		return nil
	}
	switch rec.kind {
	case kindEntries:
		if len(rec.entries) == 0 {
			return nil
		}
		last, _ := g.LastIndex()
		if first := rec.entries[0].GetIndex(); first > last+1 {
			return fmt.Errorf("group %d: entries start at %d after a gap (last index %d)", g.id, first, last)
		}
		if err := g.Append(rec.entries); err != nil {
			return fmt.Errorf("group %d: %w", g.id, err)
		}
		seg.maxIndex[g.id] = max(seg.maxIndex[g.id], rec.entries[len(rec.entries)-1].GetIndex())
	case kindHardState:
		g.hardState = rec.hs
		if err := g.SetHardState(rec.hs); err != nil {
			return fmt.Errorf("group %d: %w", g.id, err)
		}
	case kindSnapshot:
		// An installed snapshot replaced the whole log. The snapshot file is
		// at least as new as the marker (it is written first and only ever
		// replaced by newer ones), so reset the log to it: entries written
		// before this point are either covered by it or stale.
		if rec.index > g.SnapshotIndex() {
			return fmt.Errorf("group %d: snapshot marker %d newer than snapshot file %d", g.id, rec.index, g.SnapshotIndex())
		}
		ms := raft.NewMemoryStorage()
		if err := ms.ApplySnapshot(g.snap); err != nil {
			return fmt.Errorf("group %d: %w", g.id, err)
		}
		if g.hardState != nil {
			_ = ms.SetHardState(g.hardState)
		}
		g.MemoryStorage = ms
	}
	return nil
}

// rotate starts segment seq, opens it for writing and checkpoints every
// group's hard state into it, so that older segments never have to be read
// for a hard state again.
func (s *Store) rotate(seq uint64) error {
	if s.active != nil {
		if err := s.active.Close(); err != nil {
			return fmt.Errorf("storage: close segment: %w", err)
		}
		if s.activePrealloc {
			// Only the last segment may end in zeros (replay stops there).
			if err := s.fs.Truncate(s.activeName, s.size); err != nil {
				return fmt.Errorf("storage: trim segment: %w", err)
			}
		}
	}
	dir := path.Join(s.opts.Dir, walDir)
	name := path.Join(dir, segName(seq))
	f, prealloc, err := s.takePrepared(name)
	if err != nil {
		return err
	}
	if f == nil {
		if f, err = s.fs.Create(name); err != nil {
			return fmt.Errorf("storage: create segment: %w", err)
		}
	}
	s.active, s.size, s.activeName, s.activePrealloc = f, 0, name, prealloc
	s.prepareNext()
	s.segs = append(s.segs, &segment{seq: seq, maxIndex: map[uint64]uint64{}})
	buf := s.buf[:0]
	for _, id := range s.sortedIDs() {
		if hs := s.groups[id].hardState; !raft.IsEmptyHardState(hs) {
			if buf, err = appendHardState(buf, id, hs); err != nil {
				return err
			}
		}
	}
	s.buf = buf
	if err := s.write(buf, true); err != nil {
		return err
	}
	if err := s.fs.SyncDir(dir); err != nil {
		return fmt.Errorf("storage: sync wal dir: %w", err)
	}
	return nil
}

func (s *Store) write(buf []byte, sync bool) error {
	if len(buf) > 0 {
		if _, err := s.active.Write(buf); err != nil {
			return fmt.Errorf("storage: write wal: %w", err)
		}
		s.size += int64(len(buf))
	}
	if sync && !s.opts.NoSync {
		sync := s.active.Sync
		if s.opts.SyncHoldsP {
			sync = func() error { return syncHoldingP(s.active) }
		}
		if err := sync(); err != nil {
			return fmt.Errorf("storage: fsync wal: %w", err)
		}
		s.fsyncs.Add(1)
	}
	return nil
}

func (s *Store) sortedIDs() []uint64 {
	ids := make([]uint64, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// GroupIDs returns the ids of the groups in the store, sorted.
func (s *Store) GroupIDs() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedIDs()
}

// Group returns the storage of group id.
func (s *Store) Group(id uint64) (*Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	return g, ok
}

// Fsyncs returns how many WAL fsyncs the store has issued. It does not
// wait for a Save in progress.
func (s *Store) Fsyncs() uint64 { return s.fsyncs.Load() }

// CreateGroup makes a new, empty group whose initial configuration is cs
// (the bootstrap voters), durable before it returns.
func (s *Store) CreateGroup(id uint64, cs *pb.ConfState) (*Group, error) {
	return s.CreateGroupWithData(id, cs, nil)
}

// CreateGroupWithData is CreateGroup for a group that starts with state:
// data is its initial state machine image, kept as the data of the group's
// index-0 snapshot (a child of a split starts with half of its parent).
func (s *Store) CreateGroupWithData(id uint64, cs *pb.ConfState, data []byte) (*Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[id]; ok {
		return nil, fmt.Errorf("storage: group %d already exists", id)
	}
	snap := &pb.Snapshot{Data: data, Metadata: &pb.SnapshotMetadata{ConfState: cs, Index: new(uint64(0)), Term: new(uint64(0))}}
	if err := writeSnapshotFile(s.fs, s.opts.Dir, id, snap, !s.opts.NoSync); err != nil {
		return nil, err
	}
	g := &Group{id: id, MemoryStorage: raft.NewMemoryStorage(), snap: snap}
	if err := g.ApplySnapshot(snap); err != nil {
		return nil, fmt.Errorf("storage: group %d: %w", id, err)
	}
	s.groups[id] = g
	delete(s.removed, id)
	return g, nil
}

// RemoveGroup forgets a group (a replica moved away or a split parent). Its
// WAL records are skipped on replay once its snapshot file is gone.
func (s *Store) RemoveGroup(id uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[id]; !ok {
		return nil
	}
	d := path.Join(s.opts.Dir, snapDir)
	if err := s.fs.Remove(path.Join(d, snapName(id))); err != nil {
		return fmt.Errorf("storage: remove group %d: %w", id, err)
	}
	if err := s.fs.SyncDir(d); err != nil {
		return fmt.Errorf("storage: sync snapshot dir: %w", err)
	}
	delete(s.groups, id)
	s.removed[id] = true
	for _, seg := range s.segs {
		delete(seg.maxIndex, id)
	}
	return nil
}

// Save makes the updates of all groups durable with one WAL write and at
// most one fsync (group commit), then exposes them through the groups'
// storages. Installed snapshots are written to their own files first.
func (s *Store) Save(updates []Update) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := s.buf[:0]
	var err error
	for i := range updates {
		u := &updates[i]
		g, ok := s.groups[u.Group]
		if !ok {
			if s.removed[u.Group] {
				continue // removed while its writes were queued
			}
			return fmt.Errorf("storage: save to unknown group %d", u.Group)
		}
		if u.Snapshot != nil && !raft.IsEmptySnap(u.Snapshot) {
			if err := writeSnapshotFile(s.fs, s.opts.Dir, g.id, u.Snapshot, !s.opts.NoSync); err != nil {
				return err
			}
			md := u.Snapshot.GetMetadata()
			if buf, err = appendSnapshotMarker(buf, g.id, md.GetIndex(), md.GetTerm()); err != nil {
				return err
			}
		}
		if len(u.Entries) > 0 {
			if buf, err = appendEntries(buf, g.id, u.Entries); err != nil {
				return err
			}
		}
		if !raft.IsEmptyHardState(u.HardState) {
			if buf, err = appendHardState(buf, g.id, u.HardState); err != nil {
				return err
			}
		}
	}
	s.buf = buf
	if len(buf) == 0 {
		return nil
	}
	mustSync := false
	for i := range updates {
		mustSync = mustSync || !updates[i].CommitOnly
	}
	if err := s.write(buf, mustSync); err != nil {
		return err
	}
	active := s.segs[len(s.segs)-1]
	for i := range updates {
		u := &updates[i]
		g, ok := s.groups[u.Group]
		if !ok {
			continue
		}
		if u.Snapshot != nil && !raft.IsEmptySnap(u.Snapshot) {
			if err := g.ApplySnapshot(u.Snapshot); err != nil && !errors.Is(err, raft.ErrSnapOutOfDate) {
				return fmt.Errorf("storage: group %d: %w", g.id, err)
			}
			g.snap = u.Snapshot
		}
		if len(u.Entries) > 0 {
			if err := g.Append(u.Entries); err != nil {
				return fmt.Errorf("storage: group %d: %w", g.id, err)
			}
			active.maxIndex[g.id] = max(active.maxIndex[g.id], u.Entries[len(u.Entries)-1].GetIndex())
		}
		if !raft.IsEmptyHardState(u.HardState) {
			g.hardState = u.HardState
			if err := g.SetHardState(u.HardState); err != nil {
				return fmt.Errorf("storage: group %d: %w", g.id, err)
			}
		}
	}
	if s.size >= s.opts.SegmentSize {
		if err := s.rotate(active.seq + 1); err != nil {
			return err
		}
		return s.collect()
	}
	return nil
}

// Compact records a snapshot of group id's state machine taken at applied
// index index (data is the state machine's image, cs the configuration at
// that index), durably, and discards log entries before index-keep so that
// slow followers within keep entries still catch up from the log.
//
// Compact may run concurrently with Save (it is how a group snapshots off
// its node's loop): the snapshot file is written and fsynced without the
// store's lock, so the WAL's group commit never waits for it; only the
// rename and the log compaction take the lock. A snapshot older than the
// group's current one (a newer one was installed meanwhile) is dropped.
func (s *Store) Compact(id, index uint64, cs *pb.ConfState, data []byte, keep uint64) error {
	s.mu.Lock()
	g, ok := s.groups[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("storage: compact unknown group %d: %w", id, ErrNoGroup)
	}
	if index <= g.SnapshotIndex() {
		s.mu.Unlock()
		return nil
	}
	term, err := g.Term(index)
	s.mu.Unlock()
	if errors.Is(err, raft.ErrCompacted) {
		return nil // a newer snapshot replaced the log meanwhile
	}
	if err != nil {
		return fmt.Errorf("storage: group %d snapshot at %d: %w", id, index, err)
	}
	snap := &pb.Snapshot{Data: data, Metadata: &pb.SnapshotMetadata{ConfState: cs, Index: new(index), Term: new(term)}}
	tmp, err := writeSnapshotTemp(s.fs, s.opts.Dir, id, snap, fmt.Sprintf(".%x.tmp", index), !s.opts.NoSync)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.groups[id]; !ok || cur != g || index <= g.SnapshotIndex() {
		_ = s.fs.Remove(tmp) // removed, or overtaken by a newer snapshot
		return nil
	}
	if _, err := g.CreateSnapshot(index, cs, data); err != nil {
		_ = s.fs.Remove(tmp)
		if errors.Is(err, raft.ErrSnapOutOfDate) {
			return nil
		}
		return fmt.Errorf("storage: group %d snapshot at %d: %w", id, index, err)
	}
	if err := installSnapshotFile(s.fs, s.opts.Dir, id, tmp); err != nil {
		return err
	}
	g.snap = snap
	if index > keep {
		if first, _ := g.FirstIndex(); index-keep > first {
			if err := g.MemoryStorage.Compact(index - keep); err != nil && !errors.Is(err, raft.ErrCompacted) {
				return fmt.Errorf("storage: group %d compact: %w", id, err)
			}
		}
	}
	return s.collect()
}

// ErrNoGroup is wrapped by errors about a group the store does not hold
// (it was removed).
var ErrNoGroup = errors.New("storage: no such group")

// collect deletes the oldest WAL segments whose entries are all covered by
// their groups' snapshot files. The active segment is never deleted.
func (s *Store) collect() error {
	dir := path.Join(s.opts.Dir, walDir)
	removed := false
	for len(s.segs) > 1 {
		seg := s.segs[0]
		for id, idx := range seg.maxIndex {
			if g, ok := s.groups[id]; ok && g.pins(idx) {
				goto done
			}
		}
		if err := s.fs.Remove(path.Join(dir, segName(seg.seq))); err != nil {
			return fmt.Errorf("storage: remove segment: %w", err)
		}
		s.segs = s.segs[1:]
		removed = true
	}
done:
	if removed {
		if err := s.fs.SyncDir(dir); err != nil {
			return fmt.Errorf("storage: sync wal dir: %w", err)
		}
	}
	return nil
}

// StaleGroups returns, when the WAL has more than maxSegments segments, the
// groups whose entries keep its oldest segment alive (entries above their
// snapshot index). A group that rarely writes never reaches its snapshot
// interval and would pin every later segment too; snapshotting these groups
// lets collect delete the segment.
func (s *Store) StaleGroups(maxSegments int) []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segs) <= maxSegments {
		return nil
	}
	var out []uint64
	for id, idx := range s.segs[0].maxIndex {
		if g, ok := s.groups[id]; ok && g.pins(idx) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Segments returns how many WAL segments exist.
func (s *Store) Segments() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.segs)
}

// Close closes the active segment. It does not sync: everything Save
// returned for is already durable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil {
		return nil
	}
	err := s.active.Close()
	s.active = nil
	s.stopPreparer()
	return err
}
