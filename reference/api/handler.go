package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/txn"
)

// MaxRequestBytes is the largest request body accepted (16 MB, the size of
// the largest valid BatchWriteItem request).
const MaxRequestBytes = 16 << 20

const targetPrefix = "DynamoDB_20120810."

// Options configure a Handler.
type Options struct {
	// Logger receives internal errors (default slog.Default()).
	Logger *slog.Logger
	// MaxRequestBytes overrides the request size limit.
	MaxRequestBytes int64
	// Now is the clock of transactions, client tokens and TTL (default
	// time.Now).
	Now func() time.Time
	// ItemCollectionLimit caps the bytes of an item collection of tables
	// with local secondary indexes created through this handler (default
	// DynamoDB's 10 GB; small values are for tests).
	ItemCollectionLimit int64
	// Background tunes the background work (transaction recovery, TTL
	// sweeping, index feeding); zero values take defaults.
	Background Background
	// Auth, when set, checks every request's signature (reference/auth's
	// SigV4 Verifier) before anything else looks at it; its errors are
	// returned as they are. Nil accepts any credentials, as DynamoDB Local
	// does.
	Auth Authenticator
}

// Authenticator checks a request's signature over its body.
type Authenticator interface {
	Verify(r *http.Request, body []byte) error
}

// op is one operation: it decodes its own body and returns the response
// (a rawJSON, or a value to marshal with encoding/json).
type op func(ctx context.Context, body []byte) (any, error)

// Handler is the http.Handler of the DynamoDB API over a catalog.
type Handler struct {
	cat     *catalog.Catalog
	log     *slog.Logger
	maxBody int64
	ops     map[string]op
	now     func() time.Time

	txn    *txn.Coordinator
	tokens *txn.Tokens
	bg     *background
	gsi    *gsiStore

	collectionLimit int64
	auth            Authenticator
}

// rawJSON is a response body that is already encoded.
type rawJSON []byte

// New returns a Handler serving the tables of cat.
func New(cat *catalog.Catalog, o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = MaxRequestBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{cat: cat, log: o.Logger, maxBody: o.MaxRequestBytes, now: o.Now,
		gsi: newGSIStore(), collectionLimit: o.ItemCollectionLimit, auth: o.Auth}
	h.txn = txn.New(cat, txn.Options{Now: o.Now, Logger: o.Logger, RecoverAfter: o.Background.TxnRecoverAfter})
	h.tokens = txn.NewTokens(cat, o.Now)
	h.ops = map[string]op{
		"CreateTable":   h.createTable,
		"DescribeTable": h.describeTable,
		"ListTables":    h.listTables,
		"DeleteTable":   h.deleteTable,
		"UpdateTable":   h.updateTable,
		"PutItem":       h.putItem,
		"GetItem":       h.getItem,
		"UpdateItem":    h.updateItem,
		"DeleteItem":    h.deleteItem,
	}
	for name, fn := range h.extraOps() {
		h.ops[name] = fn
	}
	h.startBackground(o.Background)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := requestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	if r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "") {
		// DynamoDB answers a plain GET / with a health line; load balancers
		// and humans use it.
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "healthy: ddbkit reference\n")
		return
	}
	status, body := h.serve(r, reqID)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (h *Handler) serve(r *http.Request, reqID string) (status int, body []byte) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "request_id", reqID, "panic", p, "stack", string(debug.Stack()))
			status, body = encodeError(ddberr.New(ddberr.InternalServer, "Internal server error"))
		}
	}()
	if r.Method != http.MethodPost {
		return encodeError(ddberr.New(ddberr.UnknownOperation, ""))
	}
	var data []byte
	if h.auth != nil {
		// The signature covers the body, and DynamoDB authenticates a
		// request before it looks at what it asks.
		var err error
		if data, err = h.readBody(r); err == nil {
			err = h.auth.Verify(r, data)
		}
		if err != nil {
			return encodeError(err)
		}
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	fn := h.ops[name]
	if !ok || fn == nil {
		return encodeError(ddberr.New(ddberr.UnknownOperation, ""))
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-amz-json-1.") && !strings.HasPrefix(ct, "application/json") {
		return encodeError(ddberr.New(ddberr.UnknownOperation, ""))
	}
	if data == nil {
		var err error
		if data, err = h.readBody(r); err != nil {
			return encodeError(err)
		}
	}
	resp, err := fn(r.Context(), data)
	if err != nil {
		if ddberr.TypeOf(err) == "" {
			h.log.Error("internal error", "op", name, "request_id", reqID, "err", err)
		}
		return encodeError(err)
	}
	switch v := resp.(type) {
	case rawJSON:
		return http.StatusOK, v
	case nil:
		return http.StatusOK, []byte("{}")
	default:
		b, err := json.Marshal(v)
		if err != nil {
			h.log.Error("encode response", "op", name, "err", err)
			return encodeError(err)
		}
		return http.StatusOK, b
	}
}

func tooLarge(limit int64) error {
	return ddberr.Newf("RequestEntityTooLarge", "Request must be smaller than %d bytes for the DynamoDB operation", limit)
}

// decode unmarshals a request body into v, mapping JSON type errors to
// SerializationException as DynamoDB does.
func decode(body []byte, v any) error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var de *ddberr.Error
	if errors.As(err, &de) {
		return de // a validation error from value.Wire
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return ddberr.New(ddberr.Serialization, typeErrorMessage(te))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return ddberr.New(ddberr.Serialization, "Start of structure or map found where not expected")
	}
	if strings.Contains(err.Error(), "base64") || strings.Contains(err.Error(), "illegal") {
		return ddberr.New(ddberr.Serialization, "Base64 encoded length is expected a multiple of 4 bytes but found: "+strconv.Itoa(len(body)%4))
	}
	return ddberr.New(ddberr.Serialization, "Unexpected field type")
}

// typeErrorMessage words a JSON type mismatch as DynamoDB's (Java) decoder
// does: "NUMBER_VALUE cannot be converted to String".
func typeErrorMessage(te *json.UnmarshalTypeError) string {
	target := "String"
	if te.Type != nil {
		switch te.Type.Kind().String() {
		case "bool":
			target = "Boolean"
		case "int", "int64", "int32":
			target = "Long"
		case "slice", "array":
			if te.Type.Elem().Kind().String() == "uint8" {
				return "only base-64-encoded strings are convertible to bytes"
			}
			return "Unexpected field type"
		case "map", "struct":
			return "Unexpected field type"
		}
	}
	switch te.Value {
	case "number":
		return "NUMBER_VALUE cannot be converted to " + target
	case "bool":
		return "TRUE_VALUE cannot be converted to " + target
	case "string":
		return "STRING_VALUE cannot be converted to " + target
	case "array":
		return "Unrecognized collection type class java.lang." + target
	case "object":
		return "Start of structure or map found where not expected"
	}
	return "Unexpected field type"
}

// requestID returns a DynamoDB-style request id (52 upper-case alphanumerics).
func requestID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [52]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// appendAny appends the JSON of an error payload value.
func appendAny(b []byte, v any) []byte {
	enc, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, enc...)
}

// ReadBody reads a request body of at most max bytes (one more byte is read
// to tell a longer one). With a Content-Length it reads into one buffer of
// that size instead of growing one.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= max {
		b := make([]byte, n, n+1)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, err
		}
		// A body longer than its Content-Length is cut by net/http; read
		// nothing more.
		return b, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, max+1))
}

// readBody reads the request body within the size limit (a non-nil slice,
// empty for an empty body).
func (h *Handler) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > h.maxBody {
		return nil, tooLarge(h.maxBody)
	}
	data, err := ReadBody(r, h.maxBody)
	if err != nil {
		return nil, ddberr.New(ddberr.Serialization, "Failed to read the request body")
	}
	if int64(len(data)) > h.maxBody {
		return nil, tooLarge(h.maxBody)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}
