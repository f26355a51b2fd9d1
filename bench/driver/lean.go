package driver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// LeanOptions configure a Lean client.
type LeanOptions struct {
	Endpoint    string // e.g. http://127.0.0.1:8000, or https://dynamodb.us-east-1.amazonaws.com
	Region      string
	Credentials aws.CredentialsProvider
	// HTTPClient, when set, carries every request (net/http).
	HTTPClient *http.Client
	// NetHTTP sends requests through net/http (NewHTTPClient) even where
	// the wire transport would: http:// endpoints without a proxy.
	NetHTTP bool
	// Conns is how many keep-alive connections the pool keeps ready
	// (64 when 0); the pool keeps up to twice as many idle.
	Conns int
	// IdleTimeout: the wire transport closes a pooled connection idle
	// longer than this instead of sending a request on it (2 s when 0;
	// below Node's 5 s keep-alive timeout, dynalite's server).
	IdleTimeout time.Duration
	// MaxResponseBytes bounds a response body (64 MiB when 0).
	MaxResponseBytes int
	// Now is the clock for signing and for the wire transport's idle
	// check (time.Now when nil).
	Now func() time.Time
}

// Lean is the hand-built DynamoDB JSON client (see the package doc).
type Lean struct {
	url      *url.URL // the endpoint, parsed once
	endpoint string   // and as a string, for net/http
	reqURI   string   // the request line's target, e.g. "/"
	region   string
	creds    aws.CredentialsProvider
	signer   *v4.Signer
	now      func() time.Time
	maxBody  int
	bufs     sync.Pool

	// Exactly one of these carries the requests.
	hc   *http.Client
	wire *wirePool
}

// NewLean returns a lean client.
func NewLean(o LeanOptions) (*Lean, error) {
	if o.Endpoint == "" || o.Credentials == nil {
		return nil, fmt.Errorf("driver: lean client needs an endpoint and credentials")
	}
	u, err := url.Parse(strings.TrimRight(o.Endpoint, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("driver: endpoint %q: %w", o.Endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("driver: endpoint %q: want http://host[:port] or https://host[:port]", o.Endpoint)
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Conns <= 0 {
		o.Conns = 64
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 64 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Lean{
		url:      u,
		endpoint: u.String(),
		reqURI:   u.RequestURI(),
		region:   o.Region,
		creds:    o.Credentials,
		signer:   v4.NewSigner(),
		now:      o.Now,
		maxBody:  o.MaxResponseBytes,
	}
	c.bufs = sync.Pool{New: func() any { return c.newBuffers() }}
	switch {
	case o.HTTPClient != nil:
		c.hc = o.HTTPClient
	case o.NetHTTP || u.Scheme != "http" || proxied(u, http.ProxyFromEnvironment):
		c.hc = NewHTTPClient(o.Conns, 0)
	default:
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "80")
		}
		c.wire = newWirePool(wireOptions{
			addr:        addr,
			maxIdle:     2 * o.Conns,
			idleTimeout: o.IdleTimeout,
			limits:      responseLimits{maxHead: 64 << 10, maxBody: o.MaxResponseBytes},
			now:         o.Now,
		})
	}
	return c, nil
}

// proxied reports whether the environment sends requests to u through a
// proxy (HTTP_PROXY, NO_PROXY; loopback never is). The wire transport
// speaks to the endpoint directly, so a proxied endpoint keeps net/http.
func proxied(u *url.URL, proxy func(*http.Request) (*url.URL, error)) bool {
	p, err := proxy(&http.Request{URL: u})
	return err != nil || p != nil
}

// Transport names what carries the requests: "wire" or "net/http".
func (c *Lean) Transport() string {
	if c.wire != nil {
		return "wire"
	}
	return "net/http"
}

// buffers are one request's reusable memory.
type buffers struct {
	req  []byte // the JSON body
	resp []byte // the response body
	// The wire transport's: the request the signer signs (its Header
	// map and URL reused), and the bytes written.
	sreq *http.Request
	surl url.URL
	msg  []byte
}

func (c *Lean) newBuffers() *buffers {
	b := new(buffers)
	if c.wire != nil {
		b.sreq = &http.Request{
			Method: http.MethodPost, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{
				"Content-Type":    {"application/x-amz-json-1.0"},
				"Accept-Encoding": {"identity"},
			},
		}
	}
	return b
}

// Close closes the idle connections; with the wire transport, busy ones
// close when their request ends.
func (c *Lean) Close() error {
	if c.wire != nil {
		c.wire.close()
		return nil
	}
	c.hc.CloseIdleConnections()
	return nil
}

// X-Amz-Target of each operation.
const (
	targetPrefix      = "DynamoDB_20120810."
	targetGetItem     = targetPrefix + "GetItem"
	targetPutItem     = targetPrefix + "PutItem"
	targetUpdateItem  = targetPrefix + "UpdateItem"
	targetScan        = targetPrefix + "Scan"
	targetQuery       = targetPrefix + "Query"
	targetBatchWrite  = targetPrefix + "BatchWriteItem"
	leanUserAgent     = "ddbkit-bench-lean"
	amzJSONContentTyp = "application/x-amz-json-1.0"
)

// do sends one operation (target is its X-Amz-Target) and returns the
// response body (valid until the buffers go back to the pool) or an
// *Error.
func (c *Lean) do(ctx context.Context, target string, bufs *buffers) ([]byte, error) {
	op := target[len(targetPrefix):]
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("driver: %s: credentials: %w", op, err)
	}
	sum := sha256.Sum256(bufs.req)
	payloadHash := hex.EncodeToString(sum[:])
	if c.wire != nil {
		body, err := c.doWire(ctx, target, creds, payloadHash, bufs)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, err
			}
			return nil, fmt.Errorf("driver: %s: %w", op, err)
		}
		return body, nil
	}
	body := bufs.req
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("driver: %s: %w", op, err)
	}
	req.ContentLength = int64(len(body))
	h := req.Header
	h["Content-Type"] = []string{amzJSONContentTyp}
	h["X-Amz-Target"] = []string{target}
	h["Accept-Encoding"] = []string{"identity"}
	if err := c.signer.SignHTTP(ctx, creds, req, payloadHash, "dynamodb", c.region, c.now()); err != nil {
		return nil, fmt.Errorf("driver: %s: sign: %w", op, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("driver: %s: %w", op, err)
	}
	bufs.resp, err = readToEOF(resp.Body, bufs.resp[:0], c.maxBody)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("driver: %s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, parseError(resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), bufs.resp)
	}
	return bufs.resp, nil
}

// doWire signs the request with the SDK's signer, writes its head (every
// header the signer saw, plus Host, Content-Length and User-Agent) and
// body as one message, and sends it on the wire transport.
func (c *Lean) doWire(ctx context.Context, target string, creds aws.Credentials, payloadHash string, bufs *buffers) ([]byte, error) {
	r := bufs.sreq
	bufs.surl = *c.url // the signer rewrites RawQuery
	r.URL, r.Host, r.ContentLength = &bufs.surl, c.url.Host, int64(len(bufs.req))
	h := r.Header
	h["X-Amz-Target"] = append(h["X-Amz-Target"][:0], target)
	delete(h, "X-Amz-Security-Token") // set again if these credentials have one
	if err := c.signer.SignHTTP(ctx, creds, r, payloadHash, "dynamodb", c.region, c.now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	msg := append(bufs.msg[:0], "POST "...)
	msg = append(msg, c.reqURI...)
	msg = append(msg, " HTTP/1.1\r\n"...)
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	var err error
	if msg, err = appendHeader(msg, "Host", host); err != nil {
		return nil, err
	}
	for k, vs := range h {
		for _, v := range vs {
			if msg, err = appendHeader(msg, k, v); err != nil {
				return nil, err
			}
		}
	}
	msg = appendContentLength(msg, len(bufs.req))
	msg = append(msg, "User-Agent: "+leanUserAgent+"\r\n\r\n"...)
	msg = append(msg, bufs.req...)
	bufs.msg = msg
	resp, body, err := c.wire.roundTrip(ctx, msg, bufs.resp)
	bufs.resp = body
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, parseError(resp.status, resp.errorType, body)
	}
	return body, nil
}

// parseError decodes DynamoDB's error envelope
// {"__type":"com.amazonaws.dynamodb.v20120810#Type","message":"..."};
// errorType is the X-Amzn-ErrorType header, used when the body has none.
func parseError(status int, errorType string, body []byte) error {
	var env struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	_ = json.Unmarshal(body, &env) // an undecodable body still yields an *Error
	t := env.Type
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		t = t[i+1:]
	}
	if t == "" {
		t = errorType
		if i := strings.IndexByte(t, ':'); i >= 0 {
			t = t[:i]
		}
	}
	if t == "" {
		t = fmt.Sprintf("HTTP%d", status)
	}
	msg := env.Message
	if msg == "" {
		msg = env.Message2
	}
	if msg == "" && len(body) < 512 {
		msg = string(body)
	}
	return &Error{Type: t, Message: msg, Status: status}
}

func (c *Lean) get() *buffers { b := c.bufs.Get().(*buffers); b.req = b.req[:0]; return b }
func (c *Lean) put(b *buffers) {
	if cap(b.resp) > 1<<20 {
		b.resp = nil
	}
	if cap(b.msg) > 1<<20 || cap(b.req) > 1<<20 {
		b.msg, b.req = nil, nil
	}
	c.bufs.Put(b)
}

// GetItem implements Client.
func (c *Lean) GetItem(ctx context.Context, t Table, k Key, fields []string, consistent bool) (GetResult, error) {
	b := c.get()
	defer c.put(b)
	b.req = getItemBody(b.req, t, k, fields, consistent)
	resp, err := c.do(ctx, targetGetItem, b)
	if err != nil {
		return GetResult{}, err
	}
	return GetResult{Found: bytes.Contains(resp, []byte(`"Item"`)), Version: findNumber(resp, `"`+AttrVersion+`":{"N":"`)}, nil
}

// PutItem implements Client.
func (c *Lean) PutItem(ctx context.Context, t Table, it Item) error {
	b := c.get()
	defer c.put(b)
	b.req = putItemBody(b.req, t, it)
	_, err := c.do(ctx, targetPutItem, b)
	return err
}

// UpdateItem implements Client.
func (c *Lean) UpdateItem(ctx context.Context, t Table, k Key, fields []Field, expectVersion int64) error {
	b := c.get()
	defer c.put(b)
	b.req = updateItemBody(b.req, t, k, fields, expectVersion)
	_, err := c.do(ctx, targetUpdateItem, b)
	return err
}

// Scan implements Client.
func (c *Lean) Scan(ctx context.Context, t Table, start Key, limit int, fields []string, consistent bool) (int, error) {
	b := c.get()
	defer c.put(b)
	b.req = scanBody(b.req, t, start, limit, fields, consistent)
	resp, err := c.do(ctx, targetScan, b)
	if err != nil {
		return 0, err
	}
	return int(findInt(resp, `"Count":`)), nil
}

// Query implements Client.
func (c *Lean) Query(ctx context.Context, t Table, pk []byte, lo, hi int64, limit int, fields []string, consistent bool) (int, error) {
	b := c.get()
	defer c.put(b)
	b.req = queryBody(b.req, t, pk, lo, hi, limit, fields, consistent)
	resp, err := c.do(ctx, targetQuery, b)
	if err != nil {
		return 0, err
	}
	return int(findInt(resp, `"Count":`)), nil
}

// BatchPut implements Client.
func (c *Lean) BatchPut(ctx context.Context, t Table, items []Item) (int, error) {
	b := c.get()
	defer c.put(b)
	b.req = batchPutBody(b.req, t, items)
	resp, err := c.do(ctx, targetBatchWrite, b)
	if err != nil {
		return 0, err
	}
	i := bytes.Index(resp, []byte(`"UnprocessedItems"`))
	if i < 0 {
		return 0, nil
	}
	return bytes.Count(resp[i:], []byte(`"PutRequest"`)), nil
}

// findNumber returns the decimal integer after marker (the value of a
// {"N":"..."} whose attribute name is in marker), 0 if absent. Attribute
// values are JSON strings with quotes escaped, so marker cannot occur
// inside one.
func findNumber(body []byte, marker string) int64 {
	return findInt(body, marker)
}

// findInt parses the digits after the first occurrence of marker.
func findInt(body []byte, marker string) int64 {
	i := bytes.Index(body, []byte(marker))
	if i < 0 {
		return 0
	}
	var n int64
	for _, c := range body[i+len(marker):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

var _ Client = (*Lean)(nil)
