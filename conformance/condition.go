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

// condCase is one condition expression and whether it holds on condItem.
type condCase struct {
	expr   string
	values map[string]av
	names  map[string]string
}

// condItem is the item every truth-table spec evaluates against.
func condItem(k string) map[string]av {
	return item("pk", S(k), "s", S("hello"), "n", N("5"), "b", B([]byte("abc")), "t", BOOL(true), "z", NULL(),
		"ss", SS("a", "b"), "ns", NS("1", "2"), "bs", BS([]byte("x")), "e", S(""),
		"l", L(S("x"), N("3"), M(item("q", S("r")))),
		"m", M(item("a", N("1"), "b", M(item("c", S("deep"))), "list", L(N("10")))),
		"with space", S("sp"), "dot.ted", S("dt"))
}

// conditionSpecs: ConditionExpression on PutItem, UpdateItem and
// DeleteItem — comparators, functions, logical operators and their
// precedence, document paths, placeholders and their validation.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
// (syntax, precedence "NOT, AND, OR"), Expressions.ConditionExpressions.html,
// Expressions.ExpressionAttributeNames.html / ExpressionAttributeValues.html,
// ReservedWords.html; scylladb test/alternator/test_condition_expression.py
// (validated against DynamoDB: "<>" with a missing attribute is true, order
// comparisons with one are false, redundant parentheses are rejected).
func (e *env) conditionSpecs() {
	Describe("condition", Label("condition"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("condition", hashOnly("pk", "S"))

		// check writes condItem under a fresh key and deletes it under the
		// condition: it returns the DeleteItem error (nil = condition held).
		check := func(c condCase) error {
			GinkgoHelper()
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: condItem(k)})
			Expect(err).NotTo(HaveOccurred())
			in := &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)), ConditionExpression: aws.String(c.expr)}
			if len(c.values) > 0 {
				in.ExpressionAttributeValues = c.values
			}
			if len(c.names) > 0 {
				in.ExpressionAttributeNames = c.names
			}
			_, err = e.ddb.DeleteItem(e.ctx, in)
			return err
		}
		v := func(kv ...any) map[string]av { return item(kv...) }

		DescribeTable("a condition that holds lets the write through",
			func(c condCase) { Expect(check(c)).To(Succeed()) },
			Entry("attribute_exists of a top-level attribute", condCase{expr: "attribute_exists(s)"}),
			Entry("attribute_exists of the key", condCase{expr: "attribute_exists(pk)"}),
			Entry("attribute_not_exists of a missing attribute", condCase{expr: "attribute_not_exists(nope)"}),
			Entry("attribute_exists of a nested map path", condCase{expr: "attribute_exists(m.b.c)"}),
			Entry("attribute_exists of a list element's field", condCase{expr: "attribute_exists(l[2].q)"}),
			Entry("attribute_exists of a NULL attribute", condCase{expr: "attribute_exists(z)"}),
			Entry("attribute_exists of an empty string", condCase{expr: "attribute_exists(e)"}),
			Entry("= on strings", condCase{expr: "s = :v", values: v(":v", S("hello"))}),
			Entry("= on numbers", condCase{expr: "n = :v", values: v(":v", N("5"))}),
			Entry("= on numbers spelled differently", condCase{expr: "n = :v", values: v(":v", N("5.00"))}),
			Entry("= on binaries", condCase{expr: "b = :v", values: v(":v", B([]byte("abc")))}),
			Entry("= on booleans", condCase{expr: "t = :v", values: v(":v", BOOL(true))}),
			Entry("= on a string set in another order", condCase{expr: "ss = :v", values: v(":v", SS("b", "a"))}),
			Entry("= on a number set", condCase{expr: "ns = :v", values: v(":v", NS("2", "1"))}),
			Entry("= on a list", condCase{expr: "l[0] = :v", values: v(":v", S("x"))}),
			Entry("= on a whole map", condCase{expr: "m.b = :v", values: v(":v", M(item("c", S("deep"))))}),
			Entry("= of the empty string", condCase{expr: "e = :v", values: v(":v", S(""))}),
			Entry("<> on different values", condCase{expr: "s <> :v", values: v(":v", S("bye"))}),
			Entry("<> on different types", condCase{expr: "n <> :v", values: v(":v", S("5"))}),
			Entry("<> with a missing attribute", condCase{expr: "nope <> :v", values: v(":v", N("1"))}),
			Entry("<> of two missing attributes", condCase{expr: "nope <> nada"}),
			Entry("< on numbers", condCase{expr: "n < :v", values: v(":v", N("6"))}),
			Entry("<= on equal numbers", condCase{expr: "n <= :v", values: v(":v", N("5"))}),
			Entry("> on numbers", condCase{expr: "n > :v", values: v(":v", N("-5"))}),
			Entry(">= on equal numbers", condCase{expr: "n >= :v", values: v(":v", N("5"))}),
			Entry("< on strings by code point", condCase{expr: "s < :v", values: v(":v", S("hellp"))}),
			Entry("> on strings: lowercase after uppercase", condCase{expr: "s > :v", values: v(":v", S("Zebra"))}),
			Entry("< on binaries by unsigned bytes", condCase{expr: "b < :v", values: v(":v", B([]byte{0xff}))}),
			Entry("the value on the left", condCase{expr: ":v < n", values: v(":v", N("4"))}),
			Entry("two different paths", condCase{expr: "n <> s"}),
			Entry("BETWEEN inclusive bounds", condCase{expr: "n BETWEEN :a AND :b", values: v(":a", N("5"), ":b", N("5"))}),
			Entry("BETWEEN on strings", condCase{expr: "s BETWEEN :a AND :b", values: v(":a", S("a"), ":b", S("z"))}),
			Entry("IN with a match", condCase{expr: "n IN (:a, :b)", values: v(":a", N("4"), ":b", N("5"))}),
			Entry("IN with one value", condCase{expr: "s IN (:a)", values: v(":a", S("hello"))}),
			Entry("begins_with on a string", condCase{expr: "begins_with(s, :v)", values: v(":v", S("he"))}),
			Entry("begins_with with the whole string", condCase{expr: "begins_with(s, :v)", values: v(":v", S("hello"))}),
			Entry("begins_with on a binary", condCase{expr: "begins_with(b, :v)", values: v(":v", B([]byte("ab")))}),
			Entry("contains on a substring", condCase{expr: "contains(s, :v)", values: v(":v", S("ell"))}),
			Entry("contains on a string set", condCase{expr: "contains(ss, :v)", values: v(":v", S("a"))}),
			Entry("contains on a number set", condCase{expr: "contains(ns, :v)", values: v(":v", N("2"))}),
			Entry("contains on a binary set", condCase{expr: "contains(bs, :v)", values: v(":v", B([]byte("x")))}),
			Entry("contains on a list of strings", condCase{expr: "contains(l, :v)", values: v(":v", S("x"))}),
			Entry("contains on a list of numbers", condCase{expr: "contains(l, :v)", values: v(":v", N("3"))}),
			Entry("size of a string", condCase{expr: "size(s) = :v", values: v(":v", N("5"))}),
			Entry("size of the empty string", condCase{expr: "size(e) = :v", values: v(":v", N("0"))}),
			Entry("size of a binary", condCase{expr: "size(b) = :v", values: v(":v", N("3"))}),
			Entry("size of a set", condCase{expr: "size(ss) = :v", values: v(":v", N("2"))}),
			Entry("size of a list", condCase{expr: "size(l) = :v", values: v(":v", N("3"))}),
			Entry("size of a map", condCase{expr: "size(m) = :v", values: v(":v", N("3"))}),
			Entry("size compared with <", condCase{expr: "size(s) < :v", values: v(":v", N("6"))}),
			Entry("attribute_type S", condCase{expr: "attribute_type(s, :t)", values: v(":t", S("S"))}),
			Entry("attribute_type N", condCase{expr: "attribute_type(n, :t)", values: v(":t", S("N"))}),
			Entry("attribute_type B", condCase{expr: "attribute_type(b, :t)", values: v(":t", S("B"))}),
			Entry("attribute_type BOOL", condCase{expr: "attribute_type(t, :t)", values: v(":t", S("BOOL"))}),
			Entry("attribute_type NULL", condCase{expr: "attribute_type(z, :t)", values: v(":t", S("NULL"))}),
			Entry("attribute_type SS", condCase{expr: "attribute_type(ss, :t)", values: v(":t", S("SS"))}),
			Entry("attribute_type NS", condCase{expr: "attribute_type(ns, :t)", values: v(":t", S("NS"))}),
			Entry("attribute_type BS", condCase{expr: "attribute_type(bs, :t)", values: v(":t", S("BS"))}),
			Entry("attribute_type L", condCase{expr: "attribute_type(l, :t)", values: v(":t", S("L"))}),
			Entry("attribute_type M", condCase{expr: "attribute_type(m, :t)", values: v(":t", S("M"))}),
			Entry("a nested map path", condCase{expr: "m.b.c = :v", values: v(":v", S("deep"))}),
			Entry("a list index inside a map", condCase{expr: "m.#l[0] = :v", values: v(":v", N("10")), names: map[string]string{"#l": "list"}}),
			Entry("a map inside a list", condCase{expr: "l[2].q = :v", values: v(":v", S("r"))}),
			Entry("a name placeholder for a name with a space", condCase{expr: "#a = :v", values: v(":v", S("sp")), names: map[string]string{"#a": "with space"}}),
			Entry("a name placeholder for a name with a dot", condCase{expr: "#a = :v", values: v(":v", S("dt")), names: map[string]string{"#a": "dot.ted"}}),
			Entry("a name placeholder for a reserved word", condCase{expr: "attribute_not_exists(#s)", names: map[string]string{"#s": "status"}}),
			Entry("NOT of a false condition", condCase{expr: "NOT attribute_exists(nope)"}),
			Entry("AND of true conditions", condCase{expr: "attribute_exists(s) AND n = :v", values: v(":v", N("5"))}),
			Entry("OR with one true side", condCase{expr: "attribute_exists(nope) OR attribute_exists(s)"}),
			Entry("AND binds tighter than OR", condCase{expr: "attribute_exists(nope) AND attribute_exists(nope) OR attribute_exists(s)"}),
			Entry("parentheses override precedence", condCase{expr: "(attribute_exists(nope) OR attribute_exists(s)) AND attribute_exists(n)"}),
			Entry("lowercase keywords", condCase{expr: "n between :a and :b and not attribute_exists(nope)", values: v(":a", N("1"), ":b", N("9"))}),
			Entry("one pair of unnecessary parentheses", condCase{expr: "(attribute_exists(s))"}),
			Entry("the same value placeholder twice", condCase{expr: "n >= :v AND n <= :v", values: v(":v", N("5"))}),
		)

		DescribeTable("a condition that does not hold fails with ConditionalCheckFailedException",
			func(c condCase) { Expect(check(c)).To(beAPIError(errConditional)) },
			Entry("attribute_exists of a missing attribute", condCase{expr: "attribute_exists(nope)"}),
			Entry("attribute_not_exists of a present attribute", condCase{expr: "attribute_not_exists(s)"}),
			Entry("attribute_exists of a missing nested path", condCase{expr: "attribute_exists(m.nope)"}),
			Entry("attribute_exists of an index past the end", condCase{expr: "attribute_exists(l[5])"}),
			Entry("attribute_exists of a path through a scalar", condCase{expr: "attribute_exists(s.x)"}),
			Entry("= on different values", condCase{expr: "s = :v", values: v(":v", S("bye"))}),
			Entry("= on different types", condCase{expr: "n = :v", values: v(":v", S("5"))}),
			Entry("= with a missing attribute", condCase{expr: "nope = :v", values: v(":v", N("1"))}),
			Entry("= on unequal sets", condCase{expr: "ss = :v", values: v(":v", SS("a", "c"))}),
			Entry("< with a missing attribute", condCase{expr: "nope < :v", values: v(":v", N("1"))}),
			Entry("< of two missing attributes", condCase{expr: "nope < nada"}),
			Entry(">= with a missing attribute", condCase{expr: "nope >= :v", values: v(":v", N("1"))}),
			Entry("< across types", condCase{expr: "s < :v", values: v(":v", N("1"))}),
			Entry("> when smaller", condCase{expr: "n > :v", values: v(":v", N("5"))}),
			Entry("BETWEEN outside the bounds", condCase{expr: "n BETWEEN :a AND :b", values: v(":a", N("6"), ":b", N("9"))}),
			Entry("BETWEEN with a missing attribute", condCase{expr: "nope BETWEEN :a AND :b", values: v(":a", N("1"), ":b", N("9"))}),
			Entry("IN without a match", condCase{expr: "n IN (:a, :b)", values: v(":a", N("4"), ":b", N("6"))}),
			Entry("begins_with on a non-prefix", condCase{expr: "begins_with(s, :v)", values: v(":v", S("lo"))}),
			Entry("begins_with on a number attribute", condCase{expr: "begins_with(n, :v)", values: v(":v", S("5"))}),
			Entry("contains without the substring", condCase{expr: "contains(s, :v)", values: v(":v", S("xyz"))}),
			Entry("contains on a set without the member", condCase{expr: "contains(ss, :v)", values: v(":v", S("c"))}),
			Entry("contains of a number in a string set", condCase{expr: "contains(ss, :v)", values: v(":v", N("1"))}),
			Entry("contains on a missing attribute", condCase{expr: "contains(nope, :v)", values: v(":v", S("a"))}),
			Entry("size of a missing attribute", condCase{expr: "size(nope) = :v", values: v(":v", N("0"))}),
			Entry("size of a number is not defined", condCase{expr: "size(n) = :v", values: v(":v", N("1"))}),
			Entry("attribute_type with another type", condCase{expr: "attribute_type(s, :t)", values: v(":t", S("N"))}),
			Entry("attribute_type of a missing attribute", condCase{expr: "attribute_type(nope, :t)", values: v(":t", S("S"))}),
			Entry("NOT of a true condition", condCase{expr: "NOT attribute_exists(s)"}),
			Entry("NOT binds tighter than AND", condCase{expr: "NOT attribute_exists(nope) AND attribute_exists(nope)"}),
			Entry("AND with one false side", condCase{expr: "attribute_exists(s) AND attribute_exists(nope)"}),
			Entry("OR of false conditions", condCase{expr: "attribute_exists(nope) OR attribute_exists(nada)"}),
		)

		It("a failed condition leaves the item unchanged", func() {
			// API_PutItem: the write happens only if the condition holds.
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", N("2")),
				ConditionExpression: aws.String("a = :v"), ExpressionAttributeValues: item(":v", N("9"))})
			Expect(err).To(beAPIError(errConditional, msgConditionalMsg))
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET a = :n"), ConditionExpression: aws.String("a = :v"),
				ExpressionAttributeValues: item(":v", N("9"), ":n", N("3"))})
			Expect(err).To(beAPIError(errConditional, msgConditionalMsg))
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(item("pk", S(k), "a", N("1")))))
		})

		It("an update's condition sees the item before the update", func() {
			// Expressions.ConditionExpressions: the condition is evaluated against
			// the existing item, then the update is applied.
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET a = :two"), ConditionExpression: aws.String("a = :one"),
				ExpressionAttributeValues: item(":one", N("1"), ":two", N("2"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET a = :two"), ConditionExpression: aws.String("a = :one"),
				ExpressionAttributeValues: item(":one", N("1"), ":two", N("2"))})
			Expect(err).To(beAPIError(errConditional))
		})

		It("a compare-and-set sequence applies each step once", func() {
			// The optimistic-locking pattern of DynamoDBMapper / Expressions.ConditionExpressions.
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "ver", N("0"))})
			Expect(err).NotTo(HaveOccurred())
			for i := 0; i < 5; i++ {
				_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
					UpdateExpression: aws.String("SET ver = ver + :one"), ConditionExpression: aws.String("ver = :cur"),
					ExpressionAttributeValues: item(":one", N("1"), ":cur", N(fmt.Sprint(i)))})
				Expect(err).NotTo(HaveOccurred())
				_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
					UpdateExpression: aws.String("SET ver = ver + :one"), ConditionExpression: aws.String("ver = :cur"),
					ExpressionAttributeValues: item(":one", N("1"), ":cur", N(fmt.Sprint(i)))})
				Expect(err).To(beAPIError(errConditional), "a stale version must be refused")
			}
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plain(out.Item["ver"])).To(Equal(plain(N("5"))))
		})

		It("a DeleteItem condition that fails keeps the item", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)),
				ConditionExpression: aws.String("a > :v"), ExpressionAttributeValues: item(":v", N("1"))})
			Expect(err).To(beAPIError(errConditional))
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Item).NotTo(BeNil())
		})

		It("ReturnValuesOnConditionCheckFailure NONE returns no item with the error", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k)),
				ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureNone})
			var ccf *types.ConditionalCheckFailedException
			Expect(asCCF(err, &ccf)).To(BeTrue())
			Expect(ccf.Item).To(BeEmpty())
		})

		It("the legacy Expected parameter with ComparisonOperator GT", func() {
			// API_ExpectedAttributeValue ComparisonOperator.
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", N("5"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)),
				Expected: map[string]types.ExpectedAttributeValue{"a": {ComparisonOperator: types.ComparisonOperatorGt, AttributeValueList: []av{N("9")}}}})
			Expect(err).To(beAPIError(errConditional))
			_, err = e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)),
				Expected: map[string]types.ExpectedAttributeValue{"a": {ComparisonOperator: types.ComparisonOperatorGt, AttributeValueList: []av{N("4")}}}})
			Expect(err).NotTo(HaveOccurred())
		})

		It("attribute_not_exists(pk) makes PutItem create-only", func() {
			// Expressions.ConditionExpressions: "Preventing overwrites of an existing item".
			k := e.key()
			in := &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k)), ConditionExpression: aws.String("attribute_not_exists(pk)")}
			_, err := e.ddb.PutItem(e.ctx, in)
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.PutItem(e.ctx, in)
			Expect(err).To(beAPIError(errConditional, msgConditionalMsg))
		})

		It("a condition on a missing item sees no attributes", func() {
			// test_condition_expression.py: "<>" holds and "=" fails on a missing item.
			_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(e.key())),
				UpdateExpression: aws.String("SET a = :v"), ConditionExpression: aws.String("a = :v"),
				ExpressionAttributeValues: item(":v", N("1"))})
			Expect(err).To(beAPIError(errConditional))
			k := e.key()
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET a = :v"), ConditionExpression: aws.String("pk <> :k"),
				ExpressionAttributeValues: item(":v", N("1"), ":k", S(k))})
			Expect(err).NotTo(HaveOccurred())
		})

		It("ReturnValuesOnConditionCheckFailure ALL_OLD returns the item with the error", func() {
			// API_PutItem ReturnValuesOnConditionCheckFailure (2023).
			k := e.key()
			it := item("pk", S(k), "a", N("1"))
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k)),
				ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
			Expect(err).To(beAPIError(errConditional))
			var ccf *types.ConditionalCheckFailedException
			Expect(err).To(BeAssignableToTypeOf(err))
			Expect(asCCF(err, &ccf)).To(BeTrue())
			Expect(plainItem(ccf.Item)).To(Equal(plainItem(it)))
		})

		// Validation errors are ValidationException, never a failed condition.
		DescribeTable("an invalid condition fails with ValidationException",
			func(c condCase, msg string) { Expect(check(c)).To(beAPIError(errValidation, msg)) },
			Entry("an empty expression", condCase{expr: ""}, "~empty"),
			Entry("a syntax error", condCase{expr: "n = = :v", values: v(":v", N("1"))}, "~Syntax error"),
			Entry("an unclosed parenthesis", condCase{expr: "(attribute_exists(s)"}, "~Syntax error"),
			Entry("a dangling AND", condCase{expr: "attribute_exists(s) AND"}, "~Syntax error"),
			Entry("an undefined value placeholder", condCase{expr: "n = :nope"}, "~:nope"),
			Entry("an undefined name placeholder", condCase{expr: "#nope = :v", values: v(":v", N("1"))}, "~#nope"),
			Entry("an unused value placeholder", condCase{expr: "attribute_exists(s)", values: v(":unused", N("1"))}, "~:unused"),
			Entry("an unused name placeholder", condCase{expr: "attribute_exists(s)", names: map[string]string{"#unused": "x"}}, "~#unused"),
			Entry("a reserved word as a name", condCase{expr: "attribute_exists(status)"}, "~reserved keyword"),
			Entry("another reserved word", condCase{expr: "size(data) > :v", values: v(":v", N("1"))}, "~reserved keyword"),
			Entry("an unknown function", condCase{expr: "dog(s) = :v", values: v(":v", N("1"))}, "~function"),
			Entry("if_not_exists in a condition", condCase{expr: "if_not_exists(s, :v) = :v", values: v(":v", S("x"))}, "~not allowed"),
			Entry("list_append in a condition", condCase{expr: "size(list_append(l, :v)) = :n", values: v(":v", L(), ":n", N("1"))}, ""),
			Entry("a function with too many arguments", condCase{expr: "size(s, s) = :v", values: v(":v", N("5"))}, ""),
			Entry("attribute_exists of a value", condCase{expr: "attribute_exists(:v)", values: v(":v", S("s"))}, ""),
			Entry("attribute_type with an unknown type", condCase{expr: "attribute_type(s, :t)", values: v(":t", S("DOG"))}, "~DOG"),
			Entry("begins_with with a number operand", condCase{expr: "begins_with(s, :v)", values: v(":v", N("1"))}, ""),
			Entry("a value placeholder as the whole condition", condCase{expr: ":v", values: v(":v", BOOL(true))}, ""),
			Entry("the same path on both sides", condCase{expr: "n = n"}, "~distinct"),
			Entry("< with a BOOL operand", condCase{expr: "t < :v", values: v(":v", BOOL(true))}, "~Incorrect operand type"),
			Entry("redundant parentheses", condCase{expr: "((attribute_exists(s)))"}, "~redundant parentheses"),
			Entry("a negative list index", condCase{expr: "attribute_exists(l[-1])"}, ""),
			Entry("a non-numeric list index", condCase{expr: "attribute_exists(l[x])"}, ""),
			Entry("an invalid value placeholder attribute value", condCase{expr: "n = :v", values: v(":v", NS())}, ""),
			Entry("IN with more than 100 values", condCase{expr: "n IN (" + placeholders(101) + ")", values: numberedValues(101)}, ""),
		)

		It("a condition may not be combined with the legacy Expected parameter", func() {
			// API_PutItem: "Can not use both expression and non-expression parameters".
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key())),
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
				Expected:            map[string]types.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}})
			Expect(err).To(beAPIError(errValidation, "~Can not use both expression and non-expression parameters"))
		})

		It("ExpressionAttributeValues without any expression fails with ValidationException", func() {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key())),
				ExpressionAttributeValues: item(":v", N("1"))})
			Expect(err).To(beAPIError(errValidation, "~ExpressionAttributeValues can only be specified when using expressions"))
		})

		It("ExpressionAttributeNames without any expression fails with ValidationException", func() {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key())),
				ExpressionAttributeNames: map[string]string{"#n": "a"}})
			Expect(err).To(beAPIError(errValidation, "~ExpressionAttributeNames can only be specified when using expressions"))
		})

		It("the legacy Expected parameter with Exists false guards a PutItem", func() {
			// API_PutItem Expected (legacy conditional parameter).
			k := e.key()
			in := &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k)),
				Expected: map[string]types.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}}
			_, err := e.ddb.PutItem(e.ctx, in)
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.PutItem(e.ctx, in)
			Expect(err).To(beAPIError(errConditional))
		})

		It("the legacy Expected parameter with a Value compares for equality", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", N("1"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)),
				Expected: map[string]types.ExpectedAttributeValue{"a": {Value: N("2")}}})
			Expect(err).To(beAPIError(errConditional))
			_, err = e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)),
				Expected: map[string]types.ExpectedAttributeValue{"a": {Value: N("1")}}})
			Expect(err).NotTo(HaveOccurred())
		})
	})
}

func placeholders(n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf(":v%d", i)
	}
	return strings.Join(p, ", ")
}

func numberedValues(n int) map[string]av {
	m := make(map[string]av, n)
	for i := 0; i < n; i++ {
		m[fmt.Sprintf(":v%d", i)] = N(fmt.Sprint(i))
	}
	return m
}
