package driver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// captured is one request as the server saw it.
type captured struct {
	header http.Header
	host   string
	body   []byte
}

// recorder is an endpoint that records requests and answers with a canned
// body per operation.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, captured{header: r.Header.Clone(), host: r.Host, body: body})
	rc.mu.Unlock()
	w = crcWriter(w)
	defer w.(*crcResponse).flush()
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810."); op {
	case "GetItem":
		io.WriteString(w, `{"Item":{"key":{"S":"user1"},"ver":{"N":"7"},"field0":{"S":"x"}}}`)
	case "Scan", "Query":
		io.WriteString(w, `{"Count":3,"Items":[{},{},{}],"ScannedCount":3}`)
	case "BatchWriteItem":
		io.WriteString(w, `{"UnprocessedItems":{"usertable":[{"PutRequest":{"Item":{"key":{"S":"a"}}}}]}}`)
	case "UpdateItem":
		if bytes.Contains(body, []byte(":seen")) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`)
			return
		}
		io.WriteString(w, `{}`)
	default:
		io.WriteString(w, `{}`)
	}
}

func (rc *recorder) take() []captured {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	r := rc.reqs
	rc.reqs = nil
	return r
}

const testAK, testSK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

// clients are the three clients of one endpoint.
type clients struct {
	wire    *Lean // lean over the wire transport
	nethttp *Lean // lean over net/http
	sdk     *SDK
}

// leans names the lean clients for table-driven tests.
func (cs clients) leans() []struct {
	name string
	c    *Lean
} {
	return []struct {
		name string
		c    *Lean
	}{{"lean-wire", cs.wire}, {"lean-nethttp", cs.nethttp}}
}

func newLean(t testing.TB, o LeanOptions) *Lean {
	t.Helper()
	if o.Credentials == nil {
		o.Credentials = credentials.NewStaticCredentialsProvider(testAK, testSK, "")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Conns == 0 {
		o.Conns = 16
	}
	c, err := NewLean(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func newClients(t testing.TB, url string) clients {
	t.Helper()
	wire := newLean(t, LeanOptions{Endpoint: url})
	nethttp := newLean(t, LeanOptions{Endpoint: url, NetHTTP: true})
	if wire.Transport() != "wire" || nethttp.Transport() != "net/http" {
		t.Fatalf("transports: %s and %s, want wire and net/http", wire.Transport(), nethttp.Transport())
	}
	e := Endpoint{URL: url, AccessKeyID: testAK, SecretAccessKey: testSK, Conns: 16}
	cfg, err := AWSConfig(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return clients{wire: wire, nethttp: nethttp, sdk: NewSDK(DynamoDB(cfg, e))}
}

var authRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$`)

// checkSignature recomputes the SigV4 signature of a received request
// from the headers it says it signed, the body and the secret key.
func checkSignature(c captured) error {
	auth := c.header.Get("Authorization")
	m := authRE.FindStringSubmatch(auth)
	if m == nil {
		return fmt.Errorf("Authorization %q is not SigV4", auth)
	}
	if m[1] != testAK || m[3] != "us-east-1" || m[4] != "dynamodb" {
		return fmt.Errorf("credential scope in %q", auth)
	}
	when, err := time.Parse("20060102T150405Z", c.header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %w", err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.host+"/", bytes.NewReader(c.body))
	for _, h := range strings.Split(m[5], ";") {
		switch h {
		case "host", "content-length", "x-amz-date":
		default:
			req.Header[http.CanonicalHeaderKey(h)] = c.header.Values(h)
		}
	}
	sum := sha256.Sum256(c.body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK},
		req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", when)
	if err != nil {
		return err
	}
	if got := req.Header.Get("Authorization"); got != auth {
		return fmt.Errorf("signature does not verify:\n sent     %s\n expected %s", auth, got)
	}
	return nil
}

// TestLeanSendsWhatTheSDKSends runs each operation through both clients
// against a recording endpoint and compares what arrived.
func TestLeanSendsWhatTheSDKSends(t *testing.T) {
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	cs := newClients(t, srv.URL)
	ctx := context.Background()
	plain := Table{Name: "usertable"}
	sorted := Table{Name: "q", SortKey: true}
	k := Key{PK: []byte("user6284781860667377211"), SK: 42}
	fields := []Field{{"field0", []byte("abc\"\\\n\x01é")}, {"field1", []byte("xyz")}}
	tests := []struct {
		name string
		call func(c Client) (any, error)
	}{
		{"GetItem", func(c Client) (any, error) { return c.GetItem(ctx, plain, k, nil, false) }},
		{"GetItem projection consistent", func(c Client) (any, error) {
			return c.GetItem(ctx, sorted, k, []string{"field3", "field7"}, true)
		}},
		{"PutItem", func(c Client) (any, error) { return nil, c.PutItem(ctx, plain, Item{Key: k, Fields: fields}) }},
		{"PutItem versioned", func(c Client) (any, error) {
			return nil, c.PutItem(ctx, sorted, Item{Key: k, Fields: fields, Version: 1})
		}},
		{"UpdateItem", func(c Client) (any, error) { return nil, c.UpdateItem(ctx, plain, k, fields[:1], NoCondition) }},
		{"UpdateItem if absent", func(c Client) (any, error) { return nil, c.UpdateItem(ctx, plain, k, fields, 0) }},
		{"UpdateItem conditional fails", func(c Client) (any, error) {
			err := c.UpdateItem(ctx, plain, k, fields[1:], 5)
			return ErrorType(err), nil
		}},
		{"Scan", func(c Client) (any, error) { return c.Scan(ctx, plain, k, 17, nil, false) }},
		{"Query", func(c Client) (any, error) { return c.Query(ctx, sorted, k.PK, 3, 9, 7, []string{"field1"}, true) }},
		{"BatchWriteItem", func(c Client) (any, error) {
			return c.BatchPut(ctx, plain, []Item{{Key: k, Fields: fields}, {Key: Key{PK: []byte("b")}, Fields: fields[:1]}})
		}},
	}
	for _, lean := range cs.leans() {
		for _, tt := range tests {
			t.Run(lean.name+"/"+tt.name, func(t *testing.T) {
				compareRequests(t, rc, func() (any, error) { return tt.call(cs.sdk) }, func() (any, error) { return tt.call(lean.c) })
			})
		}
	}
}

// compareRequests makes one call with the SDK and one with a lean client
// and compares their results and what reached the recorder.
func compareRequests(t *testing.T, rc *recorder, sdkCall, leanCall func() (any, error)) {
	t.Helper()
	gotSDK, errSDK := sdkCall()
	fromSDK := rc.take()
	gotLean, errLean := leanCall()
	fromLean := rc.take()
	if (errSDK == nil) != (errLean == nil) || !reflect.DeepEqual(gotSDK, gotLean) {
		t.Errorf("results differ: sdk %v %v, lean %v %v", gotSDK, errSDK, gotLean, errLean)
	}
	if len(fromSDK) != 1 || len(fromLean) != 1 {
		t.Fatalf("requests: sdk %d lean %d, want 1 each", len(fromSDK), len(fromLean))
	}
	s, l := fromSDK[0], fromLean[0]
	for _, h := range []string{"X-Amz-Target", "Content-Type", "Accept-Encoding", "X-Amz-Security-Token"} {
		if s.header.Get(h) != l.header.Get(h) {
			t.Errorf("%s: sdk %q lean %q", h, s.header.Get(h), l.header.Get(h))
		}
	}
	var bs, bl any
	if err := json.Unmarshal(s.body, &bs); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(l.body, &bl); err != nil {
		t.Fatalf("lean body is not JSON: %v\n%s", err, l.body)
	}
	if !reflect.DeepEqual(bs, bl) {
		t.Errorf("bodies differ:\n sdk  %s\n lean %s", s.body, l.body)
	}
	if err := checkSignature(s); err != nil { // the verifier accepts the SDK's own signature...
		t.Errorf("sdk: %v", err)
	}
	if err := checkSignature(l); err != nil { // ...and the lean client's
		t.Errorf("lean: %v", err)
	}
	if l.host != s.host {
		t.Errorf("Host: sdk %q lean %q", s.host, l.host)
	}
}

// TestLeanSendsTheSessionToken: temporary credentials' token is sent and
// signed as the SDK does, and a client reusing its header map drops it
// when the credentials no longer have one.
func TestLeanSendsTheSessionToken(t *testing.T) {
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	creds := &switchingCreds{token: "FwoGZXIvYXdzEXAMPLETOKEN"}
	e := Endpoint{URL: srv.URL, AccessKeyID: testAK, SecretAccessKey: testSK, SessionToken: creds.token, Conns: 4}
	cfg, err := AWSConfig(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	sdk := NewSDK(DynamoDB(cfg, e))
	tbl := Table{Name: "usertable"}
	it := Item{Key: Key{PK: []byte("k")}, Fields: []Field{{"field0", []byte("v")}}}
	for _, netHTTP := range []bool{false, true} {
		lean := newLean(t, LeanOptions{Endpoint: srv.URL, Credentials: creds, NetHTTP: netHTTP})
		t.Run(lean.Transport(), func(t *testing.T) {
			creds.set("FwoGZXIvYXdzEXAMPLETOKEN")
			compareRequests(t, rc, func() (any, error) { return nil, sdk.PutItem(context.Background(), tbl, it) },
				func() (any, error) { return nil, lean.PutItem(context.Background(), tbl, it) })
			creds.set("")
			if err := lean.PutItem(context.Background(), tbl, it); err != nil {
				t.Fatal(err)
			}
			got := rc.take()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			if tok, ok := got[0].header["X-Amz-Security-Token"]; ok {
				t.Errorf("credentials without a token sent X-Amz-Security-Token %q", tok)
			}
			if err := checkSignature(got[0]); err != nil {
				t.Error(err)
			}
		})
	}
}

// switchingCreds are static credentials whose session token a test can
// change.
type switchingCreds struct {
	mu    sync.Mutex
	token string
}

func (s *switchingCreds) set(tok string) { s.mu.Lock(); s.token = tok; s.mu.Unlock() }

func (s *switchingCreds) Retrieve(context.Context) (aws.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK, SessionToken: s.token}, nil
}

// TestSignatureVerifierRejectsTampering is the verifier's negative control.
func TestSignatureVerifierRejectsTampering(t *testing.T) {
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	lean := newClients(t, srv.URL).wire
	if err := lean.PutItem(context.Background(), Table{Name: "t"}, Item{Key: Key{PK: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	c := rc.take()[0]
	if err := checkSignature(c); err != nil {
		t.Fatalf("untampered request: %v", err)
	}
	c.body = bytes.Replace(c.body, []byte(`"a"`), []byte(`"b"`), 1)
	if err := checkSignature(c); err == nil {
		t.Error("a tampered body still verified")
	}
}

func TestErrorEnvelope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = crcWriter(w)
		defer w.(*crcResponse).flush()
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`)
	}))
	defer srv.Close()
	cs := newClients(t, srv.URL)
	for name, c := range map[string]Client{"lean-wire": cs.wire, "lean-nethttp": cs.nethttp, "sdk": cs.sdk} {
		_, err := c.GetItem(context.Background(), Table{Name: "t"}, Key{PK: []byte("a")}, nil, false)
		if typ := ErrorType(err); typ != "ProvisionedThroughputExceededException" || !IsThrottle(typ) {
			t.Errorf("%s: error type %q (%v), want a throttle", name, typ, err)
		}
	}
}
