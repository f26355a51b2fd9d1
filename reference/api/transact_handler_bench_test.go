package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/catalog"
)

// BenchmarkTransactWriteHandler is BenchmarkTransactWrite (api_test)
// without HTTP and the SDK: requests go straight to the Handler, so the
// ratio shows the engine's cost of a transaction (ledger record, prepare,
// decision, commit, ledger delete) against one PutItem. Compare ns/op
// between the sub-benchmarks of one run.
func BenchmarkTransactWriteHandler(b *testing.B) {
	h := New(catalog.New(catalog.Options{}), Options{Background: Background{Disabled: true}})
	defer h.Close()
	do := func(op, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
		}
	}
	do("CreateTable", `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}`)
	item := func(pk string) string { return `{"pk":{"S":"` + pk + `"},"bal":{"N":"1"}}` }
	b.Run("PutItem", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			do("PutItem", `{"TableName":"bench","Item":`+item(fmt.Sprint("p", i))+`}`)
		}
	})
	for _, size := range []int{2, 10} {
		b.Run(fmt.Sprintf("Transact%d", size), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				acts := make([]string, size)
				for j := range acts {
					acts[j] = `{"Put":{"TableName":"bench","Item":` + item(fmt.Sprintf("t%d-%d-%d", size, i, j)) + `}}`
				}
				do("TransactWriteItems", `{"TransactItems":[`+strings.Join(acts, ",")+`]}`)
			}
		})
	}
}
