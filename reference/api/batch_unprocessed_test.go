package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// downReplica is a partition whose writes never learn their outcome (no
// quorum in time).
type downReplica struct{ partition.Replica }

func (downReplica) Propose(context.Context, *partition.Command) (partition.Result, error) {
	return partition.Result{}, errors.New("partition group unavailable")
}

// halfDownEngine has table "tab" with two partitions; with down, the
// second one's writes fail as above.
func halfDownEngine(t *testing.T, down func(part int) bool) *Handler {
	t.Helper()
	cat := catalog.New(catalog.Options{Partitions: 2, Replicas: func(_ *catalog.Table, p *catalog.Partition) (partition.Replica, error) {
		local := partition.NewLocal(partition.NewState(partition.KeySchema{HashKey: "pk", HashType: value.S}), nil)
		if down(p.ID) {
			return downReplica{local}, nil
		}
		return local, nil
	}})
	if _, err := cat.Create(&catalog.Table{Name: "tab", Schema: partition.KeySchema{HashKey: "pk", HashType: value.S},
		Attributes: []catalog.AttributeDefinition{{Name: "pk", Type: value.S}}, BillingMode: catalog.PayPerRequest}); err != nil {
		t.Fatal(err)
	}
	h := New(cat, Options{Background: Background{Disabled: true}})
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// A BatchWriteItem whose writes partly fail to learn their outcome returns
// exactly those in UnprocessedItems (to be retried) and applies the rest;
// when every write failed, the error is the answer.
func TestBatchWriteItemReturnsUnprocessedWrites(t *testing.T) {
	h := halfDownEngine(t, func(part int) bool { return part == 1 })
	tab, _ := h.cat.Get("tab")
	var puts []string
	wantUnprocessed := map[string]bool{}
	for i := range 20 {
		k := fmt.Sprintf("k%d", i)
		puts = append(puts, `{"PutRequest":{"Item":{"pk":{"S":"`+k+`"},"v":{"N":"1"}}}}`)
		if tab.PartitionForKey(value.Str(k)).ID == 1 {
			wantUnprocessed[k] = true
		}
	}
	puts = append(puts, `{"DeleteRequest":{"Key":{"pk":{"S":"gone"}}}}`)
	if tab.PartitionForKey(value.Str("gone")).ID == 1 {
		wantUnprocessed["gone"] = true
	}
	if len(wantUnprocessed) == 0 || len(wantUnprocessed) == 21 {
		t.Fatalf("test keys all on one partition")
	}
	status, out, _ := call(t, h, "DynamoDB_20120810.BatchWriteItem", `{"RequestItems":{"tab":[`+strings.Join(puts, ",")+`]}}`)
	if status != 200 {
		t.Fatalf("status %d: %v", status, out)
	}
	un, _ := out["UnprocessedItems"].(map[string]any)["tab"].([]any)
	got := map[string]bool{}
	for _, r := range un {
		req := r.(map[string]any)
		var item map[string]any
		if p, ok := req["PutRequest"]; ok {
			item = p.(map[string]any)["Item"].(map[string]any)
		} else {
			item = req["DeleteRequest"].(map[string]any)["Key"].(map[string]any)
		}
		got[item["pk"].(map[string]any)["S"].(string)] = true
	}
	if fmt.Sprint(got) != fmt.Sprint(wantUnprocessed) {
		t.Fatalf("unprocessed %v, want %v", got, wantUnprocessed)
	}
	for i := range 20 {
		k := fmt.Sprintf("k%d", i)
		status, out, _ := call(t, h, "DynamoDB_20120810.GetItem", `{"TableName":"tab","Key":{"pk":{"S":"`+k+`"}}}`)
		if _, found := out["Item"]; status != 200 || found == wantUnprocessed[k] {
			t.Fatalf("%s: status %d, found %v, unprocessed %v", k, status, found, wantUnprocessed[k])
		}
	}

	all := halfDownEngine(t, func(int) bool { return true })
	status, out, _ = call(t, all, "DynamoDB_20120810.BatchWriteItem", `{"RequestItems":{"tab":[`+strings.Join(puts[:3], ",")+`]}}`)
	if status != 500 || errType(out) != "InternalServerError" {
		t.Fatalf("all writes failed: %d %v, want 500 InternalServerError", status, out)
	}
}
