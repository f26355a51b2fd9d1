package storage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"testing"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

func ent(index, term uint64, data string) *pb.Entry {
	return &pb.Entry{Index: new(index), Term: new(term), Data: []byte(data)}
}

func hs(term, vote, commit uint64) *pb.HardState {
	return &pb.HardState{Term: new(term), Vote: new(vote), Commit: new(commit)}
}

func voters(ids ...uint64) *pb.ConfState { return &pb.ConfState{Voters: ids} }

func open(t *testing.T, fs vfs.FS, opts Options) *Store {
	t.Helper()
	opts.FS, opts.Dir = fs, "/data"
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestSaveReopen(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{})
	for _, id := range []uint64{1, 2} {
		if _, err := s.CreateGroup(id, voters(1, 2, 3)); err != nil {
			t.Fatal(err)
		}
	}
	err := s.Save([]Update{
		{Group: 1, HardState: hs(1, 1, 2), Entries: []*pb.Entry{ent(1, 1, "a"), ent(2, 1, "b")}},
		{Group: 2, HardState: hs(3, 2, 0), Entries: []*pb.Entry{ent(1, 3, "x")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Fsyncs(); got != 2 { // one at segment start, one for the batch
		t.Fatalf("fsyncs = %d, want 2 (one per Save batch)", got)
	}
	// Overwrite group 1's uncommitted suffix with a higher term.
	if err := s.Save([]Update{{Group: 1, HardState: hs(2, 2, 2), Entries: []*pb.Entry{ent(3, 2, "c")}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]Update{{Group: 1, Entries: []*pb.Entry{ent(3, 3, "c2"), ent(4, 3, "d")}, HardState: hs(3, 3, 3)}}); err != nil {
		t.Fatal(err)
	}
	fs.Crash(vfs.CrashOptions{})
	s2 := open(t, fs, Options{})
	g1, ok := s2.Group(1)
	if !ok {
		t.Fatal("group 1 lost")
	}
	checkLog(t, g1, []string{"1:a", "1:b", "3:c2", "3:d"})
	st, cs, _ := g1.InitialState()
	if st.GetTerm() != 3 || st.GetCommit() != 3 || len(cs.GetVoters()) != 3 {
		t.Fatalf("group 1 state = %v %v", st, cs)
	}
	g2, _ := s2.Group(2)
	checkLog(t, g2, []string{"3:x"})
}

func checkLog(t *testing.T, g *Group, want []string) {
	t.Helper()
	first, _ := g.FirstIndex()
	last, _ := g.LastIndex()
	if last < first {
		if len(want) != 0 {
			t.Fatalf("log empty, want %v", want)
		}
		return
	}
	ents, err := g.Entries(first, last+1, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, fmt.Sprintf("%d:%s", e.GetTerm(), e.GetData()))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log = %v, want %v", got, want)
	}
}

func TestTornTailIsTruncatedCorruptMiddleFails(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{})
	if _, err := s.CreateGroup(1, voters(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 1), Entries: []*pb.Entry{ent(1, 1, "a")}}}); err != nil {
		t.Fatal(err)
	}
	seg := path.Join("/data", walDir, segName(1))
	f, err := fs.OpenAppend(seg)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte{40, 0, 0, 0, 1, 2, 3, 4, 5}) // header claims 40 bytes, 1 present
	_ = f.Sync()
	s2 := open(t, fs, Options{})
	g, _ := s2.Group(1)
	checkLog(t, g, []string{"1:a"})
	if err := s2.Save([]Update{{Group: 1, Entries: []*pb.Entry{ent(2, 1, "b")}}}); err != nil {
		t.Fatal(err)
	}
	s3 := open(t, fs, Options{})
	g, _ = s3.Group(1)
	checkLog(t, g, []string{"1:a", "1:b"})

	// The same damage in a segment that is not the last one is corruption.
	data, _ := fs.ReadFile(seg)
	w, _ := fs.Create(seg)
	data[len(data)-1] ^= 0xff
	_, _ = w.Write(data)
	_ = w.Sync()
	if _, err := Open(context.Background(), Options{FS: fs, Dir: "/data"}); err == nil {
		t.Fatal("Open accepted a corrupt record in an older segment")
	}
}

func TestCompactionDeletesCoveredSegments(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{SegmentSize: 512})
	if _, err := s.CreateGroup(7, voters(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 200; i++ {
		if err := s.Save([]Update{{Group: 7, HardState: hs(1, 1, i), Entries: []*pb.Entry{ent(i, 1, fmt.Sprintf("v%03d", i))}}}); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Segments()
	if before < 5 {
		t.Fatalf("only %d segments; test needs rotation", before)
	}
	if err := s.Compact(7, 190, voters(1, 2, 3), []byte("image@190"), 5); err != nil {
		t.Fatal(err)
	}
	if after := s.Segments(); after >= before-2 {
		t.Fatalf("compaction kept %d of %d segments", after, before)
	}
	fs.Crash(vfs.CrashOptions{})
	s2 := open(t, fs, Options{SegmentSize: 512})
	g, _ := s2.Group(7)
	snap, _ := g.Snapshot()
	if snap.GetMetadata().GetIndex() != 190 || string(snap.GetData()) != "image@190" {
		t.Fatalf("snapshot after reopen = %d %q", snap.GetMetadata().GetIndex(), snap.GetData())
	}
	last, _ := g.LastIndex()
	if last != 200 {
		t.Fatalf("last index = %d, want 200", last)
	}
	ents, err := g.Entries(191, 201, 1<<20)
	if err != nil || len(ents) != 10 || string(ents[9].GetData()) != "v200" {
		t.Fatalf("entries after snapshot = %v, %v", ents, err)
	}
}

func TestInstalledSnapshotResetsLogOnReplay(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{})
	if _, err := s.CreateGroup(1, voters(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	// A stale follower has entries 1..5 of term 1, then receives a snapshot
	// at 3 of term 2 (so its 4 and 5 are stale), then entry 4 of term 2.
	var ents []*pb.Entry
	for i := uint64(1); i <= 5; i++ {
		ents = append(ents, ent(i, 1, "old"))
	}
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 1), Entries: ents}}); err != nil {
		t.Fatal(err)
	}
	snap := &pb.Snapshot{Data: []byte("img"), Metadata: &pb.SnapshotMetadata{Index: new(uint64(3)), Term: new(uint64(2)), ConfState: voters(1, 2, 3)}}
	if err := s.Save([]Update{{Group: 1, HardState: hs(2, 0, 3), Snapshot: snap}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]Update{{Group: 1, Entries: []*pb.Entry{ent(4, 2, "new")}}}); err != nil {
		t.Fatal(err)
	}
	fs.Crash(vfs.CrashOptions{})
	g, _ := open(t, fs, Options{}).Group(1)
	checkLog(t, g, []string{"2:new"})
	if fi, _ := g.FirstIndex(); fi != 4 {
		t.Fatalf("first index = %d, want 4", fi)
	}
}

// model is the expected durable state of one group.
type model struct {
	terms     map[uint64]uint64 // index -> term of the entry
	data      map[uint64]string
	last      uint64
	snapIndex uint64
	hs        *pb.HardState
	term      uint64
}

// TestCrashRandomized drives random saves, compactions and failures into a
// crashable filesystem, crashes it at random (keeping torn tails), reopens
// and checks: every Save that returned nil survived; a Save that failed
// either survived whole or left the previous state (an unsynced write may
// or may not persist, but must never corrupt or half-apply a group).
func TestCrashRandomized(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { crashRun(t, seed) })
	}
}

var errInjected = errors.New("injected I/O error")

func crashRun(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	fs := vfs.NewCrashable()
	opts := Options{SegmentSize: int64(256 + r.IntN(2048))}
	s := open(t, fs, opts)
	groups := []uint64{1, 2, 3}
	models := map[uint64]*model{}
	for _, id := range groups {
		if _, err := s.CreateGroup(id, voters(1, 2, 3)); err != nil {
			t.Fatal(err)
		}
		models[id] = &model{terms: map[uint64]uint64{}, data: map[uint64]string{}, hs: hs(0, 0, 0), term: 1}
	}
	for step := 0; step < 300; step++ {
		switch op := r.IntN(20); {
		case op < 15: // a ready-loop batch touching a random subset of groups
			var ups []Update
			next := map[uint64]*model{}
			for _, id := range groups {
				if r.IntN(2) == 0 {
					continue
				}
				m := models[id]
				nm := m.clone()
				commit := m.hs.GetCommit()
				lo := max(commit+1, m.snapIndex+1)
				if m.last >= 3 && m.last-3 > lo {
					lo = m.last - 3
				}
				start := lo + uint64(r.IntN(int(m.last+2-lo)))
				if r.IntN(4) == 0 {
					nm.term++
				}
				var ents []*pb.Entry
				for i := 0; i < 1+r.IntN(4); i++ {
					idx := start + uint64(i)
					d := fmt.Sprintf("s%d-%d", step, idx)
					ents = append(ents, ent(idx, nm.term, d))
				}
				nm.truncate(start - 1)
				for _, e := range ents {
					nm.terms[e.GetIndex()], nm.data[e.GetIndex()] = e.GetTerm(), string(e.GetData())
				}
				nm.last = ents[len(ents)-1].GetIndex()
				newCommit := commit + uint64(r.IntN(int(min(start-1, nm.last)-commit)+1))
				if start-1 < commit {
					newCommit = commit
				}
				nm.hs = hs(nm.term, 1, newCommit)
				ups = append(ups, Update{Group: id, HardState: nm.hs, Entries: ents})
				next[id] = nm
			}
			failing := r.IntN(6) == 0
			if failing {
				n := r.IntN(3)
				fs.InjectFault(func(op, name string) error {
					if n == 0 {
						return errInjected
					}
					n--
					return nil
				})
			}
			err := s.Save(ups)
			fs.InjectFault(nil)
			if err == nil {
				for id, nm := range next {
					models[id] = nm
				}
			} else if !errors.Is(err, errInjected) {
				t.Fatalf("step %d: Save: %v", step, err)
			} else {
				// Unknown outcome: crash now and accept either state.
				fs.Crash(vfs.CrashOptions{Rand: r})
				s = reopenAndCheck(t, fs, opts, models, next, step)
			}
		case op < 17: // compaction of one group up to its commit index
			id := groups[r.IntN(len(groups))]
			m := models[id]
			c := m.hs.GetCommit()
			if c <= m.snapIndex {
				continue
			}
			idx := m.snapIndex + 1 + uint64(r.IntN(int(c-m.snapIndex)))
			if err := s.Compact(id, idx, voters(1, 2, 3), []byte(fmt.Sprintf("img%d", idx)), uint64(r.IntN(3))); err != nil {
				t.Fatalf("step %d: Compact: %v", step, err)
			}
			m.snapIndex = idx
		default: // power loss
			fs.Crash(vfs.CrashOptions{Rand: r})
			s = reopenAndCheck(t, fs, opts, models, nil, step)
		}
	}
	fs.Crash(vfs.CrashOptions{Rand: r})
	reopenAndCheck(t, fs, opts, models, nil, -1)
}

func (m *model) clone() *model {
	c := *m
	c.terms, c.data = map[uint64]uint64{}, map[uint64]string{}
	for k, v := range m.terms {
		c.terms[k], c.data[k] = v, m.data[k]
	}
	return &c
}

func (m *model) truncate(last uint64) {
	for i := last + 1; i <= m.last; i++ {
		delete(m.terms, i)
		delete(m.data, i)
	}
	m.last = min(m.last, last)
}

// reopenAndCheck reopens after a crash and compares every group with its
// model; for groups in maybe (a failed Save), the maybe-model may match
// instead, and is adopted if it does.
func reopenAndCheck(t *testing.T, fs *vfs.Crashable, opts Options, models, maybe map[uint64]*model, step int) *Store {
	t.Helper()
	s := open(t, fs, opts)
	for id, m := range models {
		g, ok := s.Group(id)
		if !ok {
			t.Fatalf("step %d: group %d lost", step, id)
		}
		err := matches(g, m, m)
		if err != nil && maybe[id] != nil {
			// A batch is a sequence of records (entries, then hard state) and
			// a torn write keeps a prefix of it: new entries with the old hard
			// state, or everything new.
			nm := maybe[id]
			nm.snapIndex = m.snapIndex
			if matches(g, nm, m) == nil {
				nm.hs = m.hs
				models[id], err = nm, nil
			} else if matches(g, nm, nm) == nil {
				models[id], err = nm, nil
			}
		}
		if err != nil {
			t.Fatalf("step %d: group %d after crash: %v\nfiles:\n%s", step, id, err, fs)
		}
	}
	return s
}

// matches compares g's log with m's and g's hard state with hsm's.
func matches(g *Group, m, hsm *model) error {
	st, _, _ := g.InitialState()
	if st.GetTerm() != hsm.hs.GetTerm() || st.GetCommit() != hsm.hs.GetCommit() {
		return fmt.Errorf("hard state %v, want %v", st, hsm.hs)
	}
	last, _ := g.LastIndex()
	if last != m.last {
		return fmt.Errorf("last index %d, want %d", last, m.last)
	}
	first, _ := g.FirstIndex()
	if first > m.snapIndex+1 {
		return fmt.Errorf("first index %d beyond snapshot %d + 1", first, m.snapIndex)
	}
	if g.SnapshotIndex() != m.snapIndex {
		return fmt.Errorf("snapshot index %d, want %d", g.SnapshotIndex(), m.snapIndex)
	}
	for i := first; i <= last; i++ {
		ents, err := g.Entries(i, i+1, 1<<20)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if ents[0].GetTerm() != m.terms[i] || string(ents[0].GetData()) != m.data[i] {
			return fmt.Errorf("entry %d = %d:%s, want %d:%s", i, ents[0].GetTerm(), ents[0].GetData(), m.terms[i], m.data[i])
		}
	}
	if t, err := g.Term(first - 1); err != nil || (first-1 > 0 && first-1 >= m.snapIndex && t != m.terms[first-1] && first-1 != m.snapIndex) {
		return fmt.Errorf("term(%d) = %d, %v", first-1, t, err)
	}
	_ = raft.ErrCompacted
	return nil
}

func TestCommitOnlyBatchSkipsFsync(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{})
	if _, err := s.CreateGroup(1, voters(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 0), Entries: []*pb.Entry{ent(1, 1, "a")}}}); err != nil {
		t.Fatal(err)
	}
	before := s.Fsyncs()
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 1), CommitOnly: true}}); err != nil {
		t.Fatal(err)
	}
	if s.Fsyncs() != before {
		t.Fatalf("a commit-only batch was fsynced")
	}
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 1), CommitOnly: true}, {Group: 1, Entries: []*pb.Entry{ent(2, 1, "b")}}}); err != nil {
		t.Fatal(err)
	}
	if s.Fsyncs() != before+1 {
		t.Fatalf("a batch with new entries was not fsynced exactly once")
	}
}

func TestUnsyncedCommitBehindSnapshotIsRaised(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{})
	if _, err := s.CreateGroup(1, voters(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	var ents []*pb.Entry
	for i := uint64(1); i <= 10; i++ {
		ents = append(ents, ent(i, 1, "x"))
	}
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 5), Entries: ents}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, 10), CommitOnly: true}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(1, 10, voters(1, 2, 3), []byte("img"), 0); err != nil {
		t.Fatal(err)
	}
	fs.Crash(vfs.CrashOptions{}) // the commit-only hard state is lost
	g, _ := open(t, fs, Options{}).Group(1)
	st, _, _ := g.InitialState()
	if st.GetCommit() < g.SnapshotIndex() {
		t.Fatalf("commit %d behind snapshot %d after crash: raft would refuse to start", st.GetCommit(), g.SnapshotIndex())
	}
	if st.GetTerm() != 1 || st.GetVote() != 1 {
		t.Fatalf("term/vote changed: %v", st)
	}
}

func TestIncarnationGrowsAcrossRestartsAndCrashes(t *testing.T) {
	fs := vfs.NewCrashable()
	var last uint64
	for i := 0; i < 4; i++ {
		s := open(t, fs, Options{})
		if s.Incarnation() <= last {
			t.Fatalf("open %d: incarnation %d, previous %d", i, s.Incarnation(), last)
		}
		last = s.Incarnation()
		if i%2 == 1 {
			fs.Crash(vfs.CrashOptions{})
		} else {
			_ = s.Close()
		}
	}
}

func TestStaleGroupsNameTheGroupsPinningTheWAL(t *testing.T) {
	fs := vfs.NewCrashable()
	s := open(t, fs, Options{SegmentSize: 256})
	for _, id := range []uint64{1, 2} {
		if _, err := s.CreateGroup(id, voters(1)); err != nil {
			t.Fatal(err)
		}
	}
	// Group 2 writes once; group 1 keeps writing and snapshotting.
	if err := s.Save([]Update{{Group: 2, HardState: hs(1, 1, 1), Entries: []*pb.Entry{ent(1, 1, "idle")}}}); err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 100; i++ {
		if err := s.Save([]Update{{Group: 1, HardState: hs(1, 1, i), Entries: []*pb.Entry{ent(i, 1, "busy-entry")}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Compact(1, i, voters(1), nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.StaleGroups(4); len(got) != 1 || got[0] != 2 {
		t.Fatalf("StaleGroups = %v with %d segments, want [2]", got, s.Segments())
	}
	if err := s.Compact(2, 1, voters(1), nil, 0); err != nil {
		t.Fatal(err)
	}
	if n := s.Segments(); n > 2 {
		t.Fatalf("%d segments remain after the idle group's snapshot", n)
	}
	if got := s.StaleGroups(4); len(got) != 0 {
		t.Fatalf("StaleGroups = %v after compaction", got)
	}
}
