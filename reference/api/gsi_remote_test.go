package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/value"
)

// statePeers are other nodes holding every partition's State (by group):
// they answer range reads of global index entries, two a page, so that a
// remote reader pages, and sizes reads; every other request fails.
type statePeers struct {
	mu     sync.Mutex
	states map[uint64]*partition.State
	global int // range reads of global index entries served
}

func (s *statePeers) Propose(context.Context, uint64, router.ProposeRequest) (router.ProposeResponse, error) {
	return router.ProposeResponse{}, fmt.Errorf("no writes here")
}

func (s *statePeers) Read(_ context.Context, _ uint64, req router.ReadRequest) (router.ReadResponse, error) {
	s.mu.Lock()
	st := s.states[req.Group]
	if req.Global != nil {
		s.global++
	}
	s.mu.Unlock()
	if st != nil && req.Sizes != nil {
		sz, _ := st.Sizes(req.Sizes.Local, req.Sizes.Global)
		return router.ReadResponse{Sizes: &sz}, nil
	}
	if st == nil || !req.Scan || req.Global == nil {
		return router.ReadResponse{Failure: &router.Failure{Message: "unsupported"}}, nil
	}
	limit := 2
	if req.Limit > 0 {
		limit = min(limit, req.Limit)
	}
	var out router.ReadResponse
	st.ScanGlobal(*req.Global, req.From, req.To, req.Reverse, func(key []byte, item value.Item) bool {
		if len(out.Items) == limit {
			out.More = true
			return false
		}
		out.Items = append(out.Items, router.KeyItem{Key: key, Item: item})
		return true
	})
	return out, nil
}

// remoteGSIEngine returns a handler on a node that holds no replica of
// table "tab" (4 partitions, GSI "byG" on g, sort key n), whose replicas
// are statePeers holding items k0..k(n-1) with g = g(i%3), n = i.
func remoteGSIEngine(t *testing.T, items int) (*Handler, *statePeers) {
	t.Helper()
	peers := &statePeers{states: map[uint64]*partition.State{}}
	rt := router.New(router.Options{Local: remoteOnlyNode{}, Peers: peers, Client: 1})
	group := uint64(0)
	cat := catalog.New(catalog.Options{Partitions: 4, Replicas: func(tab *catalog.Table, _ *catalog.Partition) (partition.Replica, error) {
		peers.mu.Lock()
		defer peers.mu.Unlock()
		group++
		peers.states[group] = partition.NewState(tab.Schema)
		return rt.Replica(group, []uint64{1, 2, 3}), nil
	}})
	h := New(cat, Options{Background: Background{Disabled: true}})
	t.Cleanup(func() { _ = h.Close() })
	code, out, _ := call(t, h, "DynamoDB_20120810.CreateTable", `{"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"n","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]}`)
	if code != http.StatusOK {
		t.Fatalf("create: %v", out)
	}
	tab, _ := cat.Get("tab")
	for i := range items {
		pk := value.Str(fmt.Sprint("k", i))
		it := value.Item{"pk": pk, "g": value.Str(fmt.Sprint("g", i%3)), "n": value.Num(fmt.Sprint(i))}
		st := peers.states[tab.PartitionForKey(pk).Replica.(*router.Replica).Group()]
		st.Apply(uint64(i+1), &partition.Command{Op: partition.OpPut, Key: value.Item{"pk": pk}, Item: it})
	}
	return h, peers
}

// pages runs op with body (which must end in "}" and may take a
// ,"ExclusiveStartKey" appended) page by page and returns the n of every
// item, in order.
func pages(t *testing.T, h http.Handler, op, body string) []string {
	t.Helper()
	var got []string
	start := ""
	for range 200 {
		b := body
		if start != "" {
			b = strings.TrimSuffix(body, "}") + `,"ExclusiveStartKey":` + start + "}"
		}
		code, out, _ := call(t, h, "DynamoDB_20120810."+op, b)
		if code != http.StatusOK {
			t.Fatalf("%s %s: %d %v", op, b, code, out)
		}
		for _, it := range out["Items"].([]any) {
			got = append(got, it.(map[string]any)["n"].(map[string]any)["N"].(string))
		}
		lek, ok := out["LastEvaluatedKey"]
		if !ok {
			return got
		}
		j, _ := json.Marshal(lek)
		start = string(j)
	}
	t.Fatalf("%s did not end", op)
	return nil
}

// A GSI read through a node that holds no replica of the table reads
// every base partition's entries from a remote replica (which builds them
// when asked) and merges them in index order: a Query in either direction
// and a Scan, in pages of a Limit and across remote pages, return every
// entry once, in order.
func TestRemoteOnlyGSIRead(t *testing.T) {
	const items = 30
	h, peers := remoteGSIEngine(t, items)
	var g1 []string
	for i := 1; i < items; i += 3 {
		g1 = append(g1, fmt.Sprint(i))
	}
	rev := slices.Clone(g1)
	slices.Reverse(rev)
	q := `{"TableName":"tab","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}}`
	cases := []struct {
		name, op, body string
		want           []string
	}{
		{"query", "Query", q + `}`, g1},
		{"query limit 3", "Query", q + `,"Limit":3}`, g1},
		{"query backward limit 4", "Query", q + `,"Limit":4,"ScanIndexForward":false}`, rev},
		{"query range", "Query", `{"TableName":"tab","IndexName":"byG","KeyConditionExpression":"g = :g AND n BETWEEN :a AND :b",` +
			`"ExpressionAttributeValues":{":g":{"S":"g1"},":a":{"N":"7"},":b":{"N":"19"}},"Limit":2}`, []string{"7", "10", "13", "16", "19"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := pages(t, h, tc.op, tc.body); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("scan in segments", func(t *testing.T) {
		var all []string
		for seg := range 3 {
			all = append(all, pages(t, h, "Scan", fmt.Sprintf(`{"TableName":"tab","IndexName":"byG","Limit":4,"Segment":%d,"TotalSegments":3}`, seg))...)
		}
		sort.Slice(all, func(i, j int) bool { return len(all[i]) < len(all[j]) || len(all[i]) == len(all[j]) && all[i] < all[j] })
		var want []string
		for i := range items {
			want = append(want, fmt.Sprint(i))
		}
		if !slices.Equal(all, want) {
			t.Fatalf("segments read %v, want each of 0..%d once", all, items-1)
		}
	})
	if peers.global == 0 {
		t.Fatal("no read of global index entries reached a remote replica")
	}
}

// DescribeTable on a node that holds none of the table's partitions counts
// the items and index entries of every partition from its replicas
// elsewhere; when no replica answers, it still answers within sizesWait
// (counting those partitions as empty) instead of waiting for them.
func TestDescribeTableCountsRemotePartitions(t *testing.T) {
	const items = 30
	h, peers := remoteGSIEngine(t, items)
	describe := func() (table, index float64) {
		t.Helper()
		code, out, _ := call(t, h, "DynamoDB_20120810.DescribeTable", `{"TableName":"tab"}`)
		if code != http.StatusOK {
			t.Fatalf("describe: %v", out)
		}
		tab := out["Table"].(map[string]any)
		gsi := tab["GlobalSecondaryIndexes"].([]any)[0].(map[string]any)
		return tab["ItemCount"].(float64), gsi["ItemCount"].(float64)
	}
	// The replicas build their index entries when first read (in a
	// cluster, the background pass does).
	if got := pages(t, h, "Scan", `{"TableName":"tab","IndexName":"byG"}`); len(got) != items {
		t.Fatalf("index scan found %d items, want %d", len(got), items)
	}
	if n, g := describe(); n != items || g != items {
		t.Fatalf("ItemCount %v, byG ItemCount %v: want %d and %d (all partitions are remote)", n, g, items, items)
	}
	peers.mu.Lock()
	held := peers.states
	peers.states = map[uint64]*partition.State{} // the replicas stop answering
	peers.mu.Unlock()
	start := time.Now()
	n, _ := describe()
	if took := time.Since(start); took > 3*sizesWait {
		t.Fatalf("DescribeTable took %v with no replica answering, want about %v", took, sizesWait)
	}
	if n != 0 {
		t.Fatalf("ItemCount %v with no replica answering, want 0", n)
	}
	peers.mu.Lock()
	peers.states = held
	peers.mu.Unlock()
}
