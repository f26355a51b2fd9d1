package conformance

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// indexesSpecs: global and local secondary indexes.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
// ("queries on global secondary indexes support eventual consistency only";
// sparse indexes: an item without the index key attributes is not in the
// index; projections KEYS_ONLY / INCLUDE / ALL), LSI.html (same partition
// key, strongly consistent reads allowed), API_CreateTable.html
// (GlobalSecondaryIndexes / LocalSecondaryIndexes), API_Query.html
// (IndexName, Select ALL_PROJECTED_ATTRIBUTES); scylladb
// test/alternator/test_gsi.py and test_lsi.py (validated against DynamoDB:
// index key type mismatches and ConsistentRead on a GSI are
// ValidationExceptions).
func (e *env) indexesSpecs() {
	Describe("indexes", Label("indexes"), Ordered, ContinueOnFailure, func() {
		tbl := new(string)
		BeforeAll(func() {
			*tbl = e.name("indexes")
			in := hashRange("pk", "S", "sk", "N").input(*tbl)
			in.AttributeDefinitions = append(in.AttributeDefinitions,
				types.AttributeDefinition{AttributeName: aws.String("gk"), AttributeType: types.ScalarAttributeTypeS},
				types.AttributeDefinition{AttributeName: aws.String("gs"), AttributeType: types.ScalarAttributeTypeN},
				types.AttributeDefinition{AttributeName: aws.String("ls"), AttributeType: types.ScalarAttributeTypeS})
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{
				{IndexName: aws.String("all"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("gk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("gs"), KeyType: types.KeyTypeRange}}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}},
				{IndexName: aws.String("keys"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("gk"), KeyType: types.KeyTypeHash}},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}},
				{IndexName: aws.String("incl"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("gk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("gs"), KeyType: types.KeyTypeRange}},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"x"}}},
			}
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{
				{IndexName: aws.String("local"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("ls"), KeyType: types.KeyTypeRange}}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}},
			}
			Expect(e.createTable(in)).To(Succeed())
			Eventually(func() bool {
				out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: tbl})
				Expect(err).NotTo(HaveOccurred())
				for _, g := range out.Table.GlobalSecondaryIndexes {
					if g.IndexStatus != types.IndexStatusActive {
						return false
					}
				}
				return true
			}).WithTimeout(5 * 60e9).WithPolling(200e6).Should(BeTrue())
		})
		AfterAll(func() {
			if *tbl != "" {
				e.deleteTable(*tbl)
			}
		})

		put := func(it map[string]av) {
			GinkgoHelper()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: tbl, Item: it})
			Expect(err).NotTo(HaveOccurred())
		}
		queryIndex := func(index, gk string, extra func(in *dynamodb.QueryInput)) func() ([]map[string]any, error) {
			return func() ([]map[string]any, error) {
				in := &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String(index), KeyConditionExpression: aws.String("gk = :g"),
					ExpressionAttributeValues: item(":g", S(gk))}
				if extra != nil {
					extra(in)
				}
				out, err := e.ddb.Query(e.ctx, in)
				if err != nil {
					return nil, err
				}
				return plainItems(out.Items), nil
			}
		}
		eventually := func(f func() ([]map[string]any, error)) AsyncAssertion {
			return Eventually(func() []map[string]any {
				got, err := f()
				Expect(err).NotTo(HaveOccurred())
				return got
			}).WithTimeout(10e9).WithPolling(50e6)
		}

		It("DescribeTable lists the indexes with their key schemas and projections", func() {
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: tbl})
			Expect(err).NotTo(HaveOccurred())
			names := map[string]types.ProjectionType{}
			for _, g := range out.Table.GlobalSecondaryIndexes {
				names[aws.ToString(g.IndexName)] = g.Projection.ProjectionType
			}
			Expect(names).To(Equal(map[string]types.ProjectionType{"all": types.ProjectionTypeAll, "keys": types.ProjectionTypeKeysOnly, "incl": types.ProjectionTypeInclude}))
			Expect(out.Table.LocalSecondaryIndexes).To(HaveLen(1))
			Expect(aws.ToString(out.Table.LocalSecondaryIndexes[0].IndexName)).To(Equal("local"))
		})

		It("a GSI query finds items by the index key, sorted by the index sort key", func() {
			g := e.key()
			for i := 3; i >= 1; i-- {
				put(item("pk", S(e.key()), "sk", N("1"), "gk", S(g), "gs", N(fmt.Sprint(i)), "v", N(fmt.Sprint(i*10))))
			}
			eventually(queryIndex("all", g, nil)).Should(HaveLen(3))
			got, err := queryIndex("all", g, nil)()
			Expect(err).NotTo(HaveOccurred())
			var order []any
			for _, it := range got {
				order = append(order, it["gs"])
			}
			Expect(order).To(Equal([]any{plain(N("1")), plain(N("2")), plain(N("3"))}))
		})

		It("a GSI is sparse: items without its key are not in it", func() {
			g := e.key()
			put(item("pk", S(e.key()), "sk", N("1"), "gk", S(g), "gs", N("1")))
			put(item("pk", S(e.key()), "sk", N("1"), "gk", S(g))) // no gs: not in "all"
			eventually(queryIndex("keys", g, nil)).Should(HaveLen(2))
			eventually(queryIndex("all", g, nil)).Should(HaveLen(1))
		})

		It("a KEYS_ONLY index returns the table and index keys only", func() {
			g, k := e.key(), e.key()
			put(item("pk", S(k), "sk", N("5"), "gk", S(g), "gs", N("9"), "x", S("x"), "y", S("y")))
			eventually(queryIndex("keys", g, nil)).Should(Equal([]map[string]any{plainItem(item("pk", S(k), "sk", N("5"), "gk", S(g)))}))
		})

		It("an INCLUDE index returns the keys and the included attributes", func() {
			g, k := e.key(), e.key()
			put(item("pk", S(k), "sk", N("5"), "gk", S(g), "gs", N("9"), "x", S("x"), "y", S("y")))
			eventually(queryIndex("incl", g, nil)).Should(Equal([]map[string]any{plainItem(item("pk", S(k), "sk", N("5"), "gk", S(g), "gs", N("9"), "x", S("x")))}))
		})

		It("updating the index key moves the item in the index", func() {
			g1, g2, k := e.key(), e.key(), e.key()
			put(item("pk", S(k), "sk", N("1"), "gk", S(g1), "gs", N("1")))
			eventually(queryIndex("all", g1, nil)).Should(HaveLen(1))
			_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: item("pk", S(k), "sk", N("1")),
				UpdateExpression: aws.String("SET gk = :g"), ExpressionAttributeValues: item(":g", S(g2))})
			Expect(err).NotTo(HaveOccurred())
			eventually(queryIndex("all", g1, nil)).Should(BeEmpty())
			eventually(queryIndex("all", g2, nil)).Should(HaveLen(1))
		})

		It("deleting an item removes it from the index", func() {
			g, k := e.key(), e.key()
			put(item("pk", S(k), "sk", N("1"), "gk", S(g), "gs", N("1")))
			eventually(queryIndex("all", g, nil)).Should(HaveLen(1))
			_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: item("pk", S(k), "sk", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			eventually(queryIndex("all", g, nil)).Should(BeEmpty())
		})

		It("a GSI query's LastEvaluatedKey holds the table and index keys", func() {
			g := e.key()
			for i := 1; i <= 3; i++ {
				put(item("pk", S(e.key()), "sk", N("1"), "gk", S(g), "gs", N(fmt.Sprint(i))))
			}
			eventually(queryIndex("all", g, nil)).Should(HaveLen(3))
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("all"), KeyConditionExpression: aws.String("gk = :g"),
				ExpressionAttributeValues: item(":g", S(g)), Limit: aws.Int32(1)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.LastEvaluatedKey).To(HaveLen(4))
			Expect(out.LastEvaluatedKey).To(HaveKey("pk"))
			Expect(out.LastEvaluatedKey).To(HaveKey("sk"))
			Expect(out.LastEvaluatedKey).To(HaveKey("gk"))
			Expect(out.LastEvaluatedKey).To(HaveKey("gs"))
		})

		It("a GSI query pages through every item", func() {
			g := e.key()
			for i := 1; i <= 5; i++ {
				put(item("pk", S(e.key()), "sk", N("1"), "gk", S(g), "gs", N(fmt.Sprint(i))))
			}
			eventually(queryIndex("all", g, nil)).Should(HaveLen(5))
			p := dynamodb.NewQueryPaginator(e.ddb, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("all"), KeyConditionExpression: aws.String("gk = :g"),
				ExpressionAttributeValues: item(":g", S(g)), Limit: aws.Int32(2)})
			n := 0
			for pages := 0; p.HasMorePages() && pages < 20; pages++ {
				out, err := p.NextPage(e.ctx)
				Expect(err).NotTo(HaveOccurred())
				n += len(out.Items)
			}
			Expect(n).To(Equal(5))
		})

		It("an LSI query orders one partition by the index sort key and reads consistently", func() {
			k := e.key()
			for i, ls := range []string{"c", "a", "b"} {
				put(item("pk", S(k), "sk", N(fmt.Sprint(i)), "ls", S(ls)))
			}
			put(item("pk", S(k), "sk", N("9"))) // no ls: not in the LSI
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("local"), KeyConditionExpression: aws.String("pk = :k"),
				ExpressionAttributeValues: item(":k", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			var order []string
			for _, it := range out.Items {
				order = append(order, it["ls"].(*types.AttributeValueMemberS).Value)
			}
			Expect(order).To(Equal([]string{"a", "b", "c"}))
		})

		It("a GSI can be scanned", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: tbl, IndexName: aws.String("keys"), Limit: aws.Int32(5)})
			Expect(err).NotTo(HaveOccurred())
			for _, it := range out.Items {
				Expect(it).To(HaveKey("gk"))
			}
		})

		It("Select ALL_PROJECTED_ATTRIBUTES is allowed on an index", func() {
			_, err := queryIndex("incl", e.key(), func(in *dynamodb.QueryInput) { in.Select = types.SelectAllProjectedAttributes })()
			Expect(err).NotTo(HaveOccurred())
		})

		DescribeTable("an invalid index query fails with ValidationException",
			func(index string, mut func(in *dynamodb.QueryInput), msg string) {
				_, err := queryIndex(index, "g", mut)()
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("ConsistentRead on a GSI", "all", func(in *dynamodb.QueryInput) { in.ConsistentRead = aws.Bool(true) },
				"Consistent reads are not supported on global secondary indexes"),
			Entry("an unknown index", "nope", nil, "~nope"),
			Entry("the table's key on a GSI", "all", func(in *dynamodb.QueryInput) {
				in.KeyConditionExpression = aws.String("pk = :g")
			}, ""),
			Entry("ALL_ATTRIBUTES on a KEYS_ONLY index", "keys", func(in *dynamodb.QueryInput) { in.Select = types.SelectAllAttributes }, ""),
		)

		DescribeTable("a write whose index key is invalid fails with ValidationException",
			func(it map[string]av, msg string) {
				it["pk"], it["sk"] = S(e.key()), N("1")
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: tbl, Item: it})
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("a GSI hash key of the wrong type", item("gk", N("1")), "~Type mismatch for Index Key"),
			Entry("a GSI range key of the wrong type", item("gk", S("g"), "gs", S("1")), "~Type mismatch for Index Key"),
			Entry("an LSI key of the wrong type", item("ls", N("1")), "~Type mismatch for Index Key"),
			Entry("an empty string GSI key", item("gk", S("")), "~empty string"),
		)

		// Developer Guide, Service quotas, "Item size for tables with Local
		// Secondary Indexes": for each local index, the item and its entries
		// in all local indexes must fit in 400 KB together.
		It("an item that fits in 400 KB alone but not with its LSI entry fails with ValidationException", func() {
			fill := strings.Repeat("x", 250_000)
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item("pk", S(e.key()), "sk", N("1"), "ls", S("a"), "fill", S(fill))})
			Expect(err).To(beAPIError(errValidation))
			// Without the LSI's key the item is not in the index, and fits.
			put(item("pk", S(e.key()), "sk", N("1"), "fill", S(fill)))
		})

		create := func(mut func(in *dynamodb.CreateTableInput)) error {
			in := hashRange("pk", "S", "sk", "N").input(e.name("indexes"))
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("gk"), AttributeType: types.ScalarAttributeTypeS})
			mut(in)
			_, err := e.ddb.CreateTable(e.ctx, in)
			if err == nil {
				DeferCleanup(e.deleteTable, aws.ToString(in.TableName))
			}
			return err
		}
		gsi := func(name, key string) types.GlobalSecondaryIndex {
			return types.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(key), KeyType: types.KeyTypeHash}},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}
		}
		DescribeTable("CreateTable rejects invalid indexes with ValidationException",
			func(mut func(in *dynamodb.CreateTableInput)) { Expect(create(mut)).To(beAPIError(errValidation)) },
			Entry("a GSI key not in AttributeDefinitions", func(in *dynamodb.CreateTableInput) {
				in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("g", "undefined")}
			}),
			Entry("two indexes with one name", func(in *dynamodb.CreateTableInput) {
				in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("g", "gk"), gsi("g", "gk")}
			}),
			Entry("a GSI without a projection", func(in *dynamodb.CreateTableInput) {
				g := gsi("g", "gk")
				g.Projection = nil
				in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{g}
			}),
			Entry("an LSI with another hash key", func(in *dynamodb.CreateTableInput) {
				in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("l"), KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("gk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
			}),
			Entry("an LSI without a sort key", func(in *dynamodb.CreateTableInput) {
				in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("l"), KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
			}),
			Entry("an index name of two characters", func(in *dynamodb.CreateTableInput) {
				in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("ab", "gk")}
			}),
			Entry("INCLUDE without NonKeyAttributes", func(in *dynamodb.CreateTableInput) {
				g := gsi("g", "gk")
				g.Projection = &types.Projection{ProjectionType: types.ProjectionTypeInclude}
				in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{g}
			}),
			Entry("NonKeyAttributes with ALL", func(in *dynamodb.CreateTableInput) {
				g := gsi("g", "gk")
				g.Projection = &types.Projection{ProjectionType: types.ProjectionTypeAll, NonKeyAttributes: []string{"x"}}
				in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{g}
			}),
		)
	})
}
