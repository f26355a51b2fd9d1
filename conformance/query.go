package conformance

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// stringSortKeys are inserted in this order and come back sorted by their
// UTF-8 bytes: digits < uppercase < lowercase < non-ASCII.
var stringSortKeys = []string{"b", "ab", "ä", "10", "Z", "a", "abc", "9", "B", "aa", "1"}
var stringSortOrder = []string{"1", "10", "9", "B", "Z", "a", "aa", "ab", "abc", "b", "ä"}

// binarySortKeys come back in unsigned byte order.
var binarySortKeys = [][]byte{{0xff}, {0x01}, {0x00, 0x00}, {0x80}, {0x00}, {0x7f}}
var binarySortOrder = [][]byte{{0x00}, {0x00, 0x00}, {0x01}, {0x7f}, {0x80}, {0xff}}

// querySpecs: Query's key conditions, ordering, filters, Select, Limit and
// validation.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
// ("the sort key ... =, <, <=, >, >=, BETWEEN, begins_with"; results "are
// always sorted by the sort key value ... by UTF-8 bytes" for strings,
// "unsigned" bytes for binary), Query.FilterExpression.html (Count vs
// ScannedCount); scylladb test/alternator/test_query.py,
// test_key_condition_expression.py.
func (e *env) querySpecs() {
	Describe("query", Label("query"), Ordered, ContinueOnFailure, func() {
		qn := e.sharedTable("query", hashRange("pk", "S", "sk", "N"))
		qs := e.sharedTable("query", hashRange("pk", "S", "sk", "S"))
		qb := e.sharedTable("query", hashRange("pk", "S", "sk", "B"))
		const p = "P"
		BeforeAll(func() {
			for i := 10; i >= 1; i-- {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: qn, Item: item("pk", S(p), "sk", N(fmt.Sprint(i)),
					"v", N(fmt.Sprint(i*10)), "even", BOOL(i%2 == 0), "tag", S(fmt.Sprintf("t%d", i)))})
				Expect(err).NotTo(HaveOccurred())
			}
			for i := 1; i <= 3; i++ {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: qn, Item: item("pk", S("other"), "sk", N(fmt.Sprint(i)))})
				Expect(err).NotTo(HaveOccurred())
			}
			for _, s := range stringSortKeys {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: qs, Item: item("pk", S(p), "sk", S(s))})
				Expect(err).NotTo(HaveOccurred())
			}
			for _, b := range binarySortKeys {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: qb, Item: item("pk", S(p), "sk", B(b))})
				Expect(err).NotTo(HaveOccurred())
			}
		})
		query := func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
			if in.TableName == nil {
				in.TableName = qn
			}
			if in.ConsistentRead == nil {
				// Exact expectations right after writes need strong reads
				// (an eventually consistent read may miss a recent write).
				in.ConsistentRead = aws.Bool(true)
			}
			return e.ddb.Query(e.ctx, in)
		}
		sks := func(items []map[string]av) []string {
			out := make([]string, len(items))
			for i, it := range items {
				switch v := it["sk"].(type) {
				case *types.AttributeValueMemberN:
					out[i] = v.Value
				case *types.AttributeValueMemberS:
					out[i] = v.Value
				case *types.AttributeValueMemberB:
					out[i] = fmt.Sprintf("%x", v.Value)
				}
			}
			return out
		}
		nums := func(a ...int) []string {
			out := make([]string, len(a))
			for i, n := range a {
				out[i] = fmt.Sprint(n)
			}
			return out
		}

		DescribeTable("key conditions select a sorted range of one partition",
			func(cond string, values map[string]av, want []string) {
				values[":p"] = S(p)
				out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values})
				Expect(err).NotTo(HaveOccurred())
				Expect(sks(out.Items)).To(Equal(want))
				Expect(out.Count).To(BeEquivalentTo(len(want)))
			},
			Entry("the whole partition, ascending", "pk = :p", item(), nums(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
			Entry("sk =", "pk = :p AND sk = :v", item(":v", N("5")), nums(5)),
			Entry("sk = spelled differently", "pk = :p AND sk = :v", item(":v", N("5.0")), nums(5)),
			Entry("sk <", "pk = :p AND sk < :v", item(":v", N("3")), nums(1, 2)),
			Entry("sk <=", "pk = :p AND sk <= :v", item(":v", N("3")), nums(1, 2, 3)),
			Entry("sk >", "pk = :p AND sk > :v", item(":v", N("8")), nums(9, 10)),
			Entry("sk >=", "pk = :p AND sk >= :v", item(":v", N("8")), nums(8, 9, 10)),
			Entry("sk BETWEEN", "pk = :p AND sk BETWEEN :a AND :b", item(":a", N("3"), ":b", N("5")), nums(3, 4, 5)),
			Entry("sk BETWEEN equal bounds", "pk = :p AND sk BETWEEN :a AND :b", item(":a", N("4"), ":b", N("4")), nums(4)),
			Entry("sk beyond every item", "pk = :p AND sk > :v", item(":v", N("100")), []string{}),
			Entry("the key conditions in the other order", "sk < :v AND pk = :p", item(":v", N("3")), nums(1, 2)),
			Entry("parentheses around the range condition", "pk = :p AND (sk < :v)", item(":v", N("3")), nums(1, 2)),
			Entry("a decimal bound", "pk = :p AND sk < :v", item(":v", N("2.5")), nums(1, 2)),
			Entry("a negative bound", "pk = :p AND sk > :v", item(":v", N("-1E5")), nums(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
		)

		It("a partition with no items returns nothing", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S("nobody"))})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(BeEmpty())
			Expect(out.Count).To(BeZero())
			Expect(out.LastEvaluatedKey).To(BeEmpty())
		})

		It("string sort keys are ordered by UTF-8 bytes", func() {
			out, err := query(&dynamodb.QueryInput{TableName: qs, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p))})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(stringSortOrder))
		})

		It("binary sort keys are ordered as unsigned bytes", func() {
			out, err := query(&dynamodb.QueryInput{TableName: qb, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p))})
			Expect(err).NotTo(HaveOccurred())
			want := make([]string, len(binarySortOrder))
			for i, b := range binarySortOrder {
				want[i] = fmt.Sprintf("%x", b)
			}
			Expect(sks(out.Items)).To(Equal(want))
		})

		DescribeTable("string key conditions",
			func(cond string, values map[string]av, want []string) {
				values[":p"] = S(p)
				out, err := query(&dynamodb.QueryInput{TableName: qs, KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values})
				Expect(err).NotTo(HaveOccurred())
				Expect(sks(out.Items)).To(Equal(want))
			},
			Entry("begins_with", "pk = :p AND begins_with(sk, :v)", item(":v", S("ab")), []string{"ab", "abc"}),
			Entry("begins_with a single character", "pk = :p AND begins_with(sk, :v)", item(":v", S("a")), []string{"a", "aa", "ab", "abc"}),
			Entry("begins_with is case-sensitive", "pk = :p AND begins_with(sk, :v)", item(":v", S("B")), []string{"B"}),
			Entry("begins_with with no match", "pk = :p AND begins_with(sk, :v)", item(":v", S("q")), []string{}),
			Entry("< compares bytes, not numbers", "pk = :p AND sk < :v", item(":v", S("9")), []string{"1", "10"}),
			Entry("BETWEEN on strings", "pk = :p AND sk BETWEEN :a AND :b", item(":a", S("Z"), ":b", S("ab")), []string{"Z", "a", "aa", "ab"}),
		)

		It("begins_with works on a binary sort key", func() {
			out, err := query(&dynamodb.QueryInput{TableName: qb, KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :v)"),
				ExpressionAttributeValues: item(":p", S(p), ":v", B([]byte{0x00}))})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal([]string{"00", "0000"}))
		})

		It("ScanIndexForward false returns descending order", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), ScanIndexForward: aws.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(10, 9, 8, 7, 6, 5, 4, 3, 2, 1)))
		})

		It("ScanIndexForward false with a range condition and Limit", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk < :v"),
				ExpressionAttributeValues: item(":p", S(p), ":v", N("8")), ScanIndexForward: aws.Bool(false), Limit: aws.Int32(3)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(7, 6, 5)))
		})

		It("Limit stops after that many items and returns LastEvaluatedKey", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Limit: aws.Int32(3)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(1, 2, 3)))
			Expect(plainItem(out.LastEvaluatedKey)).To(Equal(plainItem(item("pk", S(p), "sk", N("3")))))
		})

		It("Select COUNT returns the count and no items", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Select: types.SelectCount})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(BeEmpty())
			Expect(out.Count).To(BeEquivalentTo(10))
			Expect(out.ScannedCount).To(BeEquivalentTo(10))
		})

		It("a filter reduces Count but not ScannedCount", func() {
			// Query.FilterExpression: "A filter expression is applied after a Query
			// finishes, but before the results are returned."
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("even = :t"),
				ExpressionAttributeValues: item(":p", S(p), ":t", BOOL(true))})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(2, 4, 6, 8, 10)))
			Expect(out.Count).To(BeEquivalentTo(5))
			Expect(out.ScannedCount).To(BeEquivalentTo(10))
		})

		It("Limit applies before the filter", func() {
			// API_Query Limit: "the maximum number of items to evaluate (not
			// necessarily the number of matching items)".
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("even = :t"),
				ExpressionAttributeValues: item(":p", S(p), ":t", BOOL(true)), Limit: aws.Int32(4)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(2, 4)))
			Expect(out.ScannedCount).To(BeEquivalentTo(4))
			Expect(out.LastEvaluatedKey).NotTo(BeEmpty())
		})

		It("a filter that matches nothing still reports what it scanned", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("v > :big"),
				ExpressionAttributeValues: item(":p", S(p), ":big", N("1000"))})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(BeEmpty())
			Expect(out.Count).To(BeZero())
			Expect(out.ScannedCount).To(BeEquivalentTo(10))
		})

		It("Select COUNT with a filter counts matches", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("v >= :x"),
				ExpressionAttributeValues: item(":p", S(p), ":x", N("70")), Select: types.SelectCount})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Count).To(BeEquivalentTo(4))
		})

		It("Select SPECIFIC_ATTRIBUTES with a projection", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk = :one"),
				ExpressionAttributeValues: item(":p", S(p), ":one", N("1")), Select: types.SelectSpecificAttributes, ProjectionExpression: aws.String("tag")})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("tag", S("t1"))})))
		})

		It("ConsistentRead returns the latest write", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: qn, Item: item("pk", S(k), "sk", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(1))
		})

		It("the legacy KeyConditions parameter selects like an expression", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditions: map[string]types.Condition{
				"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []av{S(p)}},
				"sk": {ComparisonOperator: types.ComparisonOperatorBetween, AttributeValueList: []av{N("2"), N("4")}},
			}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(2, 3, 4)))
		})

		It("a name placeholder for a key attribute", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("#k = :p AND #s = :v"),
				ExpressionAttributeNames:  map[string]string{"#k": "pk", "#s": "sk"},
				ExpressionAttributeValues: item(":p", S(p), ":v", N("7"))})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(7)))
		})

		DescribeTable("an invalid query fails with ValidationException",
			func(in *dynamodb.QueryInput, msg string) {
				_, err := query(in)
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("no key condition", &dynamodb.QueryInput{}, ""),
			Entry("only a sort key condition", &dynamodb.QueryInput{KeyConditionExpression: aws.String("sk = :v"), ExpressionAttributeValues: item(":v", N("1"))}, ""),
			Entry("a non-key attribute in the key condition", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND v = :v"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, ""),
			Entry("a range comparison on the hash key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk > :p"), ExpressionAttributeValues: item(":p", S(p))}, ""),
			Entry("OR in the key condition", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p OR sk = :v"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, ""),
			Entry("NOT in the key condition", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND NOT sk = :v"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, ""),
			Entry("two conditions on the sort key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk > :a AND sk < :b"), ExpressionAttributeValues: item(":p", S(p), ":a", N("1"), ":b", N("5"))}, ""),
			Entry("<> on the sort key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk <> :v"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, ""),
			Entry("IN on the sort key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk IN (:v)"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, ""),
			Entry("begins_with on a number sort key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :v)"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, ""),
			Entry("a function other than begins_with", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND attribute_exists(sk)"), ExpressionAttributeValues: item(":p", S(p))}, ""),
			Entry("BETWEEN with the bounds reversed", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"), ExpressionAttributeValues: item(":p", S(p), ":a", N("5"), ":b", N("3"))}, ""),
			Entry("a hash key value of the wrong type", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", N("1"))}, ""),
			Entry("a sort key value of the wrong type", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk = :v"), ExpressionAttributeValues: item(":p", S(p), ":v", S("1"))}, ""),
			Entry("a filter on the hash key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p))}, "~Filter Expression can only contain non-primary key attributes"),
			Entry("a filter on the sort key", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("sk > :v"), ExpressionAttributeValues: item(":p", S(p), ":v", N("1"))}, "~Filter Expression can only contain non-primary key attributes"),
			Entry("Limit 0", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Limit: aws.Int32(0)}, ""),
			Entry("Select COUNT with a projection", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Select: types.SelectCount, ProjectionExpression: aws.String("v")}, ""),
			Entry("Select SPECIFIC_ATTRIBUTES without a projection", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Select: types.SelectSpecificAttributes}, ""),
			Entry("Select ALL_PROJECTED_ATTRIBUTES without an index", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Select: types.SelectAllProjectedAttributes}, ""),
			Entry("an unknown Select", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)), Select: "SOME"}, ""),
			Entry("both KeyConditions and KeyConditionExpression", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)),
				KeyConditions: map[string]types.Condition{"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []av{S(p)}}}}, "~Can not use both expression and non-expression parameters"),
			Entry("a syntax error", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = = :p"), ExpressionAttributeValues: item(":p", S(p))}, "~yntax error"),
			Entry("an unused value", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p), ":x", N("1"))}, "~:x"),
			Entry("an ExclusiveStartKey that does not match the schema", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)),
				ExclusiveStartKey: item("pk", S(p))}, ""),
			Entry("an ExclusiveStartKey of the wrong type", &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)),
				ExclusiveStartKey: item("pk", S(p), "sk", S("1"))}, ""),
		)

		It("a descending query continues below its ExclusiveStartKey", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(p)),
				ScanIndexForward: aws.Bool(false), ExclusiveStartKey: item("pk", S(p), "sk", N("6")), Limit: aws.Int32(2)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(5, 4)))
		})

		It("Select ALL_ATTRIBUTES returns whole items", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk = :v"),
				ExpressionAttributeValues: item(":p", S(p), ":v", N("3")), Select: types.SelectAllAttributes})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("pk", S(p), "sk", N("3"), "v", N("30"), "even", BOOL(false), "tag", S("t3"))})))
		})

		It("a projection may name the key attributes", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk <= :v"),
				ExpressionAttributeValues: item(":p", S(p), ":v", N("2")), ProjectionExpression: aws.String("sk, pk")})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("pk", S(p), "sk", N("1")), item("pk", S(p), "sk", N("2"))})))
		})

		It("a filter may use functions and nested logic", func() {
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"),
				FilterExpression:          aws.String("(begins_with(tag, :t1) OR v > :v) AND NOT even = :f"),
				ExpressionAttributeValues: item(":p", S(p), ":t1", S("t1"), ":v", N("80"), ":f", BOOL(false))})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(10)))
		})

		It("the legacy QueryFilter parameter filters like an expression", func() {
			out, err := query(&dynamodb.QueryInput{
				KeyConditions: map[string]types.Condition{"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []av{S(p)}}},
				// API_Condition: EQ's AttributeValueList holds a scalar or set (not BOOL).
				QueryFilter: map[string]types.Condition{"v": {ComparisonOperator: types.ComparisonOperatorGt, AttributeValueList: []av{N("70")}}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(8, 9, 10)))
		})

		It("a query sees a write made just before it (ConsistentRead)", func() {
			k := e.key()
			for i := 3; i >= 1; i-- {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: qn, Item: item("pk", S(k), "sk", N(fmt.Sprint(i)))})
				Expect(err).NotTo(HaveOccurred())
			}
			_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: qn, Key: item("pk", S(k), "sk", N("2"))})
			Expect(err).NotTo(HaveOccurred())
			out, err := query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sks(out.Items)).To(Equal(nums(1, 3)))
		})

		It("Query of a missing table fails with ResourceNotFoundException", func() {
			_, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: aws.String(e.name("missing")), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S(p))})
			Expect(err).To(beAPIError(errNotFound))
		})
	})
}
