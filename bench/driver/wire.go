package driver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// wireOptions configure a wirePool.
type wireOptions struct {
	addr string // host:port to dial
	// maxIdle is how many idle connections the pool keeps; one more is
	// closed when it comes back.
	maxIdle int
	// idleTimeout: a pooled connection idle longer is closed instead of
	// used (the server may have closed it already).
	idleTimeout time.Duration
	limits      responseLimits
	now         func() time.Time
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
}

// wirePool is the lean client's HTTP/1.1 transport for http:// endpoints
// (see the package doc): a stack of idle keep-alive connections, each
// carrying one request at a time on the caller's goroutine.
type wirePool struct {
	o wireOptions

	mu     sync.Mutex
	idle   []*wireConn // oldest first; taken from the end
	closed bool

	dials, reuses, retries, staleDrops atomic.Int64
}

// wireConn is one connection with its buffers.
type wireConn struct {
	nc       net.Conn
	br       *bufio.Reader
	lastUsed time.Time // when it went back to the pool
	reused   bool      // it has carried a request before
}

// wireStats counts what the pool did (for tests and diagnostics).
type wireStats struct {
	Dials, Reuses, Retries, StaleDrops int64
}

func newWirePool(o wireOptions) *wirePool {
	if o.dial == nil {
		o.dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	if o.now == nil {
		o.now = time.Now
	}
	return &wirePool{o: o}
}

func (p *wirePool) stats() wireStats {
	return wireStats{Dials: p.dials.Load(), Reuses: p.reuses.Load(), Retries: p.retries.Load(), StaleDrops: p.staleDrops.Load()}
}

// roundTrip sends msg (a whole request: head and body) and reads the response, appending its body to
// respBody[:0]. A request that fails on a reused connection before any
// byte of the response arrived is sent once more on a new connection: the
// server most likely closed the idle connection as the request went out,
// so it never read it (see the package doc).
func (p *wirePool) roundTrip(ctx context.Context, msg []byte, respBody []byte) (responseHead, []byte, error) {
	if err := ctx.Err(); err != nil {
		return responseHead{}, respBody[:0], err
	}
	c, err := p.take(ctx)
	if err != nil {
		return responseHead{}, respBody[:0], err
	}
	h, respBody, noResponse, err := p.exchange(ctx, c, msg, respBody)
	if err == nil || !noResponse || !c.reused || ctx.Err() != nil || !retryable(err) {
		return h, respBody, err
	}
	p.retries.Add(1)
	c, err = p.dialConn(ctx)
	if err != nil {
		return responseHead{}, respBody[:0], err
	}
	h, respBody, _, err = p.exchange(ctx, c, msg, respBody)
	return h, respBody, err
}

// retryable: the connection was closed or reset under the request.
func retryable(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

// exchange writes msg on c and reads the response. It puts c back in the
// pool only after a clean exchange whose response allows keep-alive;
// otherwise it closes c. noResponse reports that no byte of a response
// arrived.
func (p *wirePool) exchange(ctx context.Context, c *wireConn, msg []byte, respBody []byte) (h responseHead, body []byte, noResponse bool, err error) {
	var stop func() bool
	if ctx.Done() != nil {
		// Interrupt a blocked write or read when ctx ends (cancelled,
		// or its deadline passed): a deadline in the past wakes them
		// with os.ErrDeadlineExceeded. This also serves ctx's deadline,
		// without setting it on the connection for every request.
		stop = context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
	}
	h, body, noResponse, err = c.do(msg, respBody, p.o.limits)
	interrupted := stop != nil && !stop()
	if err != nil || interrupted || !h.keepAlive {
		c.nc.Close()
		if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
			err = ctxErr // the deadline or cancellation, not the i/o error it caused
		}
		return h, body, noResponse, err
	}
	p.put(c)
	return h, body, false, nil
}

// do writes the request msg with one write and reads the response.
func (c *wireConn) do(msg []byte, respBody []byte, lim responseLimits) (responseHead, []byte, bool, error) {
	if _, err := c.nc.Write(msg); err != nil {
		return responseHead{}, respBody[:0], true, fmt.Errorf("write request: %w", err)
	}
	if _, err := c.br.Peek(1); err != nil {
		return responseHead{}, respBody[:0], true, fmt.Errorf("read response: %w", err)
	}
	h, body, err := readResponse(c.br, respBody, lim)
	if err != nil {
		return h, body, false, fmt.Errorf("read response: %w", err)
	}
	if c.br.Buffered() > 0 {
		// Bytes nobody asked for: the next response would be misread.
		h.keepAlive = false
	}
	return h, body, false, nil
}

// take returns an idle connection that has not been idle too long, or a
// new one.
func (p *wirePool) take(ctx context.Context) (*wireConn, error) {
	now := p.o.now()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("wire transport closed")
	}
	for n := len(p.idle); n > 0; n = len(p.idle) {
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if now.Sub(c.lastUsed) <= p.o.idleTimeout {
			p.mu.Unlock()
			p.reuses.Add(1)
			c.reused = true
			return c, nil
		}
		// The newest idle connection is stale, so are all older ones.
		stale := append([]*wireConn{c}, p.idle...)
		clear(p.idle)
		p.idle = p.idle[:0]
		p.mu.Unlock()
		p.staleDrops.Add(int64(len(stale)))
		for _, s := range stale {
			s.nc.Close()
		}
		return p.dialConn(ctx)
	}
	p.mu.Unlock()
	return p.dialConn(ctx)
}

func (p *wirePool) dialConn(ctx context.Context) (*wireConn, error) {
	nc, err := p.o.dial(ctx, "tcp", p.o.addr)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	p.dials.Add(1)
	return &wireConn{nc: nc, br: bufio.NewReaderSize(nc, 16<<10)}, nil
}

// put returns a connection after a clean exchange.
func (p *wirePool) put(c *wireConn) {
	c.lastUsed = p.o.now()
	p.mu.Lock()
	if p.closed || len(p.idle) >= p.o.maxIdle {
		p.mu.Unlock()
		c.nc.Close()
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// close closes the idle connections; connections in use are closed when
// they come back.
func (p *wirePool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.nc.Close()
	}
}

// appendHeader appends "name: value\r\n", refusing a value that would
// break the head.
func appendHeader(dst []byte, name, value string) ([]byte, error) {
	for i := range len(value) {
		if c := value[i]; c == '\r' || c == '\n' || c == 0 {
			return dst, fmt.Errorf("header %s: value has a control character", name)
		}
	}
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...), nil
}

func appendContentLength(dst []byte, n int) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, "\r\n"...)
}
