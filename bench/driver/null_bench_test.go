package driver

import (
	"context"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// nullEndpoint answers every GetItem with the same YCSB-sized item and
// every other request with {}, with DynamoDB's headers, doing no other
// work: what remains is the client's cost (and the loopback's).
func nullEndpoint() http.Handler {
	item := []byte(`{"Item":{"key":{"S":"user6284781860667377211"}`)
	for i := 0; i < 10; i++ {
		item = append(item, `,"field`+strconv.Itoa(i)+`":{"S":"`...)
		for j := 0; j < 100; j++ {
			item = append(item, 'a'+byte(j%26))
		}
		item = append(item, `"}`...)
	}
	item = append(item, "}}"...)
	empty := []byte(`{}`)
	type canned struct {
		body   []byte
		crc    []string
		length []string
	}
	mk := func(b []byte) canned {
		return canned{b, []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10)}, []string{strconv.Itoa(len(b))}}
	}
	get, other := mk(item), mk(empty)
	ctype := []string{"application/x-amz-json-1.0"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		c := other
		if r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.GetItem" {
			c = get
		}
		h := w.Header()
		h["Content-Type"], h["X-Amz-Crc32"], h["Content-Length"] = ctype, c.crc, c.length
		w.Write(c.body)
	})
}

// BenchmarkNullEndpoint measures requests per second of the lean client and
// of the plain SDK against the same in-process null endpoint, in one run:
//
//	go test -run '^$' -bench NullEndpoint -benchtime 3s ./bench/driver
//
// Compare ops/s of lean/X with sdk/X (the goal is ≥ 2.5×).
func BenchmarkNullEndpoint(b *testing.B) {
	srv := httptest.NewServer(nullEndpoint())
	defer srv.Close()
	lean, sdk := newPair(b, srv.URL)
	t := Table{Name: "usertable"}
	k := Key{PK: []byte("user6284781860667377211")}
	field := []Field{{Name: "field3", Value: make([]byte, 100)}}
	for i := range field[0].Value {
		field[0].Value[i] = 'x'
	}
	ops := []struct {
		name string
		do   func(c Client) error
	}{
		{"GetItem", func(c Client) error {
			_, err := c.GetItem(context.Background(), t, k, nil, false)
			return err
		}},
		{"UpdateItem", func(c Client) error {
			return c.UpdateItem(context.Background(), t, k, field, NoCondition)
		}},
	}
	for _, op := range ops {
		for _, cl := range []struct {
			name string
			c    Client
		}{{"lean", lean}, {"sdk", sdk}} {
			b.Run(cl.name+"/"+op.name, func(b *testing.B) {
				b.SetParallelism(8)
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := op.do(cl.c); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		}
	}
}
