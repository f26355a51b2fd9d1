package node

import (
	"context"
	"net/http"
	"time"
)

// joinGate holds back the API of a node that joined a running cluster
// until its catalog has caught up once: before that its catalog may not
// know tables that exist, and a ResourceNotFoundException would be a wrong
// answer. Meanwhile it answers InternalServerError, which clients retry
// (another node, or this one a moment later).
type joinGate struct {
	n *Node
	h http.Handler
}

func (g joinGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.n.caughtUp.Load() {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := g.n.syncCatalog(ctx)
		cancel()
		if err != nil {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",` +
				`"message":"Internal server error (this node is joining the cluster)"}`))
			return
		}
		g.n.caughtUp.Store(true)
	}
	g.h.ServeHTTP(w, r)
}
