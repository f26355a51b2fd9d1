package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ddbkit/ddbkit/conformance/peer"
	"github.com/ddbkit/ddbkit/reference/api"
)

// Benchmarks of PutItem and GetItem.
//
//   - BenchmarkHandler calls the API handler in-process (no network): the
//     engine's own cost per request, ns/op and allocs/op.
//   - BenchmarkEndpoint sends the same requests over loopback HTTP with a
//     lean keep-alive client to the reference server and, when installed
//     (scripts/peers.sh install), to dynalite in the same run, so the two can
//     be quoted as a ratio.
//
//	go test ./reference/server -run '^$' -bench . -benchtime 20000x

const benchTable = `{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],` +
	`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`

func putBody(i int64) []byte {
	return fmt.Appendf(nil, `{"TableName":"bench","Item":{"pk":{"S":"user%d"},"field0":{"S":"%0100d"},"n":{"N":"%d"}}}`, i%10000, i, i)
}

func getBody(i int64) []byte {
	return fmt.Appendf(nil, `{"TableName":"bench","Key":{"pk":{"S":"user%d"}}}`, i%10000)
}

func BenchmarkHandler(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := api.New(srv.Catalog(), api.Options{})
	do := func(op string, body []byte) int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := do("CreateTable", []byte(benchTable)); code != 200 {
		b.Fatal("create table", code)
	}
	for _, op := range []string{"PutItem", "GetItem"} {
		b.Run(op, func(b *testing.B) {
			b.ReportAllocs()
			var i int64
			for b.Loop() {
				i++
				body := putBody(i)
				if op == "GetItem" {
					body = getBody(i)
				}
				if code := do(op, body); code != 200 {
					b.Fatal(op, code)
				}
			}
		})
	}
}

func BenchmarkEndpoint(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	targets := []struct{ name, url string }{{"reference", srv.URL()}}
	if peer.Installed(peer.Dynalite, "") {
		p, err := peer.Start(context.Background(), peer.Dynalite, peer.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			if !p.Alive() {
				b.Error("dynalite died during the benchmark")
			}
			p.Close()
		}()
		targets = append(targets, struct{ name, url string }{"dynalite", p.URL()})
	} else {
		b.Log("dynalite not installed (scripts/peers.sh install): benchmarking the reference alone")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	do := func(url, op string, body []byte) error {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ddbkit/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: %d %s", op, resp.StatusCode, data)
		}
		return nil
	}
	for _, tg := range targets {
		if err := do(tg.url, "CreateTable", []byte(benchTable)); err != nil {
			b.Fatal(err)
		}
		for _, op := range []string{"PutItem", "GetItem"} {
			b.Run(tg.name+"/"+op, func(b *testing.B) {
				var seq atomic.Int64
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := seq.Add(1)
						body := putBody(i)
						if op == "GetItem" {
							body = getBody(i)
						}
						if err := do(tg.url, op, body); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
