package driver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/server"
)

// TestWireReferenceServer runs every operation through the lean client's
// wire transport against the reference engine.
func TestWireReferenceServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := server.Start(ctx, server.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := Endpoint{URL: srv.URL(), AccessKeyID: testAK, SecretAccessKey: testSK, Conns: 4}
	cfg, err := AWSConfig(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	plain, sorted := Table{Name: "usertable"}, Table{Name: "grouped", SortKey: true}
	for _, tbl := range []Table{plain, sorted} {
		if _, err := EnsureTable(ctx, DynamoDB(cfg, e), tbl, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c := newLean(t, LeanOptions{Endpoint: srv.URL()})
	if c.Transport() != "wire" {
		t.Fatalf("transport %s, want wire", c.Transport())
	}
	k := Key{PK: []byte("user1")}
	fields := []Field{{"field0", bytes.Repeat([]byte("a"), 100)}, {"field1", []byte(`quote " and \ backslash`)}}

	if err := c.PutItem(ctx, plain, Item{Key: k, Fields: fields, Version: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetItem(ctx, plain, k, nil, true)
	if err != nil || got != (GetResult{Found: true, Version: 1}) {
		t.Fatalf("GetItem after PutItem: %+v %v, want found at version 1", got, err)
	}
	if got, err := c.GetItem(ctx, plain, Key{PK: []byte("absent")}, nil, true); err != nil || got.Found {
		t.Fatalf("GetItem of an absent key: %+v %v", got, err)
	}
	if err := c.UpdateItem(ctx, plain, k, fields[:1], 1); err != nil {
		t.Fatalf("UpdateItem at the right version: %v", err)
	}
	if err := c.UpdateItem(ctx, plain, k, fields[:1], 1); ErrorType(err) != "ConditionalCheckFailedException" {
		t.Fatalf("UpdateItem at a stale version: %v, want ConditionalCheckFailedException", err)
	}
	if got, err := c.GetItem(ctx, plain, k, nil, true); err != nil || got != (GetResult{Found: true, Version: 2}) {
		t.Fatalf("GetItem after UpdateItem: %+v %v, want version 2", got, err)
	}
	if got, err := c.GetItem(ctx, plain, k, []string{"field0"}, false); err != nil || got != (GetResult{Found: true}) {
		t.Fatalf("GetItem of field0 alone: %+v %v, want found, no version", got, err)
	}
	var batch []Item
	for i := range 20 {
		batch = append(batch, Item{Key: Key{PK: []byte("g"), SK: int64(i)}, Fields: fields})
	}
	if n, err := c.BatchPut(ctx, sorted, batch); err != nil || n != 0 {
		t.Fatalf("BatchPut: %d unprocessed, %v", n, err)
	}
	if n, err := c.Query(ctx, sorted, []byte("g"), 5, 14, 100, nil, true); err != nil || n != 10 {
		t.Fatalf("Query 5..14: %d items, %v; want 10", n, err)
	}
	if n, err := c.Scan(ctx, sorted, Key{PK: []byte("g"), SK: 9}, 100, []string{"field1"}, true); err != nil || n != 10 {
		t.Fatalf("Scan after (g, 9): %d items, %v; want 10 (the table holds only g's 20)", n, err)
	}
	_, err = c.GetItem(ctx, Table{Name: "no-such-table"}, k, nil, false)
	var de *Error
	if !errors.As(err, &de) || de.Type != "ResourceNotFoundException" || de.Status != http.StatusBadRequest {
		t.Fatalf("GetItem of an unknown table: %v, want ResourceNotFoundException (HTTP 400)", err)
	}
	if s := c.wire.stats(); s.Dials != 1 || s.Retries != 0 {
		t.Errorf("one connection should have carried every request in turn: %+v", s)
	}
}

// rawServer is a loopback HTTP/1.1 server that hands each request to a
// script and records how many requests each connection carried, so a
// test sees whether the client reused a connection.
type rawServer struct {
	ln    net.Listener
	reply func(conn, req int) rawReply

	mu      sync.Mutex
	perConn []int
	ended   []bool // the connection's serving goroutine ended (a hung one: the client closed it)
	conns   []net.Conn
}

// rawReply is what the server does for one request.
type rawReply struct {
	data string
	then string // "" keep the connection open, "close", "reset" (RST), "hang" (read no more, answer nothing)
}

func startRaw(t *testing.T, reply func(conn, req int) rawReply) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln, reply: reply}
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			id := len(s.perConn)
			s.perConn = append(s.perConn, 0)
			s.ended = append(s.ended, false)
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go s.serve(c, id)
		}
	}()
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() }

func (s *rawServer) requests() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.perConn...)
}

// waitEnded reports whether connection id's serving ended within d.
func (s *rawServer) waitEnded(id int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		ended := s.ended[id]
		s.mu.Unlock()
		if ended {
			return true
		}
	}
	return false
}

func (s *rawServer) serve(c net.Conn, id int) {
	defer func() {
		c.Close()
		s.mu.Lock()
		s.ended[id] = true
		s.mu.Unlock()
	}()
	r := bufio.NewReader(c)
	for req := 0; ; req++ {
		length := 0
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
			if k, v, ok := bytes.Cut([]byte(line), []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
				length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			}
		}
		if _, err := r.Discard(length); err != nil {
			return
		}
		s.mu.Lock()
		s.perConn[id]++
		s.mu.Unlock()
		rp := s.reply(id, req)
		if _, err := io.WriteString(c, rp.data); err != nil {
			return
		}
		switch rp.then {
		case "close":
			return
		case "reset":
			c.(*net.TCPConn).SetLinger(0)
			return
		case "hang":
			io.Copy(io.Discard, c) // until the client or the cleanup closes it
			return
		}
	}
}

const okReply = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}"

// wireCall makes one PutItem with a bounded context.
func wireCall(t *testing.T, c *Lean) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.PutItem(ctx, Table{Name: "t"}, Item{Key: Key{PK: []byte("k")}})
}

// TestWireReuse: a connection goes back to the pool only when the
// response allows it. The "keep-alive" rows are the control: they show
// that the server's count would reveal a reused connection.
func TestWireReuse(t *testing.T) {
	tests := []struct {
		name     string
		reply    rawReply
		wantErr  bool
		perConn  []int // requests each connection carried
		wantDial int64
	}{
		{"keep-alive (control)", rawReply{data: okReply}, false, []int{3}, 1},
		{"HTTP/1.0 keep-alive (control)", rawReply{data: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}"}, false, []int{3}, 1},
		{"Connection: close", rawReply{data: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"}, false, []int{1, 1, 1}, 3},
		{"HTTP/1.0", rawReply{data: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"}, false, []int{1, 1, 1}, 3},
		{"both Content-Length and chunked", rawReply{data: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"}, false, []int{1, 1, 1}, 3},
		{"malformed response", rawReply{data: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}, true, []int{1, 1, 1}, 3},
		{"extra bytes after the response", rawReply{data: okReply + "HTTP/1.1 200 OK\r\n"}, false, []int{1, 1, 1}, 3},
		{"truncated body, then close", rawReply{data: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", then: "close"}, true, []int{1, 1, 1}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startRaw(t, func(int, int) rawReply { return tt.reply })
			c := newLean(t, LeanOptions{Endpoint: s.url()})
			for i := range 3 {
				if err := wireCall(t, c); (err != nil) != tt.wantErr {
					t.Fatalf("request %d: error %v, want error %v", i, err, tt.wantErr)
				}
			}
			if got := s.requests(); !equalInts(got, tt.perConn) {
				t.Errorf("requests per connection %v, want %v", got, tt.perConn)
			}
			if st := c.wire.stats(); st.Dials != tt.wantDial || st.Retries != 0 {
				t.Errorf("stats %+v, want %d dials and no retry", st, tt.wantDial)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWireServerClosesIdle: a server that closes idle connections sooner
// than the client's idle threshold (net/http's IdleTimeout here, Node's
// 5 s keep-alive timeout with dynalite). The request that finds its
// pooled connection closed is sent again on a new one, once.
func TestWireServerClosesIdle(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "{}")
	}))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	srv.Start()
	defer srv.Close()
	c := newLean(t, LeanOptions{Endpoint: srv.URL, IdleTimeout: time.Hour})
	for i := range 3 {
		if i > 0 {
			time.Sleep(300 * time.Millisecond) // the server closes the connection meanwhile
		}
		if err := wireCall(t, c); err != nil {
			t.Fatalf("request %d after an idle pause: %v", i, err)
		}
	}
	if st := c.wire.stats(); st.Dials != 3 || st.Retries != 2 {
		t.Errorf("stats %+v, want 3 dials and 2 retries (every reuse found the connection closed)", st)
	}
}

// TestWireDropsStaleConnections: a connection idle longer than the
// threshold is closed, not used (no failed attempt, no retry).
func TestWireDropsStaleConnections(t *testing.T) {
	s := startRaw(t, func(int, int) rawReply { return rawReply{data: okReply} })
	var mu sync.Mutex
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := newLean(t, LeanOptions{Endpoint: s.url(), IdleTimeout: 2 * time.Second, Now: clock})
	steps := []struct {
		idle    time.Duration
		perConn []int
	}{
		{0, []int{1}},
		{2 * time.Second, []int{2}},            // at the threshold: reused
		{2001 * time.Millisecond, []int{2, 1}}, // past it: a new connection
		{time.Second, []int{2, 2}},
	}
	for i, st := range steps {
		advance(st.idle)
		if err := wireCall(t, c); err != nil {
			t.Fatal(err)
		}
		if got := s.requests(); !equalInts(got, st.perConn) {
			t.Fatalf("step %d: requests per connection %v, want %v", i, got, st.perConn)
		}
	}
	if st := c.wire.stats(); st.StaleDrops != 1 || st.Retries != 0 {
		t.Errorf("stats %+v, want one stale drop and no retry", st)
	}
}

// TestWireResetMidResponse: a connection reset after part of the response
// is an error, at once, and is not retried (the server may have acted on
// the request).
func TestWireResetMidResponse(t *testing.T) {
	partial := "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Item"
	tests := []struct {
		name  string
		reply func(conn, req int) rawReply
	}{
		{"new connection", func(int, int) rawReply { return rawReply{data: partial, then: "reset"} }},
		{"reused connection", func(_, req int) rawReply {
			if req == 0 {
				return rawReply{data: okReply}
			}
			return rawReply{data: partial, then: "reset"}
		}},
		{"reset in the head", func(int, int) rawReply { return rawReply{data: "HTTP/1.1 200 OK\r\nContent-Le", then: "reset"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startRaw(t, tt.reply)
			c := newLean(t, LeanOptions{Endpoint: s.url()})
			if tt.name == "reused connection" {
				if err := wireCall(t, c); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			err := wireCall(t, c)
			if err == nil || ErrorType(err) != "transport" {
				t.Fatalf("error %v, want a transport error", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if st := c.wire.stats(); st.Retries != 0 {
				t.Errorf("stats %+v: a request whose response had begun was retried", st)
			}
		})
	}
}

// TestWireContext: cancellation and deadline interrupt a request blocked
// on a server that never answers, return the context's error promptly,
// and close the connection.
func TestWireContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startRaw(t, func(_, req int) rawReply {
				if req == 0 {
					return rawReply{data: okReply}
				}
				return rawReply{then: "hang"}
			})
			c := newLean(t, LeanOptions{Endpoint: s.url()})
			if err := wireCall(t, c); err != nil { // a pooled connection, so that the retry path is in play too
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err := c.GetItem(ctx, Table{Name: "t"}, Key{PK: []byte("k")}, nil, false)
			if !errors.Is(err, tt.want) || ErrorType(err) != "context" {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("returned after %v", d)
			}
			if !s.waitEnded(0, 2*time.Second) {
				t.Error("the client did not close the interrupted connection")
			}
			if err := wireCall(t, c); err != nil { // on a new connection, whose first request the server answers
				t.Fatalf("the request after: %v", err)
			}
			if got := s.requests(); len(got) != 2 || got[0] != 2 {
				t.Errorf("requests per connection %v, want [2 1]: the interrupted connection was reused", got)
			}
		})
	}
}

// TestWireChunkedFromNetHTTP: net/http answers a flushed response with
// chunked encoding and trailers; the lean client reads it whole.
func TestWireChunkedFromNetHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Trailer", "X-Done")
		io.WriteString(w, `{"Item":{"key":{"S":"user1"},`)
		w.(http.Flusher).Flush()
		io.WriteString(w, `"ver":{"N":"42"}}}`)
		w.Header().Set("X-Done", "yes")
	}))
	defer srv.Close()
	c := newLean(t, LeanOptions{Endpoint: srv.URL})
	for range 2 {
		got, err := c.GetItem(context.Background(), Table{Name: "t"}, Key{PK: []byte("user1")}, nil, false)
		if err != nil || got != (GetResult{Found: true, Version: 42}) {
			t.Fatalf("GetItem: %+v %v", got, err)
		}
	}
	if st := c.wire.stats(); st.Dials != 1 {
		t.Errorf("stats %+v: a chunked response should leave the connection reusable", st)
	}
}

// TestWireClose: Close closes idle connections, and a client used after
// Close fails instead of dialing.
func TestWireClose(t *testing.T) {
	s := startRaw(t, func(int, int) rawReply { return rawReply{data: okReply} })
	c := newLean(t, LeanOptions{Endpoint: s.url()})
	if err := wireCall(t, c); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := wireCall(t, c); err == nil {
		t.Error("a request after Close succeeded")
	}
	if st := c.wire.stats(); st.Dials != 1 {
		t.Errorf("stats %+v, want no dial after Close", st)
	}
}

// TestLeanTransportChoice: which transport carries an endpoint's requests.
func TestLeanTransportChoice(t *testing.T) {
	tests := []struct {
		name string
		o    LeanOptions
		want string
	}{
		{"http", LeanOptions{Endpoint: "http://127.0.0.1:8000"}, "wire"},
		{"http without port", LeanOptions{Endpoint: "http://localhost"}, "wire"},
		{"https", LeanOptions{Endpoint: "https://dynamodb.us-east-1.amazonaws.com"}, "net/http"},
		{"forced net/http", LeanOptions{Endpoint: "http://127.0.0.1:8000", NetHTTP: true}, "net/http"},
		{"own client", LeanOptions{Endpoint: "http://127.0.0.1:8000", HTTPClient: &http.Client{}}, "net/http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newLean(t, tt.o).Transport(); got != tt.want {
				t.Errorf("transport %s, want %s", got, tt.want)
			}
		})
	}
	if c := newLean(t, LeanOptions{Endpoint: "http://localhost"}); c.wire.o.addr != "localhost:80" {
		t.Errorf("dial address %q, want localhost:80", c.wire.o.addr)
	}
	u, _ := url.Parse("http://db.example:8000/")
	viaProxy := func(*http.Request) (*url.URL, error) { return url.Parse("http://127.0.0.1:3128") }
	direct := func(*http.Request) (*url.URL, error) { return nil, nil }
	if !proxied(u, viaProxy) || proxied(u, direct) {
		t.Error("proxied does not follow the proxy function")
	}
}
