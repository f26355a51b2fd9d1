package api

import (
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/catalog"
)

// call sends one raw request through the handler.
func call(t testing.TB, h http.Handler, op, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if op != "" {
		req.Header.Set("X-Amz-Target", op)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: response is not JSON: %q", op, body, raw)
	}
	if want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(raw)), 10); rec.Header().Get("x-amz-crc32") != want {
		t.Fatalf("x-amz-crc32 = %s, want %s", rec.Header().Get("x-amz-crc32"), want)
	}
	if id := rec.Header().Get("x-amzn-RequestId"); len(id) != 52 {
		t.Fatalf("x-amzn-RequestId = %q", id)
	}
	return rec.Code, out, rec.Header()
}

func errType(out map[string]any) string {
	t, _ := out["__type"].(string)
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func TestProtocolErrors(t *testing.T) {
	h := New(catalog.New(catalog.Options{}), Options{})
	tests := []struct {
		name, op, body string
		status         int
		typ, msg       string
	}{
		{"unknown op", "DynamoDB_20120810.Frobnicate", "{}", 400, "UnknownOperationException", ""},
		{"no target", "", "{}", 400, "UnknownOperationException", ""},
		{"wrong service", "DynamoDBStreams_20120810.ListStreams", "{}", 400, "UnknownOperationException", ""},
		{"malformed json", "DynamoDB_20120810.ListTables", "{", 400, "SerializationException", ""},
		{"not an object", "DynamoDB_20120810.ListTables", "[]", 400, "SerializationException", ""},
		{"wrong member type", "DynamoDB_20120810.DescribeTable", `{"TableName":5}`, 400, "SerializationException", "NUMBER_VALUE cannot be converted to String"},
		{"wrong nested type", "DynamoDB_20120810.PutItem", `{"TableName":"abc","Item":{"a":{"S":true}}}`, 400, "SerializationException", ""},
		{"bad base64", "DynamoDB_20120810.PutItem", `{"TableName":"abc","Item":{"a":{"B":"!!!"}}}`, 400, "SerializationException", ""},
		{"missing table name", "DynamoDB_20120810.DescribeTable", `{}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		{"unknown table", "DynamoDB_20120810.DescribeTable", `{"TableName":"nope"}`, 400, "ResourceNotFoundException",
			"Requested resource not found: Table: nope not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, hdr := call(t, h, tt.op, tt.body)
			if status != tt.status || errType(out) != tt.typ {
				t.Fatalf("got %d %v, want %d %s", status, out, tt.status, tt.typ)
			}
			if tt.msg != "" && out["message"] != tt.msg {
				t.Fatalf("message %q, want %q", out["message"], tt.msg)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

func TestRequestTooLarge(t *testing.T) {
	h := New(catalog.New(catalog.Options{}), Options{MaxRequestBytes: 1024})
	status, out, _ := call(t, h, "DynamoDB_20120810.ListTables", `{"x":"`+strings.Repeat("a", 2000)+`"}`)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d %v", status, out)
	}
}

func TestHealthCheck(t *testing.T) {
	h := New(catalog.New(catalog.Options{}), Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "healthy") {
		t.Fatalf("GET / = %d %q", rec.Code, rec.Body.String())
	}
}
