package transport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// TCPOptions configure a TCP transport.
type TCPOptions struct {
	ID      uint64
	Addr    string            // listen address, e.g. 127.0.0.1:0
	Peers   map[uint64]string // node id -> address; more with SetPeer
	Handler Handler
	Logger  *slog.Logger
	// DialTimeout bounds one connection attempt (1s when zero); failed
	// dials back off up to MaxBackoff (1s when zero).
	DialTimeout time.Duration
	MaxBackoff  time.Duration
	QueueLen    int // batches queued per peer before dropping; 1024 when zero
}

// TCP is a Transport over TCP: one outbound connection per peer, frames
// written by a goroutine per peer, inbound connections read by a goroutine
// each.
type TCP struct {
	opts   TCPOptions
	ln     net.Listener
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	peers map[uint64]*peer
	conns map[net.Conn]bool
}

type peer struct {
	id    uint64
	addr  string
	queue chan []Envelope
}

// ListenTCP starts listening on opts.Addr.
func ListenTCP(ctx context.Context, opts TCPOptions) (*TCP, error) {
	if opts.Handler == nil {
		return nil, errors.New("transport: tcp without a handler")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Second
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = 1024
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("transport: listen %s: %w", opts.Addr, err)
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t := &TCP{opts: opts, ln: ln, log: opts.Logger.With("node", opts.ID), ctx: cctx, cancel: cancel,
		peers: map[uint64]*peer{}, conns: map[net.Conn]bool{}}
	for id, addr := range opts.Peers {
		t.SetPeer(id, addr)
	}
	t.wg.Add(1)
	go t.accept()
	return t, nil
}

// Addr returns the address the transport listens on.
func (t *TCP) Addr() string { return t.ln.Addr().String() }

// SetPeer adds a peer (or changes its address).
func (t *TCP) SetPeer(id uint64, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id == t.opts.ID {
		return
	}
	if p, ok := t.peers[id]; ok {
		if p.addr == addr {
			return
		}
		close(p.queue) // its writer exits; a new one starts below
	}
	p := &peer{id: id, addr: addr, queue: make(chan []Envelope, t.opts.QueueLen)}
	t.peers[id] = p
	t.wg.Add(1)
	go t.write(p)
}

// Send implements Transport.
func (t *TCP) Send(to uint64, batch []Envelope) {
	if len(batch) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.peers[to]
	if !ok || t.ctx.Err() != nil {
		return
	}
	select {
	case p.queue <- batch:
	default: // congested: drop, raft retransmits
	}
}

// write owns the outbound connection to p.
func (t *TCP) write(p *peer) {
	defer t.wg.Done()
	var conn net.Conn
	var w *bufio.Writer
	var buf []byte
	backoff := 10 * time.Millisecond
	var nextDial time.Time
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		var batch []Envelope
		select {
		case b, ok := <-p.queue:
			if !ok {
				return
			}
			batch = b
		case <-t.ctx.Done():
			return
		}
		if conn == nil {
			if time.Now().Before(nextDial) {
				continue // still backing off: drop
			}
			d := net.Dialer{Timeout: t.opts.DialTimeout}
			c, err := d.DialContext(t.ctx, "tcp", p.addr)
			if err != nil {
				nextDial = time.Now().Add(backoff)
				backoff = min(2*backoff, t.opts.MaxBackoff)
				t.log.Debug("dial failed", "peer", p.id, "addr", p.addr, "err", err)
				continue
			}
			conn, w, backoff = c, bufio.NewWriterSize(c, 64<<10), 10*time.Millisecond
			// The peer never writes on this connection, so a read returns
			// only when it is closed; closing our end then makes the next
			// write fail and redial (a write alone may keep "succeeding"
			// into a connection the peer has closed).
			go func() {
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}()
		}
		var err error
		buf, err = appendFrame(buf[:0], t.opts.ID, batch)
		if err != nil {
			t.log.Warn("dropping unencodable batch", "peer", p.id, "err", err)
			continue
		}
		// Coalesce whatever else is queued into the same write.
	drain:
		for len(buf) < 1<<20 {
			select {
			case b, ok := <-p.queue:
				if !ok {
					break drain
				}
				if buf, err = appendFrame(buf, t.opts.ID, b); err != nil {
					t.log.Warn("dropping unencodable batch", "peer", p.id, "err", err)
				}
			default:
				break drain
			}
		}
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_, err = w.Write(buf)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			t.log.Debug("write failed; reconnecting", "peer", p.id, "err", err)
			conn.Close()
			conn, w = nil, nil
		}
	}
}

func (t *TCP) accept() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.mu.Lock()
		if t.ctx.Err() != nil {
			t.mu.Unlock()
			c.Close()
			return
		}
		t.conns[c] = true
		t.mu.Unlock()
		t.wg.Add(1)
		go t.read(c)
	}
}

func (t *TCP) read(c net.Conn) {
	defer t.wg.Done()
	defer func() {
		c.Close()
		t.mu.Lock()
		delete(t.conns, c)
		t.mu.Unlock()
	}()
	r := bufio.NewReaderSize(c, 64<<10)
	var scratch []byte
	for {
		from, batch, s, err := readFrame(r, scratch)
		scratch = s
		if err != nil {
			if t.ctx.Err() == nil {
				t.log.Debug("read failed", "remote", c.RemoteAddr().String(), "err", err)
			}
			return
		}
		t.opts.Handler(from, batch)
	}
}

// Close stops the transport and waits for its goroutines.
func (t *TCP) Close() error {
	t.mu.Lock()
	t.cancel()
	err := t.ln.Close()
	for c := range t.conns {
		c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	return err
}
