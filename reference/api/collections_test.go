package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/server"
	"github.com/ddbkit/ddbkit/reference/value"
)

// collLimit is the item collection limit of these tests' engine: 10 KB, so
// one "GB" of SizeEstimateRangeGB is 1 KB (the limit reads as 10 GB).
const collLimit = 10 << 10

// collTables creates a table with a local index on "age" (ALL projection)
// and one without local indexes; both have keys pk (S) and sk (N).
func collTables(t *testing.T, c *dynamodb.Client) (lsiTable, plainTable string) {
	t.Helper()
	in := tableInput(types.ScalarAttributeTypeN)
	in.AttributeDefinitions = append(in.AttributeDefinitions, attr("age", types.ScalarAttributeTypeN))
	in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{lsi("byAge", "age", types.ProjectionTypeAll)}
	if _, err := c.CreateTable(bg, in); err != nil {
		t.Fatal(err)
	}
	return *in.TableName, createTable(t, c, types.ScalarAttributeTypeN)
}

// collModel tracks the items of the LSI table, to know each item
// collection's size: every item counts once, and once more for its entry
// in byAge (ALL projection) when it has an age.
type collModel map[string]map[string]value.Item // pk -> sk -> item

func (m collModel) put(pk, sk string, age bool, pad int) item {
	it := value.Item{"pk": value.Str(pk), "sk": value.Num(sk), "filler": value.Str(strings.Repeat("x", pad))}
	sdk := item{"pk": s(pk), "sk": n(sk), "filler": s(strings.Repeat("x", pad))}
	if age {
		it["age"], sdk["age"] = value.Num("1"), n("1")
	}
	if m[pk] == nil {
		m[pk] = map[string]value.Item{}
	}
	m[pk][sk] = it
	return sdk
}

func (m collModel) size(pk string) int64 {
	var total int64
	for _, it := range m[pk] {
		size := int64(value.ItemSize(it))
		total += size
		if _, ok := it["age"]; ok {
			total += size
		}
	}
	return total
}

// estimate is what SizeEstimateRangeGB must be for pk's collection.
func (m collModel) estimate(pk string) []float64 {
	lo := float64(m.size(pk) / (collLimit / 10))
	return []float64{lo, lo + 1}
}

func checkMetrics(t *testing.T, what string, got *types.ItemCollectionMetrics, pk string, want []float64) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Fatalf("%s: ItemCollectionMetrics %+v, want none", what, got)
		}
		return
	}
	if got == nil {
		t.Fatalf("%s: no ItemCollectionMetrics, want %v", what, want)
	}
	k, ok := got.ItemCollectionKey["pk"].(*types.AttributeValueMemberS)
	if len(got.ItemCollectionKey) != 1 || !ok || k.Value != pk {
		t.Fatalf("%s: ItemCollectionKey %+v, want {pk: %s}", what, got.ItemCollectionKey, pk)
	}
	if fmt.Sprint(got.SizeEstimateRangeGB) != fmt.Sprint(want) {
		t.Fatalf("%s: SizeEstimateRangeGB %v, want %v", what, got.SizeEstimateRangeGB, want)
	}
}

// PutItem, UpdateItem and DeleteItem report the item collection they wrote
// exactly when asked (SIZE) on a table with a local index, with the size
// the collection has after the write.
func TestItemCollectionMetricsSingleWrites(t *testing.T) {
	c := startEngineWith(t, collLimit).c
	lsiTab, plainTab := collTables(t, c)
	m := collModel{}
	size := types.ReturnItemCollectionMetricsSize
	var absent []float64
	steps := []struct {
		name string
		pk   string
		do   func() (*types.ItemCollectionMetrics, error)
		want func() []float64 // nil: no metrics
		err  string
	}{
		{"put with SIZE", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: &lsiTab, Item: m.put("a", "1", true, 1500), ReturnItemCollectionMetrics: size})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return m.estimate("a") }, ""},
		{"put with NONE", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: &lsiTab, Item: m.put("a", "2", false, 1100), ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsNone})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return absent }, ""},
		{"put without the parameter", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: &lsiTab, Item: m.put("a", "3", false, 10)})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return absent }, ""},
		{"update that indexes an item", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: &lsiTab, Key: item{"pk": s("a"), "sk": n("2")},
				UpdateExpression: aws.String("SET age = :a"), ExpressionAttributeValues: item{":a": n("1")}, ReturnItemCollectionMetrics: size})
			m.put("a", "2", true, 1100)
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return m.estimate("a") }, ""},
		{"update creating an item in a new collection", "b", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: &lsiTab, Key: item{"pk": s("b"), "sk": n("1")},
				UpdateExpression: aws.String("SET filler = :p"), ExpressionAttributeValues: item{":p": s("")}, ReturnItemCollectionMetrics: size})
			m.put("b", "1", false, 0)
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return m.estimate("b") }, ""},
		{"a failed condition reports nothing", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: &lsiTab, Item: item{"pk": s("a"), "sk": n("1")},
				ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnItemCollectionMetrics: size})
			if out != nil {
				t.Fatalf("a failed write answered %+v", out)
			}
			return nil, err
		}, func() []float64 { return absent }, "ConditionalCheckFailedException"},
		{"delete", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: &lsiTab, Key: item{"pk": s("a"), "sk": n("1")}, ReturnItemCollectionMetrics: size})
			delete(m["a"], "1")
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return m.estimate("a") }, ""},
		{"delete of a missing item", "c", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: &lsiTab, Key: item{"pk": s("c"), "sk": n("1")}, ReturnItemCollectionMetrics: size})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return []float64{0, 1} }, ""},
		{"a table without local indexes", "a", func() (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: &plainTab, Item: item{"pk": s("a"), "sk": n("1")}, ReturnItemCollectionMetrics: size})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, func() []float64 { return absent }, ""},
	}
	for _, st := range steps {
		got, err := st.do()
		if st.err != "" {
			wantErr(t, err, st.err, "")
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		checkMetrics(t, st.name, got, st.pk, st.want())
	}
	if m.size("a") < 2*collLimit/10 {
		t.Fatalf("collection a holds %d bytes: the test no longer checks a size past the first GB", m.size("a"))
	}
}

// metricsByKey indexes a table's list of ItemCollectionMetrics by
// partition key, and fails on a key reported twice.
func metricsByKey(t *testing.T, list []types.ItemCollectionMetrics) (order []string, byKey map[string]*types.ItemCollectionMetrics) {
	t.Helper()
	byKey = map[string]*types.ItemCollectionMetrics{}
	for i := range list {
		k := list[i].ItemCollectionKey["pk"].(*types.AttributeValueMemberS).Value
		if byKey[k] != nil {
			t.Fatalf("collection %s reported twice", k)
		}
		byKey[k] = &list[i]
		order = append(order, k)
	}
	return order, byKey
}

// BatchWriteItem reports, under each table with a local index, each item
// collection its writes touched, once, in request order.
func TestItemCollectionMetricsBatchWrite(t *testing.T) {
	c := startEngineWith(t, collLimit).c
	lsiTab, plainTab := collTables(t, c)
	m := collModel{}
	put := func(it item) types.WriteRequest { return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}} }
	reqs := map[string][]types.WriteRequest{
		lsiTab: {
			put(m.put("p1", "1", true, 800)),
			put(m.put("p2", "1", false, 100)),
			put(m.put("p1", "2", true, 900)), // the same collection again
			{DeleteRequest: &types.DeleteRequest{Key: item{"pk": s("p3"), "sk": n("1")}}},
		},
		plainTab: {put(item{"pk": s("p1"), "sk": n("1")})},
	}
	cases := []struct {
		name  string
		mode  types.ReturnItemCollectionMetrics
		items map[string][]types.WriteRequest
		want  []string // partition keys reported for lsiTab, in order; nil: no ItemCollectionMetrics
	}{
		{"SIZE", types.ReturnItemCollectionMetricsSize, reqs, []string{"p1", "p2", "p3"}},
		{"NONE", types.ReturnItemCollectionMetricsNone, reqs, nil},
		{"no parameter", "", reqs, nil},
		{"SIZE on tables without local indexes", types.ReturnItemCollectionMetricsSize, map[string][]types.WriteRequest{plainTab: reqs[plainTab]}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: tc.items, ReturnItemCollectionMetrics: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.UnprocessedItems) != 0 {
				t.Fatalf("unprocessed: %v", out.UnprocessedItems)
			}
			if tc.want == nil {
				if out.ItemCollectionMetrics != nil {
					t.Fatalf("ItemCollectionMetrics %+v, want none", out.ItemCollectionMetrics)
				}
				return
			}
			if len(out.ItemCollectionMetrics) != 1 {
				t.Fatalf("ItemCollectionMetrics for tables %v, want %s only", out.ItemCollectionMetrics, lsiTab)
			}
			order, byKey := metricsByKey(t, out.ItemCollectionMetrics[lsiTab])
			if fmt.Sprint(order) != fmt.Sprint(tc.want) {
				t.Fatalf("collections %v, want %v", order, tc.want)
			}
			for _, pk := range tc.want {
				checkMetrics(t, pk, byKey[pk], pk, m.estimate(pk))
			}
		})
	}
	if m.size("p1") < collLimit/10 {
		t.Fatalf("collection p1 holds %d bytes: the test no longer checks a size past the first GB", m.size("p1"))
	}
}

// TransactWriteItems reports each item collection its Put, Update and
// Delete actions touched, with the size after all of them; a
// ConditionCheck writes nothing and is not reported; a cancelled
// transaction reports nothing.
func TestItemCollectionMetricsTransactWrite(t *testing.T) {
	c := startEngineWith(t, collLimit).c
	lsiTab, plainTab := collTables(t, c)
	m := collModel{}
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: &lsiTab, Item: m.put("t2", "1", true, 300)}); err != nil {
		t.Fatal(err)
	}
	size := types.ReturnItemCollectionMetricsSize
	acts := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &lsiTab, Item: m.put("t1", "1", true, 900)}},
		{Update: &types.Update{TableName: &lsiTab, Key: item{"pk": s("t1"), "sk": n("2")}, UpdateExpression: aws.String("SET filler = :p, age = :a"),
			ExpressionAttributeValues: item{":p": s(strings.Repeat("x", 400)), ":a": n("1")}}},
		{Delete: &types.Delete{TableName: &lsiTab, Key: item{"pk": s("t2"), "sk": n("1")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: &lsiTab, Key: item{"pk": s("t3"), "sk": n("1")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: &types.Put{TableName: &plainTab, Item: item{"pk": s("t1"), "sk": n("1")}}},
	}
	out, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: acts, ReturnItemCollectionMetrics: size})
	if err != nil {
		t.Fatal(err)
	}
	m.put("t1", "2", true, 400)
	delete(m["t2"], "1")
	if len(out.ItemCollectionMetrics) != 1 {
		t.Fatalf("ItemCollectionMetrics for tables %v, want %s only", out.ItemCollectionMetrics, lsiTab)
	}
	order, byKey := metricsByKey(t, out.ItemCollectionMetrics[lsiTab])
	if fmt.Sprint(order) != "[t1 t2]" {
		t.Fatalf("collections %v, want [t1 t2]", order)
	}
	checkMetrics(t, "t1", byKey["t1"], "t1", m.estimate("t1"))
	checkMetrics(t, "t2", byKey["t2"], "t2", m.estimate("t2"))
	if m.size("t1") < 2*collLimit/10 {
		t.Fatalf("collection t1 holds %d bytes: the test no longer tells the sum of both writes from either", m.size("t1"))
	}

	for _, tc := range []struct {
		name string
		mode types.ReturnItemCollectionMetrics
		acts []types.TransactWriteItem
		err  string
	}{
		{"NONE", types.ReturnItemCollectionMetricsNone, acts[:1], ""},
		{"no parameter", "", acts[:1], ""},
		{"only tables without local indexes, and checks", size, acts[3:], ""},
		{"cancelled", size, []types.TransactWriteItem{acts[0], {ConditionCheck: &types.ConditionCheck{TableName: &lsiTab,
			Key: item{"pk": s("t1"), "sk": n("2")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}}}, "TransactionCanceledException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: tc.acts, ReturnItemCollectionMetrics: tc.mode})
			if tc.err != "" {
				wantErr(t, err, tc.err, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.ItemCollectionMetrics != nil {
				t.Fatalf("ItemCollectionMetrics %+v, want none", out.ItemCollectionMetrics)
			}
		})
	}
}

// On a replicated cluster, every node answers a write with the same
// metrics, whichever receives it.
func TestItemCollectionMetricsOnReplicatedCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	srv, err := server.Start(bg, server.Options{Addr: "127.0.0.1:0", Nodes: 3, Seed: 1, ItemCollectionLimit: collLimit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cl := srv.Cluster()
	var urls []string
	for _, id := range cl.NodeIDs() {
		urls = append(urls, cl.NodeURL(id))
	}
	if len(urls) != 3 {
		t.Fatalf("%d node URLs, want 3", len(urls))
	}
	c := sdkClient(t, urls[0])
	lsiTab, _ := collTables(t, c)
	// Items of ~1.5 KB with their LSI entries: the collection grows by
	// about 3 of the test engine's "GB" (1 KB) per write, so a size lost on
	// the way from the leader reads [0,1] and fails.
	m := collModel{}
	for i, u := range urls {
		in := m.put("k", fmt.Sprint(i), true, 1500)
		out, err := sdkClient(t, u).PutItem(bg, &dynamodb.PutItemInput{TableName: &lsiTab,
			Item: in, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		if want := m.estimate("k"); want[0] == 0 {
			t.Fatalf("node %d: the model's estimate %v does not test the size", i, want)
		}
		checkMetrics(t, fmt.Sprint("node ", i), out.ItemCollectionMetrics, "k", m.estimate("k"))
	}
}
