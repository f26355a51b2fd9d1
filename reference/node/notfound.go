package node

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/ddbkit/ddbkit/reference/api"
)

// freshCatalog wraps the API handler: a request that found no table is
// answered again after this node caught up with the catalog group (a read
// index, then the reconciler), so that a table created through another node
// a moment ago is never reported missing here — as after CreateTable on
// DynamoDB, where the next DescribeTable finds the table. Repeating such a
// request is safe: a request on a missing table changed nothing.
//
// Only answers with status 400 (where ResourceNotFoundException lives) are
// held back to be inspected; every other answer streams straight to the
// client, so the hot path copies no response.
type freshCatalog struct {
	h http.Handler
	// sync returns once the local catalog shows every committed change
	// (Node.syncCatalog).
	sync func(ctx context.Context) error
}

func (f freshCatalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.h.ServeHTTP(w, r)
		return
	}
	body, err := api.ReadBody(r, api.MaxRequestBytes)
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	hw := &holdBadRequest{w: w, header: http.Header{}}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	f.h.ServeHTTP(hw, r)
	if !hw.held {
		return // already sent
	}
	if bytes.Contains(hw.body.Bytes(), []byte("ResourceNotFoundException")) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := f.sync(ctx)
		cancel()
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			f.h.ServeHTTP(w, r) // the final answer, whatever it is
			return
		}
	}
	hw.flush()
}

// holdBadRequest is a ResponseWriter that passes an answer through to w,
// unless its status is 400 Bad Request: then it keeps the header and body
// until flush.
type holdBadRequest struct {
	w      http.ResponseWriter
	header http.Header
	code   int // 0 until the status is known
	held   bool
	body   bytes.Buffer
}

func (h *holdBadRequest) Header() http.Header { return h.header }

func (h *holdBadRequest) WriteHeader(code int) {
	if h.code != 0 {
		return
	}
	h.code = code
	if code == http.StatusBadRequest {
		h.held = true
		return
	}
	dst := h.w.Header()
	for k, v := range h.header {
		dst[k] = v
	}
	h.w.WriteHeader(code)
}

func (h *holdBadRequest) Write(b []byte) (int, error) {
	if h.code == 0 {
		h.WriteHeader(http.StatusOK)
	}
	if h.held {
		return h.body.Write(b)
	}
	return h.w.Write(b)
}

// flush sends a held answer.
func (h *holdBadRequest) flush() {
	dst := h.w.Header()
	for k, v := range h.header {
		dst[k] = v
	}
	h.w.WriteHeader(h.code)
	_, _ = h.w.Write(h.body.Bytes())
}

// syncCatalog returns once the local catalog reflects every catalog change
// committed before the call.
func (n *Node) syncCatalog(ctx context.Context) error {
	if err := n.metaRep.Sync(ctx); err != nil {
		return err
	}
	target := n.meta.appliedIndex()
	n.poke()
	for n.reconciledAt.Load() < target {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}
