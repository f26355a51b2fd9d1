package faultproxy

import (
	"encoding/json"
	"testing"
)

func TestRewrite(t *testing.T) {
	cases := []struct {
		fault      Fault
		op         string
		status     int
		in         string
		wantStatus int
		want       string
	}{
		{ConditionIgnored, "PutItem", 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"x"}`, 200, `{}`},
		{ConditionIgnored, "PutItem", 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"x"}`, 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"x"}`},
		{ValidationSkipped, "PutItem", 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"x"}`, 200, `{}`},
		{ErrorTypeRewritten, "GetItem", 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"x"}`, 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"x"}`},
		{QueryReordered, "Query", 200, `{"Items":[{"a":{"N":"1"}},{"a":{"N":"2"}}]}`, 200, `{"Items":[{"a":{"N":"2"}},{"a":{"N":"1"}}]}`},
		{QueryReordered, "Scan", 200, `{"Items":[{"a":{"N":"1"}},{"a":{"N":"2"}}]}`, 200, `{"Items":[{"a":{"N":"1"}},{"a":{"N":"2"}}]}`},
		{PaginationBroken, "Scan", 200, `{"Items":[],"LastEvaluatedKey":{"pk":{"S":"a"}}}`, 200, `{"Items":[]}`},
		{NumbersAsFloat64, "GetItem", 200, `{"Item":{"n":{"N":"9007199254740993"},"s":{"NS":["0.1","12345678901234567890123456789012345678"]},"x":{"S":"9007199254740993"}}}`, 200,
			`{"Item":{"n":{"N":"9007199254740992"},"s":{"NS":["0.1","12345678901234568000000000000000000000"]},"x":{"S":"9007199254740993"}}}`},
		{CollectionMetricsDropped, "PutItem", 200, `{"ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"a"}},"SizeEstimateRangeGB":[0.0,1.0]}}`, 200, `{}`},
		{CollectionMetricsDropped, "BatchWriteItem", 200, `{"UnprocessedItems":{},"ItemCollectionMetrics":{"t":[]}}`, 200, `{"UnprocessedItems":{}}`},
		{CollectionMetricsDropped, "GetItem", 200, `{"Item":{"pk":{"S":"a"}}}`, 200, `{"Item":{"pk":{"S":"a"}}}`},
		{AuthIgnored, "ListTables", 400, `{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"x"}`, 200, `{}`},
		{AuthIgnored, "ListTables", 400, `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException"}`, 200, `{}`},
		{AuthIgnored, "GetItem", 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"}`, 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"}`},
	}
	for _, c := range cases {
		t.Run(string(c.fault)+"/"+c.op, func(t *testing.T) {
			p := &Proxy{fault: c.fault}
			status, got := p.rewrite(c.op, c.status, []byte(c.in))
			if status != c.wantStatus {
				t.Errorf("status %d, want %d", status, c.wantStatus)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(c.want), &w); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			if string(gb) != string(wb) {
				t.Errorf("got %s\nwant %s", gb, wb)
			}
		})
	}
}

func TestStartRejectsUnknownFault(t *testing.T) {
	if _, err := Start("http://127.0.0.1:1", "nonsense"); err == nil {
		t.Fatal("want an error for an unknown fault")
	}
}
