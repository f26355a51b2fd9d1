package fakeddb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a server.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0.
	Addr          string
	Faults        Faults
	Indeterminacy Indeterminacy
	// Seed drives every probabilistic choice.
	Seed   uint64
	Logger *slog.Logger
}

// Server is a running fake endpoint.
type Server struct {
	opts Options
	ln   net.Listener
	hs   *http.Server
	done chan struct{}

	mu     sync.Mutex
	rng    *rand.Rand
	tables map[string]*table
}

type table struct {
	desc  map[string]any
	items map[string]*versions
}

// versions keeps an item's current and previous value (nil: absent), so a
// faulty server can serve the previous one.
type versions struct{ cur, prev item }

// Start listens and serves until Close.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Faults.TornDelay == 0 {
		o.Faults.TornDelay = 2 * time.Millisecond
	}
	if o.Indeterminacy.SlowDelay == 0 {
		o.Indeterminacy.SlowDelay = 300 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("fakeddb: listen: %w", err)
	}
	s := &Server{
		opts:   o,
		ln:     ln,
		done:   make(chan struct{}),
		rng:    rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)),
		tables: map[string]*table{},
	}
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Logger.Error("fakeddb: serve", "err", err)
		}
	}()
	return s, nil
}

// URL is the endpoint URL, http://127.0.0.1:port.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving and closes open connections.
func (s *Server) Close() error {
	err := s.hs.Close()
	<-s.done
	if err != nil {
		return fmt.Errorf("fakeddb: close: %w", err)
	}
	return nil
}

// apiError is a DynamoDB error response.
type apiError struct {
	status int
	typ    string
	msg    string
	// extra fields of the error body (CancellationReasons).
	extra map[string]any
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func validation(format string, args ...any) error {
	return &apiError{status: 400, typ: "ValidationException", msg: fmt.Sprintf(format, args...)}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "DynamoDB_20120810.")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var res any
	if !ok {
		err = &apiError{status: 400, typ: "UnknownOperationException", msg: ""}
	} else {
		res, err = s.handle(op, body)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{status: 500, typ: "InternalServerError", msg: err.Error()}
		}
		body := map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#" + ae.typ,
			"message": ae.msg,
		}
		for k, v := range ae.extra {
			body[k] = v
		}
		b, _ := json.Marshal(body)
		reply(w, ae.status, b)
		return
	}
	b, err := json.Marshal(res)
	if err != nil {
		w.WriteHeader(500)
		return
	}
	reply(w, http.StatusOK, b)
}

// reply writes a body with DynamoDB's X-Amz-Crc32 header (the SDK checks it).
func reply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) handle(op string, body []byte) (any, error) {
	switch op {
	case "CreateTable":
		return s.createTable(body)
	case "DescribeTable":
		return s.describeTable(body)
	case "DeleteTable":
		return s.deleteTable(body)
	case "GetItem":
		return s.getItem(body)
	case "PutItem", "UpdateItem":
		return s.write(op, body)
	case "TransactWriteItems":
		return s.transactWrite(body)
	case "TransactGetItems":
		return s.transactGet(body)
	}
	return nil, &apiError{status: 400, typ: "UnknownOperationException", msg: ""}
}

func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < p
}

// chanceLocked is chance with s.mu held.
func (s *Server) chanceLocked(p float64) bool { return p > 0 && s.rng.Float64() < p }

type tableReq struct {
	TableName            string
	KeySchema            json.RawMessage
	AttributeDefinitions json.RawMessage
}

func (s *Server) createTable(body []byte) (any, error) {
	var req tableReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tables[req.TableName]; ok {
		return nil, &apiError{status: 400, typ: "ResourceInUseException", msg: "Table already exists: " + req.TableName}
	}
	desc := map[string]any{
		"TableName":            req.TableName,
		"TableStatus":          "ACTIVE",
		"KeySchema":            req.KeySchema,
		"AttributeDefinitions": req.AttributeDefinitions,
		"CreationDateTime":     float64(time.Now().Unix()),
	}
	s.tables[req.TableName] = &table{desc: desc, items: map[string]*versions{}}
	return map[string]any{"TableDescription": desc}, nil
}

func (s *Server) lookup(name string) (*table, error) {
	t, ok := s.tables[name]
	if !ok {
		return nil, &apiError{status: 400, typ: "ResourceNotFoundException", msg: "Requested resource not found"}
	}
	return t, nil
}

func (s *Server) describeTable(body []byte) (any, error) {
	var req tableReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(req.TableName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Table": t.desc}, nil
}

func (s *Server) deleteTable(body []byte) (any, error) {
	var req tableReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(req.TableName)
	if err != nil {
		return nil, err
	}
	delete(s.tables, req.TableName)
	return map[string]any{"TableDescription": t.desc}, nil
}

type getReq struct {
	TableName      string
	Key            map[string]wireAttr
	ConsistentRead bool
}

func (s *Server) getItem(body []byte) (any, error) {
	var req getReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	k, err := keyOf(req.Key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(req.TableName)
	if err != nil {
		return nil, err
	}
	v := t.items[k]
	if v == nil {
		return map[string]any{}, nil
	}
	it := v.cur
	p := s.opts.Indeterminacy.StaleEventualReads
	if req.ConsistentRead {
		p = s.opts.Faults.StaleConsistentReads
	}
	if s.chanceLocked(p) {
		it = v.prev
	}
	if it == nil {
		return map[string]any{}, nil
	}
	return map[string]any{"Item": it.wire()}, nil
}
