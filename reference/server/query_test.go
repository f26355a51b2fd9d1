package server

import (
	"bytes"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"pgregory.net/rapid"
)

// modelItem is an item of the pagination model: partition key, sort key.
type modelItem struct {
	pk string
	sk types.AttributeValue
}

func skLess(a, b types.AttributeValue) bool {
	switch x := a.(type) {
	case *types.AttributeValueMemberN:
		ra, _ := new(big.Rat).SetString(x.Value)
		rb, _ := new(big.Rat).SetString(b.(*types.AttributeValueMemberN).Value)
		return ra.Cmp(rb) < 0
	case *types.AttributeValueMemberS:
		return x.Value < b.(*types.AttributeValueMemberS).Value
	case *types.AttributeValueMemberB:
		return bytes.Compare(x.Value, b.(*types.AttributeValueMemberB).Value) < 0
	}
	panic("bad sort key")
}

func skString(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberN:
		r, _ := new(big.Rat).SetString(x.Value)
		return "N" + r.RatString()
	case *types.AttributeValueMemberS:
		return "S" + x.Value
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("B%x", x.Value)
	}
	return "?"
}

func drawSK(t *rapid.T, typ types.ScalarAttributeType) types.AttributeValue {
	switch typ {
	case types.ScalarAttributeTypeN:
		whole := rapid.IntRange(-1000, 1000).Draw(t, "n")
		frac := rapid.IntRange(0, 99).Draw(t, "frac")
		return n(fmt.Sprintf("%d.%02d", whole, frac))
	case types.ScalarAttributeTypeS:
		return s(rapid.StringMatching(`[a-zA-Zé€ \x00-\x02]{1,6}`).Draw(t, "s"))
	default:
		return &types.AttributeValueMemberB{Value: rapid.SliceOfN(rapid.Byte(), 1, 5).Draw(t, "b")}
	}
}

func batchPut(t testing.TB, c *dynamodb.Client, table string, items []map[string]types.AttributeValue) {
	for i := 0; i < len(items); i += 25 {
		var reqs []types.WriteRequest
		for _, it := range items[i:min(i+25, len(items))] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		out, err := c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UnprocessedItems) != 0 {
			t.Fatalf("unprocessed items: %v", out.UnprocessedItems)
		}
	}
}

// Query pagination: for random tables and page sizes, in either direction,
// the concatenated pages equal the model's items of that partition key, in
// sort-key order, without duplicates; Count and ScannedCount add up.
func TestQueryPaginationProperty(t *testing.T) {
	_, c := startServer(t, Options{})
	rapid.Check(t, func(rt *rapid.T) {
		typ := rapid.SampledFrom([]types.ScalarAttributeType{types.ScalarAttributeTypeN, types.ScalarAttributeTypeS, types.ScalarAttributeTypeB}).Draw(rt, "type")
		tb := createTable(t, c, typ)
		defer c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String(tb)})
		model := map[string]modelItem{}
		var items []map[string]types.AttributeValue
		for i, cnt := 0, rapid.IntRange(0, 60).Draw(rt, "items"); i < cnt; i++ {
			m := modelItem{pk: rapid.SampledFrom([]string{"a", "b", "c"}).Draw(rt, "pk"), sk: drawSK(rt, typ)}
			id := m.pk + "/" + skString(m.sk)
			if _, dup := model[id]; dup {
				continue
			}
			model[id] = m
			items = append(items, map[string]types.AttributeValue{"pk": s(m.pk), "sk": m.sk, "i": n(fmt.Sprint(i))})
		}
		batchPut(t, c, tb, items)
		pk := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(rt, "query-pk")
		var want []string
		var wantItems []modelItem
		for _, m := range model {
			if m.pk == pk {
				wantItems = append(wantItems, m)
			}
		}
		sort.Slice(wantItems, func(i, j int) bool { return skLess(wantItems[i].sk, wantItems[j].sk) })
		forward := rapid.Bool().Draw(rt, "forward")
		for _, m := range wantItems {
			want = append(want, skString(m.sk))
		}
		if !forward {
			for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
				want[i], want[j] = want[j], want[i]
			}
		}
		limit := rapid.IntRange(1, 12).Draw(rt, "limit")
		var got []string
		var start map[string]types.AttributeValue
		for pages := 0; ; pages++ {
			if pages > len(want)+2 {
				rt.Fatalf("pagination does not terminate")
			}
			out, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(pk)}, Limit: aws.Int32(int32(limit)),
				ScanIndexForward: aws.Bool(forward), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
			if err != nil {
				rt.Fatal(err)
			}
			if int(out.Count) != len(out.Items) || out.ScannedCount != out.Count {
				rt.Fatalf("Count %d ScannedCount %d items %d", out.Count, out.ScannedCount, len(out.Items))
			}
			for _, it := range out.Items {
				got = append(got, skString(it["sk"]))
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			rt.Fatalf("pages gave\n%v\nwant\n%v", got, want)
		}
	})
}

// Scan pagination and parallel scan: every item exactly once, whatever the
// page size and the number of segments.
func TestScanPaginationProperty(t *testing.T) {
	_, c := startServer(t, Options{Partitions: 3})
	rapid.Check(t, func(rt *rapid.T) {
		tb := createTable(t, c, "")
		defer c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String(tb)})
		cnt := rapid.IntRange(0, 80).Draw(rt, "items")
		var items []map[string]types.AttributeValue
		for i := 0; i < cnt; i++ {
			items = append(items, map[string]types.AttributeValue{"pk": s(fmt.Sprintf("k%d", i))})
		}
		batchPut(t, c, tb, items)
		segments := rapid.IntRange(1, 7).Draw(rt, "segments")
		limit := rapid.IntRange(1, 20).Draw(rt, "limit")
		seen := map[string]int{}
		for seg := 0; seg < segments; seg++ {
			var start map[string]types.AttributeValue
			for pages := 0; ; pages++ {
				if pages > cnt+2 {
					rt.Fatalf("scan does not terminate")
				}
				in := &dynamodb.ScanInput{TableName: aws.String(tb), Limit: aws.Int32(int32(limit)), ExclusiveStartKey: start}
				if segments > 1 {
					in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(segments))
				}
				out, err := c.Scan(bg, in)
				if err != nil {
					rt.Fatal(err)
				}
				for _, it := range out.Items {
					seen[it["pk"].(*types.AttributeValueMemberS).Value]++
				}
				if out.LastEvaluatedKey == nil {
					break
				}
				start = out.LastEvaluatedKey
			}
		}
		if len(seen) != cnt {
			rt.Fatalf("scan saw %d distinct items, want %d", len(seen), cnt)
		}
		for k, v := range seen {
			if v != 1 {
				rt.Fatalf("item %s seen %d times", k, v)
			}
		}
	})
}

func TestQueryFilterSelectAndErrors(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, types.ScalarAttributeTypeN)
	var items []map[string]types.AttributeValue
	for i := 0; i < 10; i++ {
		items = append(items, map[string]types.AttributeValue{"pk": s("p"), "sk": n(fmt.Sprint(i)), "even": &types.AttributeValueMemberBOOL{Value: i%2 == 0}})
	}
	batchPut(t, c, tb, items)
	vals := map[string]types.AttributeValue{":p": s("p"), ":lo": n("2"), ":hi": n("7"), ":t": &types.AttributeValueMemberBOOL{Value: true}}
	out, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb),
		KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :lo AND :hi"), FilterExpression: aws.String("even = :t"),
		ExpressionAttributeValues: vals, Limit: aws.Int32(4)})
	if err != nil {
		t.Fatal(err)
	}
	// Limit applies before the filter: 4 read (2,3,4,5), 2 match (2,4).
	if out.ScannedCount != 4 || out.Count != 2 || out.LastEvaluatedKey == nil {
		t.Fatalf("ScannedCount %d Count %d LEK %v", out.ScannedCount, out.Count, out.LastEvaluatedKey)
	}
	cnt, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}, Select: types.SelectCount})
	if err != nil || cnt.Count != 10 || cnt.Items != nil {
		t.Fatalf("Select COUNT: %v %d %v", err, cnt.Count, cnt.Items)
	}
	_, err = c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb)})
	wantErr(t, err, "ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	_, err = c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}, Select: types.SelectSpecificAttributes})
	wantErr(t, err, "ValidationException", "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
	_, err = c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}, ExclusiveStartKey: map[string]types.AttributeValue{"pk": s("q"), "sk": n("1")}})
	wantErr(t, err, "ValidationException", "The provided starting key is outside query boundaries based on provided conditions")
}

// A page stops at 1 MB of items read.
func TestQueryOneMegabytePages(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, types.ScalarAttributeTypeN)
	big := strings.Repeat("x", 100*1024)
	var items []map[string]types.AttributeValue
	for i := 0; i < 25; i++ {
		items = append(items, map[string]types.AttributeValue{"pk": s("p"), "sk": n(fmt.Sprint(i)), "v": s(big)})
	}
	batchPut(t, c, tb, items)
	out, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}})
	if err != nil {
		t.Fatal(err)
	}
	// 100 KB items: the 11th brings the page past 1 MB.
	if len(out.Items) != 11 || out.LastEvaluatedKey == nil {
		t.Fatalf("first page has %d items, LEK %v", len(out.Items), out.LastEvaluatedKey)
	}
}

func TestBatchGetAndErrors(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, "")
	batchPut(t, c, tb, []map[string]types.AttributeValue{{"pk": s("a"), "v": n("1")}, {"pk": s("b"), "v": n("2")}})
	out, err := c.BatchGetItem(bg, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		tb: {Keys: []map[string]types.AttributeValue{key("a"), key("b"), key("zz")}, ProjectionExpression: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Responses[tb]) != 2 || len(out.Responses[tb][0]) != 1 {
		t.Fatalf("BatchGetItem responses %v", out.Responses)
	}
	_, err = c.BatchGetItem(bg, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		tb: {Keys: []map[string]types.AttributeValue{key("a"), key("a")}}}})
	wantErr(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	var many []map[string]types.AttributeValue
	for i := 0; i < 101; i++ {
		many = append(many, key(fmt.Sprint(i)))
	}
	_, err = c.BatchGetItem(bg, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{tb: {Keys: many}}})
	wantErr(t, err, "ValidationException", "")
	// BatchWriteItem: one bad request rejects the whole batch, nothing written.
	_, err = c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tb: {
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("new")}}},
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": n("1")}}},
	}}})
	wantErr(t, err, "ValidationException", "The provided key element does not match the schema")
	if get(t, c, tb, "new") != nil {
		t.Fatal("a rejected batch wrote an item")
	}
	_, err = c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tb: {
		{PutRequest: &types.PutRequest{Item: key("x")}}, {DeleteRequest: &types.DeleteRequest{Key: key("x")}},
	}}})
	wantErr(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	_, err = c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"nope": {
		{PutRequest: &types.PutRequest{Item: key("x")}}}}})
	wantErr(t, err, "ResourceNotFoundException", "")
}
