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
type freshCatalog struct {
	n *Node
	h http.Handler
}

func (f freshCatalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.h.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, api.MaxRequestBytes+1))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	rec := &recorder{header: http.Header{}}
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.h.ServeHTTP(rec, r)
	if rec.code == http.StatusBadRequest && bytes.Contains(rec.body.Bytes(), []byte("ResourceNotFoundException")) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := f.n.syncCatalog(ctx)
		cancel()
		if err == nil {
			rec = &recorder{header: http.Header{}}
			r.Body = io.NopCloser(bytes.NewReader(body))
			f.h.ServeHTTP(rec, r)
		}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(rec.body.Bytes())
}

// recorder buffers a response.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
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
