package conformance

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// transactionsSpecs: TransactWriteItems and TransactGetItems.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
// ("up to 100 action requests"; "You can't target the same item with
// multiple operations within the same transaction"; ClientRequestToken
// idempotency and IdempotentParameterMismatchException;
// TransactionCanceledException with CancellationReasons),
// API_TransactGetItems.html, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
// (capacity: "two underlying reads or writes of every item");
// scylladb test/alternator/test_transact.py (validated against DynamoDB:
// reason codes per action in order, "Message" only on failed ones, a key
// type mismatch is a ValidationError reason).
func (e *env) transactionsSpecs() {
	Describe("transactions", Label("transactions"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("transactions", hashOnly("pk", "S"))
		h2 := e.sharedTable("transactions", hashRange("pk", "S", "sk", "N"))

		put := func(k string, kv ...any) types.TransactWriteItem {
			return types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item(append([]any{"pk", S(k)}, kv...)...)}}
		}
		tx := func(items ...types.TransactWriteItem) error {
			_, err := e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
			return err
		}
		get := func(k string) map[string]av {
			GinkgoHelper()
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			return out.Item
		}
		reasons := func(err error) []types.CancellationReason {
			GinkgoHelper()
			var tc *types.TransactionCanceledException
			Expect(errors.As(err, &tc)).To(BeTrue(), "want TransactionCanceledException, got %v", err)
			return tc.CancellationReasons
		}
		codes := func(rs []types.CancellationReason) []string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = aws.ToString(r.Code)
			}
			return out
		}

		It("a transaction of puts writes every item", func() {
			ks := []string{e.key(), e.key(), e.key()}
			Expect(tx(put(ks[0], "v", N("1")), put(ks[1], "v", N("2")), put(ks[2], "v", N("3")))).To(Succeed())
			for i, k := range ks {
				Expect(plain(get(k)["v"])).To(Equal(plain(N(fmt.Sprint(i + 1)))))
			}
		})

		It("a transaction mixes Put, Update, Delete and ConditionCheck", func() {
			a, b, c, d := e.key(), e.key(), e.key(), e.key()
			Expect(tx(put(b, "n", N("1")), put(c), put(d, "ok", BOOL(true)))).To(Succeed())
			Expect(tx(
				put(a, "new", BOOL(true)),
				types.TransactWriteItem{Update: &types.Update{TableName: h, Key: item("pk", S(b)), UpdateExpression: aws.String("SET n = n + :one"),
					ExpressionAttributeValues: item(":one", N("1"))}},
				types.TransactWriteItem{Delete: &types.Delete{TableName: h, Key: item("pk", S(c))}},
				types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: h, Key: item("pk", S(d)),
					ConditionExpression: aws.String("ok = :t"), ExpressionAttributeValues: item(":t", BOOL(true))}},
			)).To(Succeed())
			Expect(get(a)).To(HaveKey("new"))
			Expect(plain(get(b)["n"])).To(Equal(plain(N("2"))))
			Expect(get(c)).To(BeNil())
		})

		It("a transaction spans tables", func() {
			k := e.key()
			Expect(tx(put(k), types.TransactWriteItem{Put: &types.Put{TableName: h2, Item: item("pk", S(k), "sk", N("1"))}})).To(Succeed())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h2, Key: item("pk", S(k), "sk", N("1")), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Item).NotTo(BeNil())
		})

		It("a failed condition cancels every action", func() {
			a, b := e.key(), e.key()
			err := tx(put(a, "v", N("1")), types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item("pk", S(b)),
				ConditionExpression: aws.String("attribute_exists(pk)")}})
			Expect(err).To(beAPIError(errTxCanceled))
			Expect(get(a)).To(BeNil(), "the unconditional put must not be applied")
			Expect(get(b)).To(BeNil())
		})

		It("CancellationReasons list every action in order, with a message only on failures", func() {
			k1, k2, k3, k4 := e.key(), e.key(), e.key(), e.key()
			err := tx(put(k1),
				types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item("pk", S(k2)), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
				types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: h, Key: item("pk", S(k3)), ConditionExpression: aws.String("attribute_exists(pk)")}},
				types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item("pk", S(k4)), ConditionExpression: aws.String("attribute_exists(pk)")}})
			rs := reasons(err)
			Expect(codes(rs)).To(Equal([]string{"None", "None", "ConditionalCheckFailed", "ConditionalCheckFailed"}))
			Expect(rs[0].Message).To(BeNil())
			Expect(rs[2].Message).NotTo(BeNil())
		})

		It("the error message names the reasons", func() {
			err := tx(types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item("pk", S(e.key())), ConditionExpression: aws.String("attribute_exists(pk)")}})
			Expect(err).To(beAPIError(errTxCanceled, "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]"))
		})

		It("ReturnValuesOnConditionCheckFailure ALL_OLD puts the item in its reason", func() {
			k := e.key()
			Expect(tx(put(k, "v", N("7")))).To(Succeed())
			err := tx(types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item("pk", S(k)), ConditionExpression: aws.String("attribute_not_exists(pk)"),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}})
			rs := reasons(err)
			Expect(rs).To(HaveLen(1))
			Expect(plainItem(rs[0].Item)).To(Equal(plainItem(item("pk", S(k), "v", N("7")))))
		})

		It("a key of the wrong type is a ValidationError reason", func() {
			err := tx(types.TransactWriteItem{Put: &types.Put{TableName: h, Item: item("pk", N("7"))}})
			rs := reasons(err)
			Expect(codes(rs)).To(Equal([]string{"ValidationError"}))
			Expect(rs[0].Message).NotTo(BeNil())
		})

		DescribeTable("an invalid transaction fails with ValidationException",
			func(items func() []types.TransactWriteItem, msg string) {
				Expect(tx(items()...)).To(beAPIError(errValidation, msg))
			},
			Entry("no actions", func() []types.TransactWriteItem { return nil }, "~ransactItems"),
			Entry("101 actions", func() []types.TransactWriteItem {
				var out []types.TransactWriteItem
				for i := 0; i < 101; i++ {
					out = append(out, put(e.key()))
				}
				return out
			}, "~100"),
			Entry("two actions on one item", func() []types.TransactWriteItem {
				k := e.key()
				return []types.TransactWriteItem{put(k), types.TransactWriteItem{Delete: &types.Delete{TableName: h, Key: item("pk", S(k))}}}
			}, "~one item"),
			Entry("an action with two operations", func() []types.TransactWriteItem {
				k := e.key()
				w := put(k)
				w.Delete = &types.Delete{TableName: h, Key: item("pk", S(e.key()))}
				return []types.TransactWriteItem{w}
			}, ""),
			Entry("an empty action", func() []types.TransactWriteItem { return []types.TransactWriteItem{{}} }, ""),
			Entry("a ConditionCheck without a condition", func() []types.TransactWriteItem {
				return []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{TableName: h, Key: item("pk", S(e.key()))}}}
			}, "~onditionExpression"),
			Entry("a syntax error in an update", func() []types.TransactWriteItem {
				return []types.TransactWriteItem{{Update: &types.Update{TableName: h, Key: item("pk", S(e.key())), UpdateExpression: aws.String("SET = :v"),
					ExpressionAttributeValues: item(":v", N("1"))}}}
			}, "~yntax error"),
			Entry("an undefined value placeholder", func() []types.TransactWriteItem {
				return []types.TransactWriteItem{{Update: &types.Update{TableName: h, Key: item("pk", S(e.key())), UpdateExpression: aws.String("SET a = :xyz")}}}
			}, "~:xyz"),
			Entry("an unused name placeholder", func() []types.TransactWriteItem {
				return []types.TransactWriteItem{{Put: &types.Put{TableName: h, Item: item("pk", S(e.key())), ConditionExpression: aws.String("attribute_not_exists(pk)"),
					ExpressionAttributeNames: map[string]string{"#xyz": "x"}}}}
			}, "~#xyz"),
		)

		It("100 actions are allowed", func() {
			var items []types.TransactWriteItem
			for i := 0; i < 100; i++ {
				items = append(items, put(e.key()))
			}
			Expect(tx(items...)).To(Succeed())
		})

		It("a transaction on a missing table fails with ResourceNotFoundException", func() {
			err := tx(types.TransactWriteItem{Put: &types.Put{TableName: aws.String(e.name("missing")), Item: item("pk", S("a"))}})
			Expect(err).To(beAPIError(errNotFound))
		})

		It("a repeated ClientRequestToken applies the transaction once", func() {
			k := e.key()
			Expect(tx(put(k, "n", N("0")))).To(Succeed())
			in := &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String("tok-" + k), TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{TableName: h, Key: item("pk", S(k)), UpdateExpression: aws.String("SET n = n + :one"), ExpressionAttributeValues: item(":one", N("1"))}}}}
			for i := 0; i < 3; i++ {
				_, err := e.ddb.TransactWriteItems(e.ctx, in)
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(plain(get(k)["n"])).To(Equal(plain(N("1"))))
		})

		It("a ClientRequestToken reused for another request fails with IdempotentParameterMismatchException", func() {
			tok := aws.String("tok-" + e.key())
			_, err := e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: tok, TransactItems: []types.TransactWriteItem{put(e.key())}})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: tok, TransactItems: []types.TransactWriteItem{put(e.key())}})
			Expect(err).To(beAPIError("IdempotentParameterMismatchException"))
		})

		It("a ClientRequestToken longer than 36 characters is rejected", func() {
			_, err := e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(fmt.Sprintf("%037d", 1)),
				TransactItems: []types.TransactWriteItem{put(e.key())}})
			Expect(err).To(beAPIError(errValidation, "~lientRequestToken"))
		})

		It("transactional writes cost two write units per KB", func() {
			// transaction-apis.html: "two underlying reads or writes of every item".
			out, err := e.ddb.TransactWriteItems(e.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put(e.key()), put(e.key())},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.ConsumedCapacity).To(HaveLen(1))
			Expect(aws.ToFloat64(out.ConsumedCapacity[0].CapacityUnits)).To(Equal(4.0))
		})

		// TransactGetItems.
		tget := func(items ...types.TransactGetItem) (*dynamodb.TransactGetItemsOutput, error) {
			return e.ddb.TransactGetItems(e.ctx, &dynamodb.TransactGetItemsInput{TransactItems: items})
		}
		g := func(k string) types.TransactGetItem {
			return types.TransactGetItem{Get: &types.Get{TableName: h, Key: item("pk", S(k))}}
		}

		It("TransactGetItems returns the items in request order, empty for missing ones", func() {
			a, b, missing := e.key(), e.key(), e.key()
			Expect(tx(put(a, "v", S("A")), put(b, "v", S("B")))).To(Succeed())
			out, err := tget(g(b), g(missing), g(a))
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Responses).To(HaveLen(3))
			Expect(plain(out.Responses[0].Item["v"])).To(Equal(plain(S("B"))))
			Expect(out.Responses[1].Item).To(BeEmpty())
			Expect(plain(out.Responses[2].Item["v"])).To(Equal(plain(S("A"))))
		})

		It("TransactGetItems applies a projection", func() {
			k := e.key()
			Expect(tx(put(k, "a", S("x"), "b", S("y")))).To(Succeed())
			out, err := tget(types.TransactGetItem{Get: &types.Get{TableName: h, Key: item("pk", S(k)), ProjectionExpression: aws.String("#b"),
				ExpressionAttributeNames: map[string]string{"#b": "b"}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Responses[0].Item)).To(Equal(plainItem(item("b", S("y")))))
		})

		It("TransactGetItems reads 100 items", func() {
			var gets []types.TransactGetItem
			for i := 0; i < 100; i++ {
				gets = append(gets, g(e.key()))
			}
			out, err := tget(gets...)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Responses).To(HaveLen(100))
		})

		DescribeTable("an invalid TransactGetItems fails with ValidationException",
			func(items func() []types.TransactGetItem, msg string) {
				_, err := tget(items()...)
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("no actions", func() []types.TransactGetItem { return nil }, ""),
			Entry("101 actions", func() []types.TransactGetItem {
				var gets []types.TransactGetItem
				for i := 0; i < 101; i++ {
					gets = append(gets, g(e.key()))
				}
				return gets
			}, "~100"),
			Entry("an unused name placeholder", func() []types.TransactGetItem {
				return []types.TransactGetItem{{Get: &types.Get{TableName: h, Key: item("pk", S("a")), ExpressionAttributeNames: map[string]string{"#x": "x"}}}}
			}, ""),
			Entry("an undefined name placeholder", func() []types.TransactGetItem {
				return []types.TransactGetItem{{Get: &types.Get{TableName: h, Key: item("pk", S("a")), ProjectionExpression: aws.String("#x")}}}
			}, "~#x"),
		)

		It("TransactGetItems sees a committed transaction whole", func() {
			a, b := e.key(), e.key()
			Expect(tx(put(a, "v", N("1")), put(b, "v", N("1")))).To(Succeed())
			Expect(tx(
				types.TransactWriteItem{Update: &types.Update{TableName: h, Key: item("pk", S(a)), UpdateExpression: aws.String("SET v = v - :one"), ExpressionAttributeValues: item(":one", N("1"))}},
				types.TransactWriteItem{Update: &types.Update{TableName: h, Key: item("pk", S(b)), UpdateExpression: aws.String("SET v = v + :one"), ExpressionAttributeValues: item(":one", N("1"))}},
			)).To(Succeed())
			out, err := tget(g(a), g(b))
			Expect(err).NotTo(HaveOccurred())
			Expect(plain(out.Responses[0].Item["v"])).To(Equal(plain(N("0"))))
			Expect(plain(out.Responses[1].Item["v"])).To(Equal(plain(N("2"))))
		})
	})
}
