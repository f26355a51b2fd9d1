package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// BenchmarkReadsAtScale: a Query returning a page of 1,000 items (one
// partition key, 1,000 sort keys, ~200 bytes each) and a full Scan of
// 100,000 items (all pages), through the handler.
//
//	go test ./reference/server -run '^$' -bench ReadsAtScale -benchtime 20x
func BenchmarkReadsAtScale(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := api.New(srv.Catalog(), api.Options{})
	do := func(op string, body []byte) []byte {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
		}
		return rec.Body.Bytes()
	}
	do("CreateTable", []byte(`{"TableName":"qry","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],`+
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}`))
	pad := strings.Repeat("v", 180)
	batch := func(items []string) {
		do("BatchWriteItem", []byte(`{"RequestItems":{"qry":[`+strings.Join(items, ",")+`]}}`))
	}
	var items []string
	for i := 0; i < 100000; i++ {
		pk := fmt.Sprintf("p%d", i/1000) // 100 partition keys of 1,000 items
		items = append(items, fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%s"},"sk":{"N":"%d"},"v":{"S":"%s"}}}}`, pk, i%1000, pad))
		if len(items) == 25 {
			batch(items)
			items = items[:0]
		}
	}
	b.Run("Query1000", func(b *testing.B) {
		body := []byte(`{"TableName":"qry","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p42"}}}`)
		for b.Loop() {
			out := do("Query", body)
			if !bytes.Contains(out, []byte(`"Count":1000,`)) {
				b.Fatalf("page is not 1000 items: %.200s", out[len(out)-200:])
			}
		}
	})
	b.Run("FullScan100k", func(b *testing.B) {
		for b.Loop() {
			total, pages := 0, 0
			start := ""
			for {
				body := `{"TableName":"qry"` + start + `}`
				out := do("Scan", []byte(body))
				var page struct {
					Count            int
					LastEvaluatedKey map[string]any
				}
				if err := json.Unmarshal(out, &page); err != nil {
					b.Fatal(err)
				}
				total += page.Count
				pages++
				if page.LastEvaluatedKey == nil {
					break
				}
				lek, _ := json.Marshal(page.LastEvaluatedKey)
				start = `,"ExclusiveStartKey":` + string(lek)
			}
			if total != 100000 {
				b.Fatalf("scan saw %d items in %d pages", total, pages)
			}
			b.ReportMetric(float64(pages), "pages/scan")
		}
	})
}
