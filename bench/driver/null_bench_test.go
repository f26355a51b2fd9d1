package driver

import (
	"bufio"
	"bytes"
	"context"
	"hash/crc32"
	"net"
	"strconv"
	"testing"
	"time"
)

// nullEndpoint is a loopback HTTP/1.1 endpoint that answers every GetItem
// with the same YCSB-sized item and every other request with {}, with
// DynamoDB's headers, and does nothing else: it reads the request head
// and body with a bufio.Reader and writes a canned response, so that what
// remains to measure is the client's cost (net/http's server would cost
// as much as the client under test and blur the comparison).
func nullEndpoint(tb testing.TB) string {
	item := []byte(`{"Item":{"key":{"S":"user6284781860667377211"}`)
	for i := 0; i < 10; i++ {
		item = append(item, `,"field`+strconv.Itoa(i)+`":{"S":"`...)
		for j := 0; j < 100; j++ {
			item = append(item, 'a'+byte(j%26))
		}
		item = append(item, `"}`...)
	}
	item = append(item, "}}"...)
	canned := func(body []byte) []byte {
		return []byte("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n" +
			"X-Amz-Crc32: " + strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10) + "\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + string(body))
	}
	get, other := canned(item), canned([]byte(`{}`))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveNull(c, get, other)
		}
	}()
	return "http://" + ln.Addr().String()
}

func serveNull(c net.Conn, get, other []byte) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 16<<10)
	for {
		length, isGet := 0, false
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) <= 2 { // the blank line ending the head
				break
			}
			if k, v, ok := bytes.Cut(line, []byte(":")); ok {
				v = bytes.TrimSpace(v)
				switch {
				case bytes.EqualFold(k, []byte("Content-Length")):
					length, _ = strconv.Atoi(string(v))
				case bytes.EqualFold(k, []byte("X-Amz-Target")):
					isGet = bytes.Equal(v, []byte("DynamoDB_20120810.GetItem"))
				}
			}
		}
		if _, err := r.Discard(length); err != nil {
			return
		}
		resp := other
		if isGet {
			resp = get
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// BenchmarkNullEndpoint measures requests per second and the client's
// cost per request (ns/op at 8 goroutines per core, allocs/op) of the lean
// client over the wire transport, of the lean client over net/http and of
// the plain SDK against the same in-process null endpoint, in one run:
//
//	go test -run '^$' -bench NullEndpoint -benchtime 2s -count 3 ./bench/driver
//
// Compare lean-wire/X with lean-nethttp/X and sdk/X. ns/op includes the
// null server's work, which runs in the same process.
func BenchmarkNullEndpoint(b *testing.B) {
	cs := newClients(b, nullEndpoint(b))
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
		// As ddbkit bench calls it: each operation under its own timeout.
		{"GetItem-timeout", func(c Client) error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := c.GetItem(ctx, t, k, nil, false)
			return err
		}},
	}
	for _, op := range ops {
		for _, cl := range []struct {
			name string
			c    Client
		}{{"lean-wire", cs.wire}, {"lean-nethttp", cs.nethttp}, {"sdk", cs.sdk}} {
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
