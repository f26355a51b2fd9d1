package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// FuzzRequest sends arbitrary bodies to every operation against a table that
// holds one known item. Whatever the input: no panic, no 500, a JSON error
// envelope for every rejection, and a rejected write changes nothing.
func FuzzRequest(f *testing.F) {
	seeds := []struct{ op, body string }{
		{"PutItem", `{"TableName":"fz","Item":{"pk":{"S":"a"},"v":{"N":"1"}}}`},
		{"PutItem", `{"TableName":"fz","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)"}`},
		{"UpdateItem", `{"TableName":"fz","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET v = v + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`},
		{"UpdateItem", `{"TableName":"fz","Key":{"pk":{"S":"k"}},"UpdateExpression":"REMOVE l[0] ADD s :s","ExpressionAttributeValues":{":s":{"SS":["x"]}}}`},
		{"GetItem", `{"TableName":"fz","Key":{"pk":{"S":"k"}},"ProjectionExpression":"v, #l[1].m","ExpressionAttributeNames":{"#l":"l"}}`},
		{"DeleteItem", `{"TableName":"fz","Key":{"pk":{"S":"k"}},"ConditionExpression":"size(l) > :n","ExpressionAttributeValues":{":n":{"N":"3"}}}`},
		{"CreateTable", `{"TableName":"x2y","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`},
		{"ListTables", `{"Limit":1}`},
		{"UpdateTable", `{"TableName":"fz","BillingMode":"PROVISIONED"}`},
		{"PutItem", `{"TableName":"fz","Item":{"pk":{"S":"k"},"n":{"N":"1e126"}}}`},
		{"PutItem", `{`},
	}
	for _, s := range seeds {
		f.Add(s.op, s.body)
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		cat := catalog.New(catalog.Options{Partitions: 2})
		tbl := &catalog.Table{Name: "fz", BillingMode: catalog.PayPerRequest,
			Schema:     partition.KeySchema{HashKey: "pk", HashType: value.S},
			Attributes: []catalog.AttributeDefinition{{Name: "pk", Type: value.S}}}
		tbl, err := cat.Create(tbl)
		if err != nil {
			t.Fatal(err)
		}
		known := value.Item{"pk": value.Str("k"), "v": value.Num("7"), "l": value.List(value.Str("a"), value.Map(map[string]value.Value{"m": value.Num("1")}))}
		p := tbl.PartitionForKey(known["pk"])
		p.State.Apply(1, &partition.Command{Op: partition.OpPut, Key: value.Item{"pk": known["pk"]}, Item: known})
		h := New(cat, Options{})
		status, out, _ := call(t, h, "DynamoDB_20120810."+op, body)
		if status == http.StatusInternalServerError {
			t.Fatalf("500 for %s %q: %v", op, body, out)
		}
		if status != http.StatusOK {
			if errType(out) == "" {
				t.Fatalf("error without __type for %s %q: %v", op, body, out)
			}
			// Rejected: the known item is exactly as it was.
			got, ok := p.State.Get(tbl.Schema.Key(known))
			if !ok || !value.EqualItems(got, known) {
				t.Fatalf("rejected %s %q changed the item: %v", op, body, got)
			}
			if n, _ := cat.Get("fz"); n == nil || strings.Contains(op, "Delete") && n == nil {
				t.Fatalf("rejected request removed the table")
			}
		}
	})
}
