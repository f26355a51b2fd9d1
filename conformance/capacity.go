package conformance

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// capacitySpecs: ReturnConsumedCapacity and the capacity-unit arithmetic.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
// ("One write request unit represents one write for an item up to 1 KB";
// "One read request unit represents one strongly consistent read ... for an
// item up to 4 KB"; eventually consistent reads cost half; "DeleteItem ...
// size of the deleted item"; "UpdateItem ... the larger of the item's size
// before and after"; Query "the sum of the sizes of the items ... rounded up
// to the next 4 KB"), API_ConsumedCapacity.html;
// scylladb test/alternator/test_returnconsumedcapacity.py.
func (e *env) capacitySpecs() {
	Describe("capacity", Label("capacity"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("capacity", hashOnly("pk", "S"))
		hr := e.sharedTable("capacity", hashRange("pk", "S", "sk", "N"))

		// sized returns an item of about n bytes (name and value lengths).
		sized := func(k string, n int) map[string]av {
			pad := n - len("pk") - len(k) - len("pad")
			return item("pk", S(k), "pad", S(strings.Repeat("x", pad)))
		}
		units := func(cc *types.ConsumedCapacity) float64 {
			GinkgoHelper()
			Expect(cc).NotTo(BeNil(), "ConsumedCapacity")
			return aws.ToFloat64(cc.CapacityUnits)
		}

		DescribeTable("PutItem consumes one write unit per started KB",
			func(size int, want float64) {
				out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(e.key(), size), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
				Expect(err).NotTo(HaveOccurred())
				Expect(units(out.ConsumedCapacity)).To(Equal(want))
				Expect(aws.ToString(out.ConsumedCapacity.TableName)).To(Equal(*h))
			},
			Entry("100 bytes", 100, 1.0),
			Entry("1000 bytes", 1000, 1.0),
			Entry("1500 bytes", 1500, 2.0),
			Entry("3500 bytes", 3500, 4.0),
			Entry("10 KB", 10*1024, 10.0),
		)

		DescribeTable("GetItem consumes read units per started 4 KB, half for eventual consistency",
			func(size int, consistent bool, want float64) {
				k := e.key()
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(k, size)})
				Expect(err).NotTo(HaveOccurred())
				out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(consistent),
					ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
				Expect(err).NotTo(HaveOccurred())
				Expect(units(out.ConsumedCapacity)).To(Equal(want))
			},
			Entry("small, consistent", 100, true, 1.0),
			Entry("small, eventual", 100, false, 0.5),
			Entry("5 KB, consistent", 5*1024, true, 2.0),
			Entry("5 KB, eventual", 5*1024, false, 1.0),
			Entry("9 KB, consistent", 9*1024, true, 3.0),
		)

		It("GetItem of a missing item still consumes a read unit", func() {
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(e.key())), ConsistentRead: aws.Bool(true),
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(1.0))
		})

		It("no ConsumedCapacity is returned unless asked for", func() {
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(e.key(), 100)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.ConsumedCapacity).To(BeNil())
			out2, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(e.key(), 100), ReturnConsumedCapacity: types.ReturnConsumedCapacityNone})
			Expect(err).NotTo(HaveOccurred())
			Expect(out2.ConsumedCapacity).To(BeNil())
		})

		It("INDEXES also reports the table's share", func() {
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(e.key(), 100), ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(1.0))
			Expect(out.ConsumedCapacity.Table).NotTo(BeNil())
			Expect(aws.ToFloat64(out.ConsumedCapacity.Table.CapacityUnits)).To(Equal(1.0))
		})

		It("DeleteItem is charged by the deleted item's size", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(k, 2500)})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(3.0))
		})

		It("DeleteItem of a missing item consumes one write unit", func() {
			out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(e.key())), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(1.0))
		})

		It("UpdateItem is charged by the larger of the old and new item", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(k, 3000)})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)), UpdateExpression: aws.String("REMOVE #p"), ExpressionAttributeNames: map[string]string{"#p": "pad"},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(3.0))
		})

		It("Query is charged by the total size read, per started 4 KB", func() {
			k := e.key()
			for i := 1; i <= 3; i++ {
				it := sized(k, 2000)
				it["sk"] = N(itoa(int64(i)))
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: hr, Item: it})
				Expect(err).NotTo(HaveOccurred())
			}
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: hr, KeyConditionExpression: aws.String("pk = :k"),
				ExpressionAttributeValues: item(":k", S(k)), ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(3))
			Expect(units(out.ConsumedCapacity)).To(Equal(2.0), "about 6 KB read: two 4 KB units")
		})

		It("an eventually consistent Query of small items costs half a unit", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: hr, Item: item("pk", S(k), "sk", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: hr, KeyConditionExpression: aws.String("pk = :k"),
				ExpressionAttributeValues: item(":k", S(k)), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(0.5))
		})

		It("Scan reports ConsumedCapacity for the table", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: h, Limit: aws.Int32(1), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(BeNumerically(">=", 0.5))
			Expect(aws.ToString(out.ConsumedCapacity.TableName)).To(Equal(*h))
		})

		It("BatchWriteItem reports capacity per table", func() {
			var reqs []types.WriteRequest
			for i := 0; i < 3; i++ {
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: sized(e.key(), 100)}})
			}
			out, err := e.ddb.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{*h: reqs},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.ConsumedCapacity).To(HaveLen(1))
			Expect(aws.ToString(out.ConsumedCapacity[0].TableName)).To(Equal(*h))
			Expect(aws.ToFloat64(out.ConsumedCapacity[0].CapacityUnits)).To(Equal(3.0))
		})

		It("UpdateItem creating a small item consumes one write unit", func() {
			out, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(e.key())),
				UpdateExpression: aws.String("SET a = :v"), ExpressionAttributeValues: item(":v", N("1")),
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(1.0))
		})

		It("GetItem INDEXES reports the table's share", func() {
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(e.key())), ConsistentRead: aws.Bool(true),
				ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
			Expect(err).NotTo(HaveOccurred())
			Expect(units(out.ConsumedCapacity)).To(Equal(1.0))
			Expect(out.ConsumedCapacity.Table).NotTo(BeNil())
		})

		It("Select COUNT costs the same as reading the items", func() {
			// read-write-operations: Query capacity depends on the data read, not returned.
			k := e.key()
			for i := 1; i <= 3; i++ {
				it := sized(k, 3000)
				it["sk"] = N(itoa(int64(i)))
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: hr, Item: it})
				Expect(err).NotTo(HaveOccurred())
			}
			q := func(sel types.Select) float64 {
				out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: hr, KeyConditionExpression: aws.String("pk = :k"),
					ExpressionAttributeValues: item(":k", S(k)), ConsistentRead: aws.Bool(true), Select: sel,
					ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
				Expect(err).NotTo(HaveOccurred())
				return units(out.ConsumedCapacity)
			}
			Expect(q(types.SelectCount)).To(Equal(q(types.SelectAllAttributes)))
			Expect(q(types.SelectCount)).To(Equal(3.0), "about 9 KB read: three 4 KB units")
		})

		It("BatchWriteItem reports one entry per table", func() {
			out, err := e.ddb.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				*h:  {{PutRequest: &types.PutRequest{Item: sized(e.key(), 100)}}},
				*hr: {{PutRequest: &types.PutRequest{Item: item("pk", S(e.key()), "sk", N("1"))}}, {PutRequest: &types.PutRequest{Item: item("pk", S(e.key()), "sk", N("2"))}}},
			}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			got := map[string]float64{}
			for _, c := range out.ConsumedCapacity {
				got[aws.ToString(c.TableName)] = aws.ToFloat64(c.CapacityUnits)
			}
			Expect(got).To(Equal(map[string]float64{*h: 1, *hr: 2}))
		})

		It("BatchGetItem reports capacity per table", func() {
			k1, k2 := e.key(), e.key()
			for _, k := range []string{k1, k2} {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: sized(k, 100)})
				Expect(err).NotTo(HaveOccurred())
			}
			out, err := e.ddb.BatchGetItem(e.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				*h: {Keys: []map[string]av{item("pk", S(k1)), item("pk", S(k2))}, ConsistentRead: aws.Bool(true)}},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.ConsumedCapacity).To(HaveLen(1))
			Expect(aws.ToFloat64(out.ConsumedCapacity[0].CapacityUnits)).To(Equal(2.0))
		})
	})
}
