package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"sync"
)

// ErrClosed is returned by writes to a file handle from before a crash.
var ErrClosed = errors.New("vfs: file handle invalidated by crash")

// Crashable is an in-memory FS that can lose everything not yet durable.
// It is safe for concurrent use.
type Crashable struct {
	mu      sync.Mutex
	gen     int                 // incremented by Crash; older handles stop working
	live    map[string]*memFile // what a reader sees now
	durable map[string]*memFile // directory entries as of each dir's last sync
	dirs    map[string]bool
	fault   func(op, name string) error
}

// InjectFault installs f, called before every Write and Sync with the
// operation ("write" or "sync") and file name; a non-nil result fails the
// operation (a failed write stores nothing; torn writes are modelled by
// Crash keeping part of an unsynced tail). Pass nil to remove it.
func (c *Crashable) InjectFault(f func(op, name string) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fault = f
}

type memFile struct {
	data   []byte
	synced int // bytes of data that survive a crash
}

// NewCrashable returns an empty crashable filesystem.
func NewCrashable() *Crashable {
	return &Crashable{live: map[string]*memFile{}, durable: map[string]*memFile{}, dirs: map[string]bool{"/": true, ".": true}}
}

var _ FS = (*Crashable)(nil)

type memHandle struct {
	fs   *Crashable
	f    *memFile
	name string
	gen  int
}

func (h *memHandle) Write(p []byte) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.gen != h.fs.gen {
		return 0, ErrClosed
	}
	if h.fs.fault != nil {
		if err := h.fs.fault("write", h.name); err != nil {
			return 0, err
		}
	}
	h.f.data = append(h.f.data, p...)
	return len(p), nil
}

func (h *memHandle) Sync() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.gen != h.fs.gen {
		return ErrClosed
	}
	if h.fs.fault != nil {
		if err := h.fs.fault("sync", h.name); err != nil {
			return err
		}
	}
	h.f.synced = len(h.f.data)
	return nil
}

func (h *memHandle) Close() error { return nil }

func clean(name string) string { return path.Clean(name) }

func (c *Crashable) Create(name string) (File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name = clean(name)
	if !c.dirs[path.Dir(name)] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrNotExist}
	}
	f := &memFile{}
	c.live[name] = f
	return &memHandle{fs: c, f: f, name: name, gen: c.gen}, nil
}

func (c *Crashable) OpenAppend(name string) (File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name = clean(name)
	f, ok := c.live[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memHandle{fs: c, f: f, name: name, gen: c.gen}, nil
}

func (c *Crashable) ReadFile(name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.live[clean(name)]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return append([]byte(nil), f.data...), nil
}

func (c *Crashable) Truncate(name string, size int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.live[clean(name)]
	if !ok {
		return &fs.PathError{Op: "truncate", Path: name, Err: fs.ErrNotExist}
	}
	if int(size) > len(f.data) {
		return fmt.Errorf("vfs: truncate %s to %d beyond size %d", name, size, len(f.data))
	}
	f.data = f.data[:size:size]
	f.synced = int(size)
	return nil
}

func (c *Crashable) Rename(oldname, newname string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	oldname, newname = clean(oldname), clean(newname)
	f, ok := c.live[oldname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	delete(c.live, oldname)
	c.live[newname] = f
	return nil
}

func (c *Crashable) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	name = clean(name)
	if _, ok := c.live[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(c.live, name)
	return nil
}

// MkdirAll creates directories; in this model directories themselves are
// always durable (storage creates them once, before any data).
func (c *Crashable) MkdirAll(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for d := clean(dir); ; d = path.Dir(d) {
		c.dirs[d] = true
		if d == "/" || d == "." {
			return nil
		}
	}
}

func (c *Crashable) List(dir string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir = clean(dir)
	if !c.dirs[dir] {
		return nil, &fs.PathError{Op: "list", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for name := range c.live {
		if path.Dir(name) == dir {
			names = append(names, path.Base(name))
		}
	}
	for d := range c.dirs {
		if d != dir && path.Dir(d) == dir {
			names = append(names, path.Base(d))
		}
	}
	sort.Strings(names)
	return names, nil
}

func (c *Crashable) SyncDir(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir = clean(dir)
	for name := range c.durable {
		if path.Dir(name) == dir {
			delete(c.durable, name)
		}
	}
	for name, f := range c.live {
		if path.Dir(name) == dir {
			c.durable[name] = f
		}
	}
	return nil
}

// CrashOptions shape what a crash leaves behind.
type CrashOptions struct {
	// Rand, when set, keeps a random prefix of each file's unsynced tail and
	// may append random garbage after it, as a torn write would. When nil the
	// unsynced tail is dropped entirely.
	Rand *rand.Rand
}

// Crash simulates a power loss: only durable directory entries remain, each
// file keeps its synced bytes (plus, with opts.Rand, a torn unsynced tail),
// and every open handle stops working.
func (c *Crashable) Crash(opts CrashOptions) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	live := make(map[string]*memFile, len(c.durable))
	for name, f := range c.durable {
		data := append([]byte(nil), f.data[:f.synced]...)
		if r := opts.Rand; r != nil && len(f.data) > f.synced {
			tail := f.data[f.synced:]
			keep := r.IntN(len(tail) + 1)
			data = append(data, tail[:keep]...)
			if r.IntN(2) == 0 {
				garbage := make([]byte, r.IntN(16)+1)
				for i := range garbage {
					garbage[i] = byte(r.Uint32())
				}
				data = append(data, garbage...)
			}
		}
		nf := &memFile{data: data, synced: len(data)}
		live[name] = nf
	}
	c.live = live
	c.durable = make(map[string]*memFile, len(live))
	for name, f := range live {
		c.durable[name] = f
	}
}

// String lists the files, for debugging.
func (c *Crashable) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	names := make([]string, 0, len(c.live))
	for n := range c.live {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := c.live[n]
		fmt.Fprintf(&b, "%s %d/%d\n", n, f.synced, len(f.data))
	}
	return b.String()
}
