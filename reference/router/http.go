package router

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Internal RPC paths, served on every node's API port.
const (
	ProposePath = "/internal/propose"
	ReadPath    = "/internal/read"
)

// HTTPPeers reaches other nodes with HTTP POSTs of JSON to their internal
// endpoints.
type HTTPPeers struct {
	client *http.Client
	mu     sync.RWMutex
	urls   map[uint64]string
}

// NewHTTPPeers returns peers at the given base URLs (node id -> http://host:port).
func NewHTTPPeers(client *http.Client, urls map[uint64]string) *HTTPPeers {
	if client == nil {
		client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0}}
	}
	h := &HTTPPeers{client: client, urls: map[uint64]string{}}
	for id, u := range urls {
		h.urls[id] = u
	}
	return h
}

// SetURL sets the base URL of node id.
func (h *HTTPPeers) SetURL(id uint64, url string) {
	h.mu.Lock()
	h.urls[id] = url
	h.mu.Unlock()
}

// Propose implements Peers.
func (h *HTTPPeers) Propose(ctx context.Context, node uint64, req ProposeRequest) (ProposeResponse, error) {
	var resp ProposeResponse
	err := h.post(ctx, node, ProposePath, req, &resp)
	return resp, err
}

// Read implements Peers.
func (h *HTTPPeers) Read(ctx context.Context, node uint64, req ReadRequest) (ReadResponse, error) {
	var resp ReadResponse
	err := h.post(ctx, node, ReadPath, req, &resp)
	return resp, err
}

func (h *HTTPPeers) post(ctx context.Context, node uint64, path string, in, out any) error {
	h.mu.RLock()
	base, ok := h.urls[node]
	h.mu.RUnlock()
	if !ok {
		return fmt.Errorf("router: no address for node %d", node)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("router: encode: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hresp, err := h.client.Do(hreq)
	if err != nil {
		return fmt.Errorf("router: node %d: %w", node, err)
	}
	defer hresp.Body.Close()
	b, err := io.ReadAll(hresp.Body)
	if err != nil {
		return fmt.Errorf("router: node %d: read: %w", node, err)
	}
	if hresp.StatusCode != http.StatusOK {
		return fmt.Errorf("router: node %d: %s: %s", node, hresp.Status, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("router: node %d: decode: %w", node, err)
	}
	return nil
}

// Handler serves the internal endpoints of a node over l.
func Handler(l Local) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ProposePath, func(w http.ResponseWriter, r *http.Request) {
		var req ProposeRequest
		if !decodeBody(w, r, &req) {
			return
		}
		writeJSON(w, ServePropose(r.Context(), l, req))
	})
	mux.HandleFunc("POST "+ReadPath, func(w http.ResponseWriter, r *http.Request) {
		var req ReadRequest
		if !decodeBody(w, r, &req) {
			return
		}
		writeJSON(w, ServeRead(r.Context(), l, req))
	})
	return mux
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<20)).Decode(v); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
