package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func attr(name string, t types.ScalarAttributeType) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: t}
}

func keys(hash, rng string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	return ks
}

func gsi(name, hash, rng string, p types.ProjectionType, nonKey ...string) types.GlobalSecondaryIndex {
	pr := &types.Projection{ProjectionType: p}
	if nonKey != nil {
		pr.NonKeyAttributes = nonKey
	}
	return types.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: keys(hash, rng), Projection: pr}
}

func lsi(name, rng string, p types.ProjectionType, nonKey ...string) types.LocalSecondaryIndex {
	pr := &types.Projection{ProjectionType: p}
	if nonKey != nil {
		pr.NonKeyAttributes = nonKey
	}
	return types.LocalSecondaryIndex{IndexName: aws.String(name), KeySchema: keys("pk", rng), Projection: pr}
}

// indexedTable creates table pk(S)/sk(N) with a GSI "byCity" (city S,
// age N, INCLUDE name), a KEYS_ONLY GSI "byCityKeys" and an LSI "byAge"
// (age N, KEYS_ONLY).
func indexedTable(t *testing.T, c *dynamodb.Client) string {
	t.Helper()
	in := tableInput(types.ScalarAttributeTypeN)
	in.AttributeDefinitions = append(in.AttributeDefinitions, attr("city", types.ScalarAttributeTypeS), attr("age", types.ScalarAttributeTypeN))
	in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("byCity", "city", "age", types.ProjectionTypeInclude, "name"), gsi("byCityKeys", "city", "", types.ProjectionTypeKeysOnly)}
	in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{lsi("byAge", "age", types.ProjectionTypeKeysOnly)}
	if _, err := c.CreateTable(bg, in); err != nil {
		t.Fatal(err)
	}
	return *in.TableName
}

func person(pk string, sk int, city string, age int, name string) item {
	it := item{"pk": s(pk), "sk": n(fmt.Sprint(sk)), "name": s(name), "other": s("x")}
	if city != "" {
		it["city"] = s(city)
	}
	if age >= 0 {
		it["age"] = n(fmt.Sprint(age))
	}
	return it
}

func names(items []item) string {
	var out []string
	for _, it := range items {
		if v, ok := it["name"].(*types.AttributeValueMemberS); ok {
			out = append(out, v.Value)
		} else {
			out = append(out, it["pk"].(*types.AttributeValueMemberS).Value+"/"+num(it, "sk"))
		}
	}
	return strings.Join(out, ",")
}

func TestSecondaryIndexes(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := indexedTable(t, c)
	for _, p := range []item{
		person("a", 1, "Oslo", 30, "ann"),
		person("a", 2, "Oslo", 20, "bob"),
		person("b", 1, "Oslo", 40, "cat"),
		person("b", 2, "Rome", 25, "dan"),
		person("c", 1, "", 50, "eve"), // not in the GSIs: sparse
	} {
		if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: p}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(tab)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Table.GlobalSecondaryIndexes) != 2 || d.Table.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive ||
		len(d.Table.LocalSecondaryIndexes) != 1 || *d.Table.LocalSecondaryIndexes[0].IndexName != "byAge" {
		t.Fatalf("describe: %+v %+v", d.Table.GlobalSecondaryIndexes, d.Table.LocalSecondaryIndexes)
	}

	// LSI: strongly consistent, sorted by age; KEYS_ONLY unless attributes
	// are asked for, then fetched from the table.
	q := func(in *dynamodb.QueryInput) *dynamodb.QueryOutput {
		t.Helper()
		in.TableName = aws.String(tab)
		out, err := c.Query(bg, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := q(&dynamodb.QueryInput{IndexName: aws.String("byAge"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("a")}})
	if got := names(out.Items); got != "a/2,a/1" || out.Items[0]["other"] != nil {
		t.Fatalf("LSI keys-only query: %s %v", got, out.Items)
	}
	out = q(&dynamodb.QueryInput{IndexName: aws.String("byAge"), Select: types.SelectAllAttributes,
		KeyConditionExpression: aws.String("pk = :p AND age > :a"), ExpressionAttributeValues: item{":p": s("a"), ":a": n("25")}})
	if got := names(out.Items); got != "ann" || out.Items[0]["other"] == nil {
		t.Fatalf("LSI ALL_ATTRIBUTES query: %s", got)
	}

	// GSI: eventually consistent — after a feeder pass the items are there,
	// ordered by the index sort key, projected (INCLUDE name).
	e.h.RunBackgroundOnce(bg)
	out = q(&dynamodb.QueryInput{IndexName: aws.String("byCity"),
		KeyConditionExpression: aws.String("city = :c"), ExpressionAttributeValues: item{":c": s("Oslo")}})
	if got := names(out.Items); got != "bob,ann,cat" || out.Items[0]["other"] != nil || out.Items[0]["pk"] == nil {
		t.Fatalf("GSI query: %s %v", got, out.Items)
	}
	// Pagination through the index: LastEvaluatedKey carries table and
	// index keys.
	var pages []string
	var start item
	for i := 0; i < 5; i++ {
		out = q(&dynamodb.QueryInput{IndexName: aws.String("byCity"), Limit: aws.Int32(2), ExclusiveStartKey: start,
			KeyConditionExpression: aws.String("city = :c AND age BETWEEN :lo AND :hi"), ExpressionAttributeValues: item{":c": s("Oslo"), ":lo": n("20"), ":hi": n("40")}})
		pages = append(pages, names(out.Items))
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 4 {
			t.Fatalf("LastEvaluatedKey %v", out.LastEvaluatedKey)
		}
		start = out.LastEvaluatedKey
	}
	if got := strings.Join(pages, "|"); got != "bob,ann|cat" {
		t.Fatalf("pages %s", got)
	}
	// The index follows updates and deletes (after the feeder runs).
	if _, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(tab), Key: item{"pk": s("a"), "sk": n("1")},
		UpdateExpression: aws.String("SET city = :r"), ExpressionAttributeValues: item{":r": s("Rome")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: aws.String(tab), Key: item{"pk": s("b"), "sk": n("1")}}); err != nil {
		t.Fatal(err)
	}
	e.h.RunBackgroundOnce(bg)
	sc, err := c.Scan(bg, &dynamodb.ScanInput{TableName: aws.String(tab), IndexName: aws.String("byCityKeys")})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Count != 3 {
		t.Fatalf("GSI scan after update/delete: %d items %v", sc.Count, sc.Items)
	}
	out = q(&dynamodb.QueryInput{IndexName: aws.String("byCity"),
		KeyConditionExpression: aws.String("city = :c"), ExpressionAttributeValues: item{":c": s("Rome")}})
	if got := names(out.Items); got != "dan,ann" {
		t.Fatalf("GSI after update: %s", got)
	}

	// What DynamoDB refuses.
	_, err = c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tab), IndexName: aws.String("byCity"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("city = :c"), ExpressionAttributeValues: item{":c": s("Rome")}})
	wantErr(t, err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	_, err = c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tab), IndexName: aws.String("nope"),
		KeyConditionExpression: aws.String("city = :c"), ExpressionAttributeValues: item{":c": s("Rome")}})
	wantErr(t, err, "ValidationException", "The table does not have the specified index: nope")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: item{"pk": s("z"), "sk": n("1"), "city": n("7")}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key city Expected: S Actual: N IndexName: byCity")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: item{"pk": s("z"), "sk": n("1"), "city": s(strings.Repeat("c", 2049))}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Size limit exceeded for Index Key city Actual Size: 2049 bytes Max Size: 2048 bytes IndexName: byCity")
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(tab), Key: item{"pk": s("a"), "sk": n("2")},
		UpdateExpression: aws.String("SET age = :x"), ExpressionAttributeValues: item{":x": s("old")}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key age Expected: N Actual: S IndexName: byCity")
}

func TestCreateTableIndexValidation(t *testing.T) {
	e := startEngine(t)
	c := e.c
	base := func() *dynamodb.CreateTableInput {
		in := tableInput(types.ScalarAttributeTypeN)
		in.AttributeDefinitions = append(in.AttributeDefinitions, attr("g", types.ScalarAttributeTypeS))
		return in
	}
	cases := []struct {
		name string
		mod  func(in *dynamodb.CreateTableInput)
		msg  string
	}{
		{"LSI on a table without range key", func(in *dynamodb.CreateTableInput) {
			in.KeySchema = keys("pk", "")
			in.AttributeDefinitions = []types.AttributeDefinition{attr("pk", types.ScalarAttributeTypeS), attr("g", types.ScalarAttributeTypeS)}
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{lsi("lsi1", "g", types.ProjectionTypeAll)}
		}, "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		{"LSI with another hash key", func(in *dynamodb.CreateTableInput) {
			x := lsi("lsi1", "g", types.ProjectionTypeAll)
			x.KeySchema = keys("g", "sk")
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{x}
		}, "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi1. index hash key: g, table hash key: pk"},
		{"duplicate index names", func(in *dynamodb.CreateTableInput) {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("idx1", "g", "", types.ProjectionTypeAll)}
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{lsi("idx1", "g", types.ProjectionTypeAll)}
		}, "One or more parameter values were invalid: Duplicate index name: idx1"},
		{"index key not defined", func(in *dynamodb.CreateTableInput) {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("idx1", "g", "h", types.ProjectionTypeAll)}
		}, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [g, h], AttributeDefinitions: [pk, sk, g]"},
		{"attribute defined but unused", func(in *dynamodb.CreateTableInput) {},
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"LSI without range key", func(in *dynamodb.CreateTableInput) {
			x := lsi("lsi1", "", types.ProjectionTypeAll)
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{x}
			in.AttributeDefinitions = in.AttributeDefinitions[:2]
		}, "One or more parameter values were invalid: Index KeySchema does not have a range key for index: lsi1"},
		{"projection type missing", func(in *dynamodb.CreateTableInput) {
			x := gsi("idx1", "g", "", "")
			x.Projection = &types.Projection{}
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{x}
		}, "One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"index hash and range the same", func(in *dynamodb.CreateTableInput) {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("idx1", "g", "g", types.ProjectionTypeAll)}
		}, "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"NonKeyAttributes with ALL", func(in *dynamodb.CreateTableInput) {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("idx1", "g", "", types.ProjectionTypeAll, "a")}
		}, "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified"},
		{"throughput on an on-demand table's GSI", func(in *dynamodb.CreateTableInput) {
			x := gsi("idx1", "g", "", types.ProjectionTypeAll)
			x.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{x}
		}, "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: idx1 when BillingMode is PAY_PER_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.mod(in)
			_, err := c.CreateTable(bg, in)
			wantErr(t, err, "ValidationException", tc.msg)
		})
	}
}

// UpdateTable adds a GSI to a table with data: CREATING with Backfilling,
// then (after the backfill) ACTIVE and queryable; and deletes it.
func TestUpdateTableGSI(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	for i := 0; i < 30; i++ {
		it := item{"pk": s(fmt.Sprint("k", i)), "color": s([]string{"red", "blue", "green"}[i%3])}
		if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	create := types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("byColor"),
		KeySchema: keys("color", ""), Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
	_, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(tab), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [color], AttributeDefinitions: []")
	up, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(tab), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create},
		AttributeDefinitions: []types.AttributeDefinition{attr("color", types.ScalarAttributeTypeS)}})
	if err != nil {
		t.Fatal(err)
	}
	g := up.TableDescription.GlobalSecondaryIndexes
	if len(g) != 1 || g[0].IndexStatus != types.IndexStatusCreating || !*g[0].Backfilling {
		t.Fatalf("after create: %+v", g)
	}
	query := func() (*dynamodb.QueryOutput, error) {
		return c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tab), IndexName: aws.String("byColor"),
			KeyConditionExpression: aws.String("color = :c"), ExpressionAttributeValues: item{":c": s("red")}})
	}
	_, err = query()
	wantErr(t, err, "ValidationException", "Cannot read from backfilling global secondary index: byColor")
	e.h.RunBackgroundOnce(bg)
	d, err := c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(tab)})
	if err != nil || d.Table.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive || *d.Table.GlobalSecondaryIndexes[0].ItemCount != 30 {
		t.Fatalf("after backfill: %+v %v", d.Table.GlobalSecondaryIndexes, err)
	}
	out, err := query()
	if err != nil || out.Count != 10 {
		t.Fatalf("query after backfill: %v %v", out, err)
	}
	del := types.GlobalSecondaryIndexUpdate{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byColor")}}
	if _, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(tab), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{del}}); err != nil {
		t.Fatal(err)
	}
	_, err = query()
	wantErr(t, err, "ValidationException", "The table does not have the specified index: byColor")
	_, err = c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(tab), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create, del}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: byColor")
	other := types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("byColor2"),
		KeySchema: keys("color", ""), Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
	_, err = c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(tab), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create, other},
		AttributeDefinitions: []types.AttributeDefinition{attr("color", types.ScalarAttributeTypeS)}})
	wantErr(t, err, "LimitExceededException", "")
}

// Writes that would grow an item collection of a table with an LSI past
// the limit are refused; other partition keys are unaffected.
func TestItemCollectionSizeLimit(t *testing.T) {
	c := startEngineWith(t, 4096).c // a 4 KB item-collection limit
	in := tableInput(types.ScalarAttributeTypeN)
	in.AttributeDefinitions = append(in.AttributeDefinitions, attr("age", types.ScalarAttributeTypeN))
	in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{lsi("byAge", "age", types.ProjectionTypeAll)}
	if _, err := c.CreateTable(bg, in); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 900)
	var err error
	i := 0
	for ; i < 10 && err == nil; i++ {
		_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: in.TableName, Item: item{"pk": s("p"), "sk": n(fmt.Sprint(i)), "age": n("1"), "pad": s(big)}})
	}
	wantErr(t, err, "ItemCollectionSizeLimitExceededException", "")
	if i < 2 {
		t.Fatalf("refused at the %d. item", i)
	}
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: in.TableName, Item: item{"pk": s("q"), "sk": n("1"), "age": n("1"), "pad": s(big)}}); err != nil {
		t.Fatalf("another collection: %v", err)
	}
}
