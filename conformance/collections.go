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

// collectionsSpecs: ItemCollectionMetrics, what writes to a table with a
// local secondary index report when ReturnItemCollectionMetrics is SIZE.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html
// ("only returned if the request asked for it. If the table does not have
// any local secondary indexes, this information is not returned";
// ItemCollectionKey "is the same as the partition key value of the item";
// SizeEstimateRangeGB "a two-element array containing a lower bound and an
// upper bound for the estimate" of the collection's size in gigabytes,
// items plus the attributes projected into the local indexes);
// API_PutItem.html, API_UpdateItem.html, API_DeleteItem.html (the response
// member of each); API_BatchWriteItem.html and API_TransactWriteItems.html
// (a map of table name to the item collections "affected by individual
// DeleteItem or PutItem operations" / "UpdateItem, PutItem, or DeleteItem
// operations": a ConditionCheck is not among them);
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ItemCollections
// (the five operations that report item collections; a small collection
// reports [0.0, 1.0]).
//
// What the documentation leaves open is not specified here: whether a
// delete of an absent item reports its collection, and whether a batch
// writing two items of one collection lists it once or twice.
func (e *env) collectionsSpecs() {
	Describe("collections", Label("collections"), Ordered, ContinueOnFailure, func() {
		lsiTable, plainTable := new(string), new(string)
		BeforeAll(func() {
			*lsiTable = e.name("collections")
			in := hashRange("pk", "S", "sk", "N").input(*lsiTable)
			in.AttributeDefinitions = append(in.AttributeDefinitions,
				types.AttributeDefinition{AttributeName: aws.String("ls"), AttributeType: types.ScalarAttributeTypeS})
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("byLs"),
				KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("ls"), KeyType: types.KeyTypeRange}},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
			Expect(e.createTable(in)).To(Succeed())
		})
		BeforeAll(func() {
			*plainTable = e.name("collections")
			Expect(e.createTable(hashRange("pk", "S", "sk", "N").input(*plainTable))).To(Succeed())
		})
		AfterAll(func() {
			for _, name := range []string{*lsiTable, *plainTable} {
				if name != "" {
					e.deleteTable(name)
				}
			}
		})

		size := types.ReturnItemCollectionMetricsSize
		row := func(pk, sk string, kv ...any) map[string]av {
			return item(append([]any{"pk", S(pk), "sk", N(sk)}, kv...)...)
		}
		put := func(table *string, it map[string]av) {
			GinkgoHelper()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: table, Item: it})
			Expect(err).NotTo(HaveOccurred())
		}
		// expectMetrics checks one ItemCollectionMetrics: the collection of
		// partition key pk, and an estimate whose bounds are ordered,
		// not negative, and hold a collection of at least minBytes and at
		// most maxBytes bytes (whether a GB is 10^9 or 2^30 bytes).
		expectMetrics := func(m *types.ItemCollectionMetrics, pk string, minBytes, maxBytes float64) {
			GinkgoHelper()
			Expect(m).NotTo(BeNil(), "no ItemCollectionMetrics")
			Expect(plainItem(m.ItemCollectionKey)).To(Equal(plainItem(item("pk", S(pk)))), "ItemCollectionKey")
			r := m.SizeEstimateRangeGB
			Expect(r).To(HaveLen(2), "SizeEstimateRangeGB")
			Expect(r[0]).To(BeNumerically(">=", 0), "lower bound")
			Expect(r[0]).To(BeNumerically("<=", r[1]), "lower bound above the upper")
			Expect(r[0]*1e9).To(BeNumerically("<=", maxBytes), "the lower bound exceeds the collection")
			Expect(r[1]*(1<<30)).To(BeNumerically(">=", minBytes), "the upper bound is below the collection")
		}
		// keysOf returns the partition keys of a table's list of metrics.
		keysOf := func(ms []types.ItemCollectionMetrics) []string {
			var out []string
			for _, m := range ms {
				if k, ok := m.ItemCollectionKey["pk"].(*types.AttributeValueMemberS); ok {
					out = append(out, k.Value)
				}
			}
			return out
		}

		It("PutItem with SIZE reports the item's collection", func() {
			k := e.key()
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: lsiTable, Item: row(k, "1", "ls", S("a")), ReturnItemCollectionMetrics: size})
			Expect(err).NotTo(HaveOccurred())
			expectMetrics(out.ItemCollectionMetrics, k, 1, 1<<20)
		})

		It("UpdateItem with SIZE reports the item's collection", func() {
			k := e.key()
			put(lsiTable, row(k, "1", "ls", S("a")))
			out, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: lsiTable, Key: row(k, "2"),
				UpdateExpression: aws.String("SET ls = :v"), ExpressionAttributeValues: item(":v", S("b")), ReturnItemCollectionMetrics: size})
			Expect(err).NotTo(HaveOccurred())
			expectMetrics(out.ItemCollectionMetrics, k, 1, 1<<20)
		})

		It("DeleteItem with SIZE reports the item's collection", func() {
			k := e.key()
			put(lsiTable, row(k, "1", "ls", S("a")))
			put(lsiTable, row(k, "2"))
			out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: lsiTable, Key: row(k, "1"), ReturnItemCollectionMetrics: size})
			Expect(err).NotTo(HaveOccurred())
			expectMetrics(out.ItemCollectionMetrics, k, 1, 1<<20)
		})

		It("the size estimate holds a collection of a few megabytes", func() {
			k := e.key()
			// An item and its index entries must fit in 400 KB together
			// (Developer Guide, Service quotas, "Item size for tables with
			// Local Secondary Indexes"): 150,000 bytes, twice, do.
			fill := strings.Repeat("x", 150_000)
			for i := 1; i < 10; i++ {
				put(lsiTable, row(k, fmt.Sprint(i), "ls", S(fmt.Sprint(i)), "fill", S(fill)))
			}
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: lsiTable, Item: row(k, "10", "ls", S("10"), "fill", S(fill)),
				ReturnItemCollectionMetrics: size})
			Expect(err).NotTo(HaveOccurred())
			// Ten items of 150,000+ bytes, each also in the index (ALL):
			// 3 MB at least; names, keys and index overhead add far less
			// than another 2 MB.
			expectMetrics(out.ItemCollectionMetrics, k, 20*150_000, 20*150_000+2<<20)
		})

		DescribeTable("no ItemCollectionMetrics unless asked",
			func(mode types.ReturnItemCollectionMetrics, write func(k string, mode types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error)) {
				k := e.key()
				put(lsiTable, row(k, "1", "ls", S("a")))
				m, err := write(k, mode)
				Expect(err).NotTo(HaveOccurred())
				Expect(m).To(BeNil())
			},
			Entry("PutItem with NONE", types.ReturnItemCollectionMetricsNone, func(k string, mode types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
				out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: lsiTable, Item: row(k, "2", "ls", S("b")), ReturnItemCollectionMetrics: mode})
				if err != nil {
					return nil, err
				}
				return out.ItemCollectionMetrics, nil
			}),
			Entry("PutItem without the parameter", types.ReturnItemCollectionMetrics(""), func(k string, mode types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
				out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: lsiTable, Item: row(k, "2", "ls", S("b")), ReturnItemCollectionMetrics: mode})
				if err != nil {
					return nil, err
				}
				return out.ItemCollectionMetrics, nil
			}),
			Entry("UpdateItem with NONE", types.ReturnItemCollectionMetricsNone, func(k string, mode types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
				out, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: lsiTable, Key: row(k, "1"),
					UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: item(":v", N("1")), ReturnItemCollectionMetrics: mode})
				if err != nil {
					return nil, err
				}
				return out.ItemCollectionMetrics, nil
			}),
			Entry("DeleteItem with NONE", types.ReturnItemCollectionMetricsNone, func(k string, mode types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
				out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: lsiTable, Key: row(k, "1"), ReturnItemCollectionMetrics: mode})
				if err != nil {
					return nil, err
				}
				return out.ItemCollectionMetrics, nil
			}),
		)

		DescribeTable("a table without local indexes reports no ItemCollectionMetrics even with SIZE",
			func(write func(k string) (bool, error)) {
				k := e.key()
				put(plainTable, row(k, "1"))
				reported, err := write(k)
				Expect(err).NotTo(HaveOccurred())
				Expect(reported).To(BeFalse())
			},
			Entry("PutItem", func(k string) (bool, error) {
				out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: plainTable, Item: row(k, "2"), ReturnItemCollectionMetrics: size})
				return err == nil && out.ItemCollectionMetrics != nil, err
			}),
			Entry("UpdateItem", func(k string) (bool, error) {
				out, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: plainTable, Key: row(k, "1"),
					UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: item(":v", N("1")), ReturnItemCollectionMetrics: size})
				return err == nil && out.ItemCollectionMetrics != nil, err
			}),
			Entry("DeleteItem", func(k string) (bool, error) {
				out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: plainTable, Key: row(k, "1"), ReturnItemCollectionMetrics: size})
				return err == nil && out.ItemCollectionMetrics != nil, err
			}),
			Entry("BatchWriteItem", func(k string) (bool, error) {
				out, err := e.ddb.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
					*plainTable: {{PutRequest: &types.PutRequest{Item: row(k, "2")}}}}, ReturnItemCollectionMetrics: size})
				return err == nil && len(out.ItemCollectionMetrics[*plainTable]) > 0, err
			}),
			Entry("TransactWriteItems", func(k string) (bool, error) {
				out, err := e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					{Put: &types.Put{TableName: plainTable, Item: row(k, "2")}}}, ReturnItemCollectionMetrics: size})
				return err == nil && len(out.ItemCollectionMetrics[*plainTable]) > 0, err
			}),
		)

		It("BatchWriteItem with SIZE reports each collection it wrote, under its table", func() {
			k1, k2, k3 := e.key(), e.key(), e.key()
			put(lsiTable, row(k2, "1", "ls", S("a")))
			out, err := e.ddb.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				*lsiTable: {
					{PutRequest: &types.PutRequest{Item: row(k1, "1", "ls", S("a"))}},
					{DeleteRequest: &types.DeleteRequest{Key: row(k2, "1")}},
				},
				*plainTable: {{PutRequest: &types.PutRequest{Item: row(k3, "1")}}},
			}, ReturnItemCollectionMetrics: size})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.UnprocessedItems).To(BeEmpty())
			Expect(out.ItemCollectionMetrics).To(HaveLen(1), "only the table with a local index")
			ms := out.ItemCollectionMetrics[*lsiTable]
			Expect(keysOf(ms)).To(ConsistOf(k1, k2))
			for i := range ms {
				expectMetrics(&ms[i], keysOf(ms[i : i+1])[0], 0, 1<<20)
			}
		})

		It("TransactWriteItems with SIZE reports the collections of its Put, Update and Delete actions", func() {
			k1, k2, k3, k4 := e.key(), e.key(), e.key(), e.key()
			put(lsiTable, row(k3, "1", "ls", S("a")))
			out, err := e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: lsiTable, Item: row(k1, "1", "ls", S("a"))}},
				{Update: &types.Update{TableName: lsiTable, Key: row(k2, "1"), UpdateExpression: aws.String("SET ls = :v"),
					ExpressionAttributeValues: item(":v", S("b"))}},
				{Delete: &types.Delete{TableName: lsiTable, Key: row(k3, "1")}},
				{ConditionCheck: &types.ConditionCheck{TableName: lsiTable, Key: row(k4, "1"), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			}, ReturnItemCollectionMetrics: size})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.ItemCollectionMetrics).To(HaveLen(1))
			ms := out.ItemCollectionMetrics[*lsiTable]
			Expect(keysOf(ms)).To(ConsistOf(k1, k2, k3), "a ConditionCheck writes no item collection")
			for i := range ms {
				expectMetrics(&ms[i], keysOf(ms[i : i+1])[0], 0, 1<<20)
			}
		})
	})
}
