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
	"github.com/ddbkit/ddbkit/reference/cluster"
	"github.com/ddbkit/ddbkit/reference/node"
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
	// FsyncHoldsP, for a replicated durable engine, makes each node's WAL
	// fsync keep its Go scheduler slot (storage.Options.SyncHoldsP); the
	// process should have one more P per node. `ddbkit serve` sets both.
	FsyncHoldsP bool
	// Partitions is the number of partitions per new table (default 4).
	Partitions int
	// Logger for internal errors (default slog.Default()).
	Logger *slog.Logger

	// Nodes >= 3 runs the replicated engine as an in-process cluster of that
	// many nodes in zones az1..az3 (DataDir holds one directory per node;
	// empty means in-memory disks). 0 or 1 is the single-node engine.
	Nodes int
	// Seed makes the cluster's random choices reproducible.
	Seed uint64
	// NodeID, with Peers, runs ONE node of a multi-process cluster (raft over
	// TCP, see Peer); Addr defaults to the node's API address.
	NodeID uint64
	Peers  []Peer
	// Unsafe turns on deliberately wrong engine modes, for jepsen's negative
	// controls only (replicated engine).
	Unsafe node.Unsafe
	// SplitBytes splits a replicated partition whose data outgrows it (0:
	// never).
	SplitBytes int64
	// SplitLoad splits a replicated partition whose leader serves more
	// than this many requests per second throughout SplitLoadWindow (0:
	// never; the window is 10s when zero).
	SplitLoad       float64
	SplitLoadWindow time.Duration
	// Join makes the node of a multi-process cluster (NodeID) one added to
	// a running cluster: Peers lists the founders and this node; the node
	// records its own membership and replicas move to it.
	Join bool
	// Auth checks the SigV4 signature of every request (reference/auth's
	// Verifier; `ddbkit serve --auth FILE`); nil accepts any credentials,
	// as DynamoDB Local does.
	Auth api.Authenticator
	// ItemCollectionLimit caps item collections of tables with local
	// indexes (0: DynamoDB's 10 GB; small values are for tests).
	ItemCollectionLimit int64
}

const defaultAddr = "127.0.0.1:8000"

// Server is a running reference engine.
type Server struct {
	ln      net.Listener
	http    *http.Server
	cat     *catalog.Catalog
	durable *durable
	served  chan error
	handler *api.Handler     // single-node engine only
	cluster *cluster.Cluster // Nodes >= 3
	node    *node.Node       // one node of a multi-process cluster
	url     string

	closeOnce sync.Once
	closeErr  error
}

// Start builds the engine and starts serving. The context bounds start-up
// only; call Close to stop.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = defaultAddr
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	switch {
	case o.NodeID != 0:
		return startNodeProcess(ctx, o)
	case o.Nodes >= 3:
		return startCluster(ctx, o)
	case o.Nodes == 2:
		return nil, fmt.Errorf("server: a cluster needs at least 3 nodes (one per zone), got 2")
	case o.Unsafe.Any():
		return nil, fmt.Errorf("server: unsafe modes need the replicated engine (Nodes >= 3)")
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
	s.handler = api.New(s.cat, api.Options{Logger: o.Logger, Auth: o.Auth, ItemCollectionLimit: o.ItemCollectionLimit})
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

// URL returns the endpoint URL, e.g. http://127.0.0.1:8000.
func (s *Server) URL() string {
	if s.url != "" {
		return s.url
	}
	return "http://" + s.ln.Addr().String()
}

// Addr returns the listener's address.
func (s *Server) Addr() net.Addr {
	if s.cluster != nil {
		return s.cluster.Addr()
	}
	return s.ln.Addr()
}

// Catalog returns the engine's catalog (for tests and admin tools); for a
// cluster, node 1's (or this node's) copy.
func (s *Server) Catalog() *catalog.Catalog {
	switch {
	case s.cluster != nil:
		if n := s.cluster.Node(1); n != nil {
			return n.Catalog()
		}
		return nil
	case s.node != nil:
		return s.node.Catalog()
	}
	return s.cat
}

// Close stops accepting requests, waits briefly for in-flight ones, and
// closes the durable log.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	if s.cluster != nil {
		return s.cluster.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serr := <-s.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if s.handler != nil {
		// Stop the background passes (TTL sweeper, transaction recovery)
		// before the log they write to closes.
		if herr := s.handler.Close(); herr != nil && err == nil {
			err = herr
		}
	}
	if derr := s.closeDurable(); derr != nil && err == nil {
		err = derr
	}
	if s.node != nil {
		if nerr := s.node.Close(); nerr != nil && err == nil {
			err = nerr
		}
	}
	return err
}

func (s *Server) closeDurable() error {
	if s.durable == nil {
		return nil
	}
	return s.durable.close()
}
