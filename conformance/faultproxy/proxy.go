package faultproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// Fault is one kind of injected non-conformance.
type Fault string

// The faults the proxy can inject.
const (
	ConditionIgnored   Fault = "condition-ignored"
	ErrorTypeRewritten Fault = "error-type-rewritten"
	QueryReordered     Fault = "query-reordered"
	PaginationBroken   Fault = "pagination-broken"
	NumbersAsFloat64   Fault = "numbers-as-float64"
	ValidationSkipped  Fault = "validation-skipped"
	// CollectionMetricsDropped removes ItemCollectionMetrics from the
	// responses of writes.
	CollectionMetricsDropped Fault = "collection-metrics-dropped"
	// AuthIgnored answers {} where the endpoint refused a request's
	// signature (an endpoint that accepts any credentials).
	AuthIgnored Fault = "auth-ignored"
)

// Faults lists every fault.
func Faults() []Fault {
	return []Fault{ConditionIgnored, ErrorTypeRewritten, QueryReordered, PaginationBroken, NumbersAsFloat64, ValidationSkipped, CollectionMetricsDropped, AuthIgnored}
}

const errPrefix = "com.amazonaws.dynamodb.v20120810#"

// Proxy serves on a loopback port and forwards to a good endpoint.
type Proxy struct {
	fault Fault
	ln    net.Listener
	srv   *http.Server
}

// Start listens on 127.0.0.1 (a free port) and forwards to upstream,
// injecting fault.
func Start(upstream string, fault Fault) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: upstream %q: %w", upstream, err)
	}
	known := false
	for _, f := range Faults() {
		known = known || f == fault
	}
	if !known {
		return nil, fmt.Errorf("faultproxy: unknown fault %q", fault)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{fault: fault, ln: ln}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = p.modify
	p.srv = &http.Server{Handler: rp}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is the proxy's endpoint.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }

func (p *Proxy) modify(resp *http.Response) error {
	op := strings.TrimPrefix(resp.Request.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("faultproxy: read response: %w", err)
	}
	status, newBody := p.rewrite(op, resp.StatusCode, body)
	resp.StatusCode = status
	resp.Status = fmt.Sprintf("%d %s", status, http.StatusText(status))
	resp.Body = io.NopCloser(bytes.NewReader(newBody))
	resp.ContentLength = int64(len(newBody))
	resp.Header.Set("Content-Length", strconv.Itoa(len(newBody)))
	resp.Header.Del("Content-Encoding")
	resp.Header.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(newBody)), 10))
	return nil
}

// rewrite applies the fault to one response.
func (p *Proxy) rewrite(op string, status int, body []byte) (int, []byte) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return status, body
	}
	errType, _ := doc["__type"].(string)
	errType = errType[strings.LastIndexByte(errType, '#')+1:]
	switch p.fault {
	case ConditionIgnored:
		if errType == "ConditionalCheckFailedException" {
			return http.StatusOK, []byte("{}")
		}
	case AuthIgnored:
		switch errType {
		case "MissingAuthenticationTokenException", "InvalidSignatureException", "UnrecognizedClientException", "IncompleteSignatureException":
			return http.StatusOK, []byte("{}")
		}
	case ValidationSkipped:
		if errType == "ValidationException" {
			return http.StatusOK, []byte("{}")
		}
	case ErrorTypeRewritten:
		if errType == "ResourceNotFoundException" {
			doc["__type"] = errPrefix + "ValidationException"
			return status, mustJSON(doc, body)
		}
	case QueryReordered:
		if op == "Query" {
			if items, ok := doc["Items"].([]any); ok && len(items) > 1 {
				for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
					items[i], items[j] = items[j], items[i]
				}
				return status, mustJSON(doc, body)
			}
		}
	case PaginationBroken:
		if op == "Query" || op == "Scan" {
			if _, ok := doc["LastEvaluatedKey"]; ok {
				delete(doc, "LastEvaluatedKey")
				return status, mustJSON(doc, body)
			}
		}
	case NumbersAsFloat64:
		if status == http.StatusOK {
			return status, mustJSON(floatNumbers(doc), body)
		}
	case CollectionMetricsDropped:
		if _, ok := doc["ItemCollectionMetrics"]; ok {
			delete(doc, "ItemCollectionMetrics")
			return status, mustJSON(doc, body)
		}
	}
	return status, body
}

// floatNumbers rounds every {"N": ...} and {"NS": [...]} through float64,
// as a client or server that parses numbers into doubles would.
func floatNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && k == "N" && len(t) == 1 {
				t[k] = viaFloat(s)
				continue
			}
			if l, ok := x.([]any); ok && k == "NS" && len(t) == 1 {
				for i, e := range l {
					if s, ok := e.(string); ok {
						l[i] = viaFloat(s)
					}
				}
				continue
			}
			t[k] = floatNumbers(x)
		}
	case []any:
		for i, x := range t {
			t[i] = floatNumbers(x)
		}
	}
	return v
}

func viaFloat(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func mustJSON(doc any, fallback []byte) []byte {
	b, err := json.Marshal(doc)
	if err != nil {
		return fallback
	}
	return b
}
