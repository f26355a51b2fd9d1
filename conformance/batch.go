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

// batchSpecs: BatchWriteItem and BatchGetItem.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
// ("up to 25 item put or delete operations"; ValidationException when
// "There are more than 25 requests in the batch", "you try to perform
// multiple operations on the same item in the same BatchWriteItem request",
// "Any individual item in a batch exceeds 400 KB"; "the entire batch write
// operation is rejected" for such errors), API_BatchGetItem.html ("up to 100
// items"; duplicate keys rejected), scylladb test/alternator/test_batch.py;
// dynalite test/batchWriteItem.js and batchGetItem.js (messages).
func (e *env) batchSpecs() {
	Describe("batch", Label("batch"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("batch", hashOnly("pk", "S"))
		h2 := e.sharedTable("batch", hashRange("pk", "S", "sk", "N"))

		puts := func(keys ...string) []types.WriteRequest {
			var w []types.WriteRequest
			for _, k := range keys {
				w = append(w, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("pk", S(k), "v", S("val-"+k))}})
			}
			return w
		}
		keys := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = e.key()
			}
			return out
		}
		write := func(req map[string][]types.WriteRequest) (*dynamodb.BatchWriteItemOutput, error) {
			return e.ddb.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
		}
		getKeys := func(tbl string, ks []string) map[string]bool {
			GinkgoHelper()
			found := map[string]bool{}
			for _, k := range ks {
				out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl), Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
				Expect(err).NotTo(HaveOccurred())
				if out.Item != nil {
					found[k] = true
				}
			}
			return found
		}

		It("BatchWriteItem puts 25 items", func() {
			ks := keys(25)
			out, err := write(map[string][]types.WriteRequest{*h: puts(ks...)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.UnprocessedItems).To(BeEmpty())
			Expect(getKeys(*h, ks)).To(HaveLen(25))
		})

		It("BatchWriteItem mixes puts and deletes", func() {
			ks := keys(3)
			_, err := write(map[string][]types.WriteRequest{*h: puts(ks[0])})
			Expect(err).NotTo(HaveOccurred())
			_, err = write(map[string][]types.WriteRequest{*h: append(puts(ks[1], ks[2]),
				types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: item("pk", S(ks[0]))}})})
			Expect(err).NotTo(HaveOccurred())
			Expect(getKeys(*h, ks)).To(Equal(map[string]bool{ks[1]: true, ks[2]: true}))
		})

		It("BatchWriteItem writes to several tables", func() {
			k1, k2 := e.key(), e.key()
			_, err := write(map[string][]types.WriteRequest{*h: puts(k1),
				*h2: {{PutRequest: &types.PutRequest{Item: item("pk", S(k2), "sk", N("1"))}}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(getKeys(*h, []string{k1})).To(HaveLen(1))
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h2, Key: item("pk", S(k2), "sk", N("1")), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Item).NotTo(BeNil())
		})

		It("BatchWriteItem put replaces a whole item", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "old", S("x"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = write(map[string][]types.WriteRequest{*h: puts(k)})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(item("pk", S(k), "v", S("val-"+k)))))
		})

		It("BatchWriteItem deleting a missing item succeeds", func() {
			_, err := write(map[string][]types.WriteRequest{*h: {{DeleteRequest: &types.DeleteRequest{Key: item("pk", S(e.key()))}}}})
			Expect(err).NotTo(HaveOccurred())
		})

		// Each of these rejects the whole batch: nothing may be written.
		DescribeTable("an invalid BatchWriteItem fails with ValidationException and writes nothing",
			func(bad func(good []types.WriteRequest) map[string][]types.WriteRequest, msg string) {
				k := e.key()
				_, err := write(bad(puts(k)))
				Expect(err).To(beAPIError(errValidation, msg))
				Expect(getKeys(*h, []string{k})).To(BeEmpty())
			},
			Entry("26 requests", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, puts(keys(25)...)...)}
			}, "~25"),
			Entry("the same key twice", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, g[0])}
			}, "~duplicates"),
			Entry("a put and a delete of one key", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: item("pk", g[0].PutRequest.Item["pk"])}})}
			}, "~duplicates"),
			Entry("an item without its key", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("v", S("x"))}})}
			}, ""),
			Entry("an item with an invalid value", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("pk", S(e.key()), "v", SS())}})}
			}, ""),
			Entry("an item over 400 KB", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("pk", S(e.key()), "v", S(strings.Repeat("x", 410000)))}})}
			}, ""),
			Entry("a delete key with an extra attribute", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: item("pk", S("x"), "v", S("y"))}})}
			}, ""),
			Entry("a request with both put and delete", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("pk", S("y"))},
					DeleteRequest: &types.DeleteRequest{Key: item("pk", S("z"))}})}
			}, ""),
			Entry("an empty request", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: append(g, types.WriteRequest{})}
			}, ""),
			Entry("a table with no requests", func(g []types.WriteRequest) map[string][]types.WriteRequest {
				return map[string][]types.WriteRequest{*h: g, *h2: {}}
			}, ""),
		)

		It("BatchWriteItem without RequestItems fails with ValidationException", func() {
			_, err := write(map[string][]types.WriteRequest{})
			Expect(err).To(beAPIError(errValidation))
		})

		It("BatchWriteItem to a missing table fails with ResourceNotFoundException", func() {
			_, err := write(map[string][]types.WriteRequest{e.name("missing"): puts("a")})
			Expect(err).To(beAPIError(errNotFound))
		})

		// BatchGetItem.
		get := func(req map[string]types.KeysAndAttributes) (*dynamodb.BatchGetItemOutput, error) {
			return e.ddb.BatchGetItem(e.ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		}
		keyList := func(ks ...string) []map[string]av {
			out := make([]map[string]av, len(ks))
			for i, k := range ks {
				out[i] = item("pk", S(k))
			}
			return out
		}
		returned := func(out *dynamodb.BatchGetItemOutput, tbl string) []string {
			var ks []string
			for _, it := range out.Responses[tbl] {
				ks = append(ks, it["pk"].(*types.AttributeValueMemberS).Value)
			}
			return ks
		}

		It("BatchGetItem returns the items that exist and omits the others", func() {
			ks := keys(3)
			_, err := write(map[string][]types.WriteRequest{*h: puts(ks[0], ks[1])})
			Expect(err).NotTo(HaveOccurred())
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(ks...), ConsistentRead: aws.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(returned(out, *h)).To(ConsistOf(ks[0], ks[1]))
			Expect(out.UnprocessedKeys).To(BeEmpty())
		})

		It("BatchGetItem returns whole items", func() {
			k := e.key()
			_, err := write(map[string][]types.WriteRequest{*h: puts(k)})
			Expect(err).NotTo(HaveOccurred())
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(k), ConsistentRead: aws.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Responses[*h])).To(Equal(plainItems([]map[string]av{item("pk", S(k), "v", S("val-"+k))})))
		})

		It("BatchGetItem reads 100 keys", func() {
			ks := keys(100)
			for i := 0; i < 100; i += 25 {
				_, err := write(map[string][]types.WriteRequest{*h: puts(ks[i : i+25]...)})
				Expect(err).NotTo(HaveOccurred())
			}
			var all []string
			req := map[string]types.KeysAndAttributes{*h: {Keys: keyList(ks...), ConsistentRead: aws.Bool(true)}}
			for i := 0; i < 20 && len(req) > 0; i++ {
				out, err := get(req)
				Expect(err).NotTo(HaveOccurred())
				all = append(all, returned(out, *h)...)
				req = out.UnprocessedKeys
			}
			Expect(all).To(ConsistOf(ks))
		})

		It("BatchGetItem reads from several tables", func() {
			k := e.key()
			_, err := write(map[string][]types.WriteRequest{*h: puts(k), *h2: {{PutRequest: &types.PutRequest{Item: item("pk", S(k), "sk", N("5"))}}}})
			Expect(err).NotTo(HaveOccurred())
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(k), ConsistentRead: aws.Bool(true)},
				*h2: {Keys: []map[string]av{item("pk", S(k), "sk", N("5"))}, ConsistentRead: aws.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Responses[*h]).To(HaveLen(1))
			Expect(out.Responses[*h2]).To(HaveLen(1))
		})

		It("BatchGetItem applies a ProjectionExpression", func() {
			k := e.key()
			_, err := write(map[string][]types.WriteRequest{*h: puts(k)})
			Expect(err).NotTo(HaveOccurred())
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(k), ProjectionExpression: aws.String("#v"),
				ExpressionAttributeNames: map[string]string{"#v": "v"}, ConsistentRead: aws.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Responses[*h])).To(Equal(plainItems([]map[string]av{item("v", S("val-"+k))})))
		})

		It("BatchGetItem of only missing keys returns an empty response for the table", func() {
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(e.key())}})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Responses[*h]).To(BeEmpty())
		})

		DescribeTable("an invalid BatchGetItem fails with ValidationException",
			func(req func() map[string]types.KeysAndAttributes, msg string) {
				_, err := get(req())
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("101 keys", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: keyList(keys(101)...)}}
			}, "~100"),
			Entry("the same key twice", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: keyList("a", "a")}}
			}, "~duplicates"),
			Entry("no keys for a table", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: []map[string]av{}}}
			}, ""),
			Entry("no tables", func() map[string]types.KeysAndAttributes { return map[string]types.KeysAndAttributes{} }, ""),
			Entry("a key that does not match the schema", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: []map[string]av{item("pk", N("1"))}}}
			}, msgKeyMismatch),
			Entry("a key with an extra attribute", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: []map[string]av{item("pk", S("a"), "x", S("b"))}}}
			}, msgKeyMismatch),
			Entry("a projection and AttributesToGet", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: keyList("a"), ProjectionExpression: aws.String("v"), AttributesToGet: []string{"v"}}}
			}, ""),
			Entry("an overlapping projection", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: keyList("a"), ProjectionExpression: aws.String("v, v")}}
			}, ""),
			Entry("an unused name placeholder", func() map[string]types.KeysAndAttributes {
				return map[string]types.KeysAndAttributes{*h: {Keys: keyList("a"), ProjectionExpression: aws.String("v"), ExpressionAttributeNames: map[string]string{"#x": "x"}}}
			}, ""),
		)

		It("BatchWriteItem deletes 25 items", func() {
			ks := keys(25)
			_, err := write(map[string][]types.WriteRequest{*h: puts(ks...)})
			Expect(err).NotTo(HaveOccurred())
			var dels []types.WriteRequest
			for _, k := range ks {
				dels = append(dels, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: item("pk", S(k))}})
			}
			_, err = write(map[string][]types.WriteRequest{*h: dels})
			Expect(err).NotTo(HaveOccurred())
			Expect(getKeys(*h, ks)).To(BeEmpty())
		})

		It("BatchWriteItem on a hash-range table needs both key attributes", func() {
			_, err := write(map[string][]types.WriteRequest{*h2: {{PutRequest: &types.PutRequest{Item: item("pk", S(e.key()))}}}})
			Expect(err).To(beAPIError(errValidation))
			_, err = write(map[string][]types.WriteRequest{*h2: {{DeleteRequest: &types.DeleteRequest{Key: item("pk", S(e.key()))}}}})
			Expect(err).To(beAPIError(errValidation))
		})

		It("BatchGetItem on a hash-range table needs both key attributes", func() {
			_, err := get(map[string]types.KeysAndAttributes{*h2: {Keys: []map[string]av{item("pk", S("a"))}}})
			Expect(err).To(beAPIError(errValidation, msgKeyMismatch))
		})

		It("BatchGetItem projects nested paths", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "m", M(item("a", N("1"), "b", N("2"))))})
			Expect(err).NotTo(HaveOccurred())
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(k), ProjectionExpression: aws.String("m.b"), ConsistentRead: aws.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Responses[*h])).To(Equal(plainItems([]map[string]av{item("m", M(item("b", N("2"))))})))
		})

		It("BatchGetItem with eventually consistent reads succeeds", func() {
			k := e.key()
			_, err := write(map[string][]types.WriteRequest{*h: puts(k)})
			Expect(err).NotTo(HaveOccurred())
			Eventually(func() int {
				out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(k)}})
				Expect(err).NotTo(HaveOccurred())
				return len(out.Responses[*h])
			}).WithTimeout(10e9).Should(Equal(1))
		})

		It("BatchGetItem of a missing table fails with ResourceNotFoundException", func() {
			_, err := get(map[string]types.KeysAndAttributes{e.name("missing"): {Keys: keyList("a")}})
			Expect(err).To(beAPIError(errNotFound))
		})

		It("BatchGetItem with 100 keys over several tables is allowed", func() {
			ks := keys(50)
			var h2keys []map[string]av
			for i := 0; i < 50; i++ {
				h2keys = append(h2keys, item("pk", S(ks[i]), "sk", N(fmt.Sprint(i))))
			}
			out, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(ks...)}, *h2: {Keys: h2keys}})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Responses[*h]).To(BeEmpty())
		})

		It("BatchGetItem with 101 keys over several tables is rejected", func() {
			ks := keys(51)
			var h2keys []map[string]av
			for i := 0; i < 50; i++ {
				h2keys = append(h2keys, item("pk", S(ks[i]), "sk", N(fmt.Sprint(i))))
			}
			_, err := get(map[string]types.KeysAndAttributes{*h: {Keys: keyList(ks...)}, *h2: {Keys: h2keys}})
			// dynalite test/batchGetItem.js (captured from DynamoDB).
			Expect(err).To(beAPIError(errValidation, "Too many items requested for the BatchGetItem call"))
		})
	})
}
