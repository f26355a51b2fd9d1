package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ddbkit/ddbkit/reference/api"
	"github.com/ddbkit/ddbkit/reference/catalog"
)

// Options configure a server.
type Options struct {
	// Addr is the listen address (default 127.0.0.1:8000; port 0 picks a
	// free port).
	Addr string
	// DataDir makes the engine durable in that directory; empty means in
	// memory only.
	DataDir string
	// NoFsync, for a durable engine, skips syncing the log before
	// acknowledging writes: only for benchmarks that say so.
	NoFsync bool
	// Partitions is the number of partitions per new table (default 4).
	Partitions int
	// Logger for internal errors (default slog.Default()).
	Logger *slog.Logger
}

// Server is a running reference engine.
type Server struct {
	ln      net.Listener
	http    *http.Server
	cat     *catalog.Catalog
	durable *durable
	served  chan error

	closeOnce sync.Once
	closeErr  error
}

// Start builds the engine and starts serving. The context bounds start-up
// only; call Close to stop.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:8000"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Server{served: make(chan error, 1)}
	copts := catalog.Options{Partitions: o.Partitions}
	if o.DataDir != "" {
		d, err := openDurable(o.DataDir, !o.NoFsync, &copts)
		if err != nil {
			return nil, err
		}
		s.durable = d
		s.cat = d.cat
	} else {
		s.cat = catalog.New(copts)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Addr)
	if err != nil {
		s.closeDurable()
		return nil, fmt.Errorf("server: listen %s: %w", o.Addr, err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           api.New(s.cat, api.Options{Logger: o.Logger}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

// URL returns the endpoint URL, e.g. http://127.0.0.1:8000.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Addr returns the listener's address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Catalog returns the engine's catalog (for tests and admin tools).
func (s *Server) Catalog() *catalog.Catalog { return s.cat }

// Close stops accepting requests, waits briefly for in-flight ones, and
// closes the durable log.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serr := <-s.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if derr := s.closeDurable(); derr != nil && err == nil {
		err = derr
	}
	return err
}

func (s *Server) closeDurable() error {
	if s.durable == nil {
		return nil
	}
	return s.durable.close()
}
