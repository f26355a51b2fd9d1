package driver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"net/http"
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
	HTTPClient  *http.Client
	// Now is the signing clock (time.Now when nil).
	Now func() time.Time
}

// Lean is the hand-built DynamoDB JSON client (see the package doc).
type Lean struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	hc       *http.Client
	signer   *v4.Signer
	now      func() time.Time
	bufs     sync.Pool
}

// NewLean returns a lean client.
func NewLean(o LeanOptions) (*Lean, error) {
	if o.Endpoint == "" || o.Credentials == nil {
		return nil, fmt.Errorf("driver: lean client needs an endpoint and credentials")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = NewHTTPClient(64, 0)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Lean{
		endpoint: strings.TrimRight(o.Endpoint, "/") + "/",
		region:   o.Region,
		creds:    o.Credentials,
		hc:       o.HTTPClient,
		signer:   v4.NewSigner(),
		now:      o.Now,
		bufs:     sync.Pool{New: func() any { return new(buffers) }},
	}, nil
}

type buffers struct {
	req  []byte
	resp bytes.Buffer
}

// Close releases idle connections.
func (c *Lean) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// do sends one operation and returns the response body (valid until the
// buffers go back to the pool) or an *Error.
func (c *Lean) do(ctx context.Context, op string, bufs *buffers) ([]byte, error) {
	body := bufs.req
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("driver: %s: %w", op, err)
	}
	req.ContentLength = int64(len(body))
	h := req.Header
	h["Content-Type"] = []string{"application/x-amz-json-1.0"}
	h["X-Amz-Target"] = []string{"DynamoDB_20120810." + op}
	h["Accept-Encoding"] = []string{"identity"}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("driver: %s: credentials: %w", op, err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "dynamodb", c.region, c.now()); err != nil {
		return nil, fmt.Errorf("driver: %s: sign: %w", op, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("driver: %s: %w", op, err)
	}
	bufs.resp.Reset()
	_, err = bufs.resp.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("driver: %s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, parseError(resp, bufs.resp.Bytes())
	}
	return bufs.resp.Bytes(), nil
}

// parseError decodes DynamoDB's error envelope
// {"__type":"com.amazonaws.dynamodb.v20120810#Type","message":"..."}.
func parseError(resp *http.Response, body []byte) error {
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
		t = resp.Header.Get("X-Amzn-ErrorType")
		if i := strings.IndexByte(t, ':'); i >= 0 {
			t = t[:i]
		}
	}
	if t == "" {
		t = fmt.Sprintf("HTTP%d", resp.StatusCode)
	}
	msg := env.Message
	if msg == "" {
		msg = env.Message2
	}
	if msg == "" && len(body) < 512 {
		msg = string(body)
	}
	return &Error{Type: t, Message: msg, Status: resp.StatusCode}
}

func (c *Lean) get() *buffers { b := c.bufs.Get().(*buffers); b.req = b.req[:0]; return b }
func (c *Lean) put(b *buffers) {
	if b.resp.Cap() > 1<<20 {
		b.resp = bytes.Buffer{}
	}
	c.bufs.Put(b)
}

// GetItem implements Client.
func (c *Lean) GetItem(ctx context.Context, t Table, k Key, fields []string, consistent bool) (GetResult, error) {
	b := c.get()
	defer c.put(b)
	b.req = getItemBody(b.req, t, k, fields, consistent)
	resp, err := c.do(ctx, "GetItem", b)
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
	_, err := c.do(ctx, "PutItem", b)
	return err
}

// UpdateItem implements Client.
func (c *Lean) UpdateItem(ctx context.Context, t Table, k Key, fields []Field, expectVersion int64) error {
	b := c.get()
	defer c.put(b)
	b.req = updateItemBody(b.req, t, k, fields, expectVersion)
	_, err := c.do(ctx, "UpdateItem", b)
	return err
}

// Scan implements Client.
func (c *Lean) Scan(ctx context.Context, t Table, start Key, limit int, fields []string, consistent bool) (int, error) {
	b := c.get()
	defer c.put(b)
	b.req = scanBody(b.req, t, start, limit, fields, consistent)
	resp, err := c.do(ctx, "Scan", b)
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
	resp, err := c.do(ctx, "Query", b)
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
	resp, err := c.do(ctx, "BatchWriteItem", b)
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
