package cmdlog

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// Log is an append-only, group-committed record file.
type Log struct {
	f     *os.File
	fsync bool

	mu      sync.Mutex
	pending []byte
	waiters []chan error
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	err     error // sticky write error
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Open opens (creating if needed) the log at path, calls replay for every
// intact record in order, truncates a torn tail, and starts the writer.
func Open(path string, fsync bool, replay func(rec []byte) error) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cmdlog: open: %w", err)
	}
	good, err := scan(f, replay)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("cmdlog: truncate torn tail: %w", err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("cmdlog: seek: %w", err)
	}
	l := &Log{f: f, fsync: fsync, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.run()
	return l, nil
}

// scan replays intact records and returns the offset after the last one.
func scan(f *os.File, replay func([]byte) error) (int64, error) {
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return off, nil // clean end or torn header
		}
		n := binary.LittleEndian.Uint32(hdr[0:4])
		sum := binary.LittleEndian.Uint32(hdr[4:8])
		if n > 64<<20 {
			return off, nil
		}
		rec := make([]byte, n)
		if _, err := io.ReadFull(r, rec); err != nil {
			return off, nil
		}
		if crc32.Checksum(rec, crcTable) != sum {
			return off, nil
		}
		if err := replay(rec); err != nil {
			return 0, fmt.Errorf("cmdlog: replay record at %d: %w", off, err)
		}
		off += 8 + int64(n)
	}
}

// Enqueue queues rec and returns a function that waits until it is durable.
// Records become durable in the order they were enqueued.
func (l *Log) Enqueue(rec []byte) func(context.Context) error {
	ch := make(chan error, 1)
	l.mu.Lock()
	if l.closed || l.err != nil {
		err := l.err
		if err == nil {
			err = errors.New("cmdlog: closed")
		}
		l.mu.Unlock()
		ch <- err
		return func(context.Context) error { return <-ch }
	}
	var hdr [8]byte
	binary.LittleEndian.PutUint32(hdr[0:4], uint32(len(rec)))
	binary.LittleEndian.PutUint32(hdr[4:8], crc32.Checksum(rec, crcTable))
	l.pending = append(l.pending, hdr[:]...)
	l.pending = append(l.pending, rec...)
	l.waiters = append(l.waiters, ch)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return func(ctx context.Context) error {
		select {
		case err := <-ch:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Append writes rec and waits until it is durable.
func (l *Log) Append(ctx context.Context, rec []byte) error { return l.Enqueue(rec)(ctx) }

func (l *Log) run() {
	defer close(l.done)
	for {
		l.mu.Lock()
		for len(l.pending) == 0 && !l.closed {
			l.mu.Unlock()
			<-l.wake
			l.mu.Lock()
		}
		buf, waiters, closed := l.pending, l.waiters, l.closed
		l.pending, l.waiters = nil, nil
		l.mu.Unlock()
		var err error
		if len(buf) > 0 {
			if _, err = l.f.Write(buf); err == nil && l.fsync {
				err = l.f.Sync()
			}
			if err != nil {
				err = fmt.Errorf("cmdlog: write: %w", err)
				l.mu.Lock()
				l.err = err
				l.mu.Unlock()
			}
		}
		for _, w := range waiters {
			w <- err
		}
		if closed {
			return
		}
	}
}

// Close flushes queued records and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.done
	return l.f.Close()
}
