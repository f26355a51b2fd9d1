package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/catalog"
)

// BenchmarkGSIRead measures reads of a GSI on a single node whose table has
// 4 partitions (each read merges 4 partitions' entries) against the same
// reads of the table: a Query of 100 items (Limit 100) by index key and by
// table key, and a Scan page of 100. PutItem shows the cost of keeping the
// index's entries in step with a write. Requests go straight to the
// Handler (no HTTP, no SDK).
func BenchmarkGSIRead(b *testing.B) {
	h := New(catalog.New(catalog.Options{Partitions: 4}), Options{Background: Background{Disabled: true}})
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
	do("CreateTable", `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
		"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]}`)
	const items = 10000
	for i := range items {
		do("PutItem", fmt.Sprintf(`{"TableName":"bench","Item":{"pk":{"S":"p%d"},"sk":{"N":"%d"},"g":{"S":"g%d"},"v":{"S":"value %d"}}}`, i%100, i, i%10, i))
	}
	b.Run("QueryIndex", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			do("Query", fmt.Sprintf(`{"TableName":"bench","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g%d"}},"Limit":100}`, i%10))
		}
	})
	b.Run("QueryTable", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			do("Query", fmt.Sprintf(`{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p%d"}},"Limit":100}`, i%100))
		}
	})
	b.Run("ScanIndex", func(b *testing.B) {
		for b.Loop() {
			do("Scan", `{"TableName":"bench","IndexName":"byG","Limit":100}`)
		}
	})
	b.Run("ScanTable", func(b *testing.B) {
		for b.Loop() {
			do("Scan", `{"TableName":"bench","Limit":100}`)
		}
	})
	b.Run("PutItem", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			do("PutItem", fmt.Sprintf(`{"TableName":"bench","Item":{"pk":{"S":"p%d"},"sk":{"N":"%d"},"g":{"S":"g%d"},"v":{"S":"new %d"}}}`, i%100, i%items, i%10, i))
		}
	})
}
