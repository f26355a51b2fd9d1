package client_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/jepsen/client"
	"github.com/ddbkit/ddbkit/jepsen/fakeddb"
	"github.com/ddbkit/ddbkit/jepsen/history"
)

func newClient(t *testing.T, url string, timeout time.Duration) client.Client {
	t.Helper()
	db, err := target.NewClient(t.Context(), target.Options{EndpointURL: url, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return client.Client{DB: db, Table: "t"}
}

func start(t *testing.T, o fakeddb.Options) *fakeddb.Server {
	t.Helper()
	s, err := fakeddb.Start(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func op(f history.Func, key int, value, expect *int64) history.Op {
	return history.Op{Type: history.Invoke, F: f, Key: key, Value: value, Expect: expect}
}

func TestOperations(t *testing.T) {
	s := start(t, fakeddb.Options{})
	c := newClient(t, s.URL(), 2*time.Second)
	ctx := t.Context()
	if err := client.CreateTable(ctx, c.DB, c.Table, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	i := history.Int
	steps := []struct {
		name   string
		op     history.Op
		want   history.Type
		value  *int64
		values []int64
	}{
		{"read missing", op(history.Read, 1, nil, nil), history.OK, nil, nil},
		{"write", op(history.Write, 1, i(5), nil), history.OK, nil, nil},
		{"read", op(history.Read, 1, nil, nil), history.OK, i(5), nil},
		{"cas wrong", op(history.CAS, 1, i(7), i(4)), history.Fail, nil, nil},
		{"cas right", op(history.CAS, 1, i(7), i(5)), history.OK, nil, nil},
		{"read ec", op(history.ReadEC, 1, nil, nil), history.OK, i(7), nil},
		{"cas missing", op(history.CAS, 2, i(1), i(0)), history.Fail, nil, nil},
		{"incr", op(history.Incr, 3, i(2), nil), history.OK, nil, nil},
		{"incr again", op(history.Incr, 3, i(3), nil), history.OK, nil, nil},
		{"read counter", op(history.Read, 3, nil, nil), history.OK, i(5), nil},
		{"add", op(history.Add, 4, i(9), nil), history.OK, nil, nil},
		{"add", op(history.Add, 4, i(3), nil), history.OK, nil, nil},
		{"read set", op(history.Read, 4, nil, nil), history.OK, nil, []int64{3, 9}},
	}
	for _, st := range steps {
		got := c.Do(ctx, st.op)
		if got.Type != st.want {
			t.Fatalf("%s: type %s (%s), want %s", st.name, got.Type, got.Error, st.want)
		}
		if st.op.F == history.Read || st.op.F == history.ReadEC {
			if (got.Value == nil) != (st.value == nil) || (got.Value != nil && *got.Value != *st.value) {
				t.Fatalf("%s: value %v, want %v", st.name, got.Value, st.value)
			}
			if len(got.Values) != len(st.values) {
				t.Fatalf("%s: values %v, want %v", st.name, got.Values, st.values)
			}
			for j := range st.values {
				if got.Values[j] != st.values[j] {
					t.Fatalf("%s: values %v, want %v", st.name, got.Values, st.values)
				}
			}
		}
	}
}

// TestClassify drives real aws-sdk-go-v2 requests into each kind of failure
// and checks the completion type.
func TestClassify(t *testing.T) {
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		return "http://" + addr
	}
	handler := func(h http.HandlerFunc) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: h}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		return "http://" + ln.Addr().String()
	}
	apiErr := func(status int, typ string) string {
		return handler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#` + typ + `","message":"m"}`))
		})
	}
	cases := []struct {
		name string
		url  string
		want history.Type
	}{
		{"connection refused", refused(), history.Fail},
		{"conditional check failed", apiErr(400, "ConditionalCheckFailedException"), history.Fail},
		{"validation", apiErr(400, "ValidationException"), history.Fail},
		{"throttled", apiErr(400, "ProvisionedThroughputExceededException"), history.Fail},
		{"internal server error", apiErr(500, "InternalServerError"), history.Info},
		{"service unavailable", apiErr(503, "ServiceUnavailable"), history.Info},
		{"unknown error type", apiErr(400, "SomethingNew"), history.Info},
		{"timeout", handler(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}), history.Info},
		{"connection closed after request", handler(func(w http.ResponseWriter, r *http.Request) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				t.Error("no hijacker")
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}), history.Info},
		{"garbage response", handler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			_, _ = w.Write([]byte(`{"Item": {"pk": 12`))
		}), history.Info},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.url, 300*time.Millisecond)
			got := c.Do(context.Background(), op(history.Write, 1, history.Int(1), nil))
			if got.Type != tc.want {
				t.Fatalf("got %s (%s), want %s", got.Type, got.Error, tc.want)
			}
		})
	}
	if got := history.Classify(nil); got != history.OK {
		t.Fatalf("Classify(nil) = %s", got)
	}
}
