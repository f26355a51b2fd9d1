package conformance

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// updCase is an UpdateExpression applied to updItem (or to no item when
// fresh), and the attributes expected afterwards (a nil value: absent).
type updCase struct {
	fresh  bool
	expr   string
	values map[string]av
	names  map[string]string
	want   map[string]av
}

func updItem(k string) map[string]av {
	return item("pk", S(k), "n", N("5"), "s", S("str"), "ss", SS("a", "b"), "ns", NS("1", "2"),
		"bs", BS([]byte("x"), []byte("y")),
		"l", L(N("1"), N("2"), N("3")), "m", M(item("x", N("1"), "y", M(item("z", S("deep"))))))
}

// updateSpecs: UpdateExpression's SET, REMOVE, ADD and DELETE clauses, its
// functions, ReturnValues, and its validation.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
// (ReturnValues, "Cannot update attribute ... part of the key");
// scylladb test/alternator/test_update_expression.py and test_returnvalues.py
// (validated against DynamoDB: invalid document paths, overlapping and
// conflicting paths, ADD on lists).
func (e *env) updateSpecs() {
	Describe("update", Label("update"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("update", hashOnly("pk", "S"))

		run := func(c updCase, rv types.ReturnValue) (string, *dynamodb.UpdateItemOutput, error) {
			GinkgoHelper()
			k := e.key()
			if !c.fresh {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: updItem(k)})
				Expect(err).NotTo(HaveOccurred())
			}
			in := &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)), UpdateExpression: aws.String(c.expr), ReturnValues: rv}
			if len(c.values) > 0 {
				in.ExpressionAttributeValues = c.values
			}
			if len(c.names) > 0 {
				in.ExpressionAttributeNames = c.names
			}
			out, err := e.ddb.UpdateItem(e.ctx, in)
			return k, out, err
		}
		current := func(k string) map[string]av {
			GinkgoHelper()
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			return out.Item
		}
		v := func(kv ...any) map[string]av { return item(kv...) }
		absent := av(nil)

		DescribeTable("an update expression changes the item as documented",
			func(c updCase) {
				k, _, err := run(c, "")
				Expect(err).NotTo(HaveOccurred())
				got := current(k)
				for name, want := range c.want {
					if want == nil {
						Expect(got).NotTo(HaveKey(name))
						continue
					}
					Expect(got).To(HaveKey(name))
					Expect(plain(got[name])).To(Equal(plain(want)), "attribute %s", name)
				}
			},
			Entry("SET a new attribute", updCase{expr: "SET a = :v", values: v(":v", S("x")), want: v("a", S("x"))}),
			Entry("SET replaces an attribute of another type", updCase{expr: "SET n = :v", values: v(":v", S("x")), want: v("n", S("x"))}),
			Entry("SET several attributes", updCase{expr: "SET a = :a, b = :b", values: v(":a", N("1"), ":b", N("2")), want: v("a", N("1"), "b", N("2"))}),
			Entry("SET from another attribute", updCase{expr: "SET a = s", want: v("a", S("str"))}),
			Entry("SET n = n + :v", updCase{expr: "SET n = n + :v", values: v(":v", N("3")), want: v("n", N("8"))}),
			Entry("SET n = n - :v", updCase{expr: "SET n = n - :v", values: v(":v", N("7")), want: v("n", N("-2"))}),
			Entry("SET a = :x + :y of two values", updCase{expr: "SET a = :x + :y", values: v(":x", N("1.5"), ":y", N("2")), want: v("a", N("3.5"))}),
			Entry("SET with if_not_exists on a missing attribute", updCase{expr: "SET a = if_not_exists(a, :v)", values: v(":v", N("0")), want: v("a", N("0"))}),
			Entry("SET with if_not_exists on a present attribute", updCase{expr: "SET n = if_not_exists(n, :v)", values: v(":v", N("0")), want: v("n", N("5"))}),
			Entry("SET with if_not_exists plus a number (counter)", updCase{expr: "SET c = if_not_exists(c, :z) + :one", values: v(":z", N("0"), ":one", N("1")), want: v("c", N("1"))}),
			Entry("SET list_append at the end", updCase{expr: "SET l = list_append(l, :v)", values: v(":v", L(N("4"))), want: v("l", L(N("1"), N("2"), N("3"), N("4")))}),
			Entry("SET list_append at the front", updCase{expr: "SET l = list_append(:v, l)", values: v(":v", L(N("0"))), want: v("l", L(N("0"), N("1"), N("2"), N("3")))}),
			Entry("SET list_append of two values", updCase{expr: "SET a = list_append(:x, :y)", values: v(":x", L(S("a")), ":y", L(S("b"))), want: v("a", L(S("a"), S("b")))}),
			Entry("SET list_append with if_not_exists", updCase{expr: "SET a = list_append(if_not_exists(a, :e), :v)", values: v(":e", L(), ":v", L(S("x"))), want: v("a", L(S("x")))}),
			Entry("SET a nested map attribute", updCase{expr: "SET m.y.z = :v", values: v(":v", S("new")), want: v("m", M(item("x", N("1"), "y", M(item("z", S("new"))))))}),
			Entry("SET a new nested map attribute", updCase{expr: "SET m.w = :v", values: v(":v", S("w")), want: v("m", M(item("x", N("1"), "y", M(item("z", S("deep"))), "w", S("w"))))}),
			Entry("SET a list element", updCase{expr: "SET l[1] = :v", values: v(":v", S("two")), want: v("l", L(N("1"), S("two"), N("3")))}),
			Entry("SET past the end of a list appends", updCase{expr: "SET l[10] = :v", values: v(":v", N("4")), want: v("l", L(N("1"), N("2"), N("3"), N("4")))}),
			Entry("SET with a name placeholder", updCase{expr: "SET #a = :v", values: v(":v", N("1")), names: map[string]string{"#a": "a.b"}, want: v("a.b", N("1"))}),
			Entry("SET a reserved word through a placeholder", updCase{expr: "SET #s = :v", values: v(":v", S("on")), names: map[string]string{"#s": "status"}, want: v("status", S("on"))}),
			Entry("SET swaps two attributes", updCase{expr: "SET a = n, b = s", want: v("a", N("5"), "b", S("str"))}),
			Entry("SET an empty string", updCase{expr: "SET a = :v", values: v(":v", S("")), want: v("a", S(""))}),
			Entry("REMOVE an attribute", updCase{expr: "REMOVE s", want: v("s", absent)}),
			Entry("REMOVE several attributes", updCase{expr: "REMOVE s, n", want: v("s", absent, "n", absent)}),
			Entry("REMOVE a missing attribute", updCase{expr: "REMOVE nope", want: v("n", N("5"))}),
			Entry("REMOVE a nested attribute", updCase{expr: "REMOVE m.y", want: v("m", M(item("x", N("1"))))}),
			Entry("REMOVE a missing key of a map", updCase{expr: "REMOVE m.nope", want: v("m", M(item("x", N("1"), "y", M(item("z", S("deep"))))))}),
			Entry("REMOVE a list element shifts the rest", updCase{expr: "REMOVE l[0]", want: v("l", L(N("2"), N("3")))}),
			Entry("REMOVE several list elements", updCase{expr: "REMOVE l[0], l[2]", want: v("l", L(N("2")))}),
			Entry("REMOVE an index past the end", updCase{expr: "REMOVE l[9]", want: v("l", L(N("1"), N("2"), N("3")))}),
			Entry("ADD to a number", updCase{expr: "ADD n :v", values: v(":v", N("2")), want: v("n", N("7"))}),
			Entry("ADD a number to a missing attribute", updCase{expr: "ADD c :v", values: v(":v", N("2")), want: v("c", N("2"))}),
			Entry("ADD to a string set", updCase{expr: "ADD ss :v", values: v(":v", SS("b", "c")), want: v("ss", SS("a", "b", "c"))}),
			Entry("ADD to a number set", updCase{expr: "ADD ns :v", values: v(":v", NS("3")), want: v("ns", NS("1", "2", "3"))}),
			Entry("ADD to a binary set", updCase{expr: "ADD bs :v", values: v(":v", BS([]byte("z"))), want: v("bs", BS([]byte("x"), []byte("y"), []byte("z")))}),
			Entry("ADD a set to a missing attribute", updCase{expr: "ADD c :v", values: v(":v", SS("q")), want: v("c", SS("q"))}),
			Entry("DELETE from a string set", updCase{expr: "DELETE ss :v", values: v(":v", SS("a")), want: v("ss", SS("b"))}),
			Entry("DELETE from a number set", updCase{expr: "DELETE ns :v", values: v(":v", NS("2")), want: v("ns", NS("1"))}),
			Entry("DELETE of absent members", updCase{expr: "DELETE ss :v", values: v(":v", SS("q")), want: v("ss", SS("a", "b"))}),
			Entry("DELETE of every member removes the attribute", updCase{expr: "DELETE ss :v", values: v(":v", SS("a", "b")), want: v("ss", absent)}),
			Entry("DELETE from a missing attribute", updCase{expr: "DELETE nope :v", values: v(":v", SS("a")), want: v("nope", absent)}),
			Entry("all four clauses together", updCase{expr: "SET a = :a REMOVE s ADD n :one DELETE ss :d", values: v(":a", S("A"), ":one", N("1"), ":d", SS("a")),
				want: v("a", S("A"), "s", absent, "n", N("6"), "ss", SS("b"))}),
			Entry("clauses in any order", updCase{expr: "REMOVE s SET a = :a", values: v(":a", S("A")), want: v("a", S("A"), "s", absent)}),
			Entry("lowercase clause keywords", updCase{expr: "set a = :a remove s", values: v(":a", S("A")), want: v("a", S("A"), "s", absent)}),
			Entry("SET arithmetic on a nested attribute", updCase{expr: "SET m.x = m.x + :v", values: v(":v", N("2")), want: v("m", M(item("x", N("3"), "y", M(item("z", S("deep"))))))}),
			Entry("ADD to a nested number", updCase{expr: "ADD m.x :v", values: v(":v", N("4")), want: v("m", M(item("x", N("5"), "y", M(item("z", S("deep"))))))}),
			Entry("SET if_not_exists on a nested path", updCase{expr: "SET m.q = if_not_exists(m.q, :v)", values: v(":v", S("new")), want: v("m", M(item("x", N("1"), "y", M(item("z", S("deep"))), "q", S("new"))))}),
			Entry("SET a map as a value", updCase{expr: "SET a = :v", values: v(":v", M(item("k", L(N("1"), M(item("z", BOOL(true))))))), want: v("a", M(item("k", L(N("1"), M(item("z", BOOL(true)))))))}),
			Entry("SET a list element from another element", updCase{expr: "SET l[0] = l[2]", want: v("l", L(N("3"), N("2"), N("3")))}),
			Entry("SET list_append of a list with itself", updCase{expr: "SET l = list_append(l, l)", want: v("l", L(N("1"), N("2"), N("3"), N("1"), N("2"), N("3")))}),
			Entry("SET list_append of an empty list", updCase{expr: "SET l = list_append(l, :e)", values: v(":e", L()), want: v("l", L(N("1"), N("2"), N("3")))}),
			Entry("SET a deep new map member", updCase{expr: "SET m.y.w = :v", values: v(":v", N("7")), want: v("m", M(item("x", N("1"), "y", M(item("z", S("deep"), "w", N("7"))))))}),
			Entry("REMOVE a deep map member", updCase{expr: "REMOVE m.y.z", want: v("m", M(item("x", N("1"), "y", M(item()))))}),
			Entry("REMOVE the last list element", updCase{expr: "REMOVE l[2]", want: v("l", L(N("1"), N("2")))}),
			Entry("REMOVE every list element", updCase{expr: "REMOVE l[0], l[1], l[2]", want: v("l", L())}),
			Entry("SET and REMOVE different members of one map", updCase{expr: "SET m.w = :v REMOVE m.x", values: v(":v", N("0")), want: v("m", M(item("w", N("0"), "y", M(item("z", S("deep"))))))}),
			Entry("ADD and DELETE on different sets", updCase{expr: "ADD ss :a DELETE ns :d", values: v(":a", SS("c"), ":d", NS("1")), want: v("ss", SS("a", "b", "c"), "ns", NS("2"))}),
			Entry("ADD numbers written in exponent form", updCase{expr: "ADD n :v", values: v(":v", N("1E1")), want: v("n", N("15"))}),
			Entry("SET a subtraction of two attributes", updCase{expr: "SET a = n - n", want: v("a", N("0"))}),
			Entry("DELETE from a binary set", updCase{expr: "DELETE bs :v", values: v(":v", BS([]byte("x"))), want: v("bs", BS([]byte("y")))}),
			Entry("SET with spaces and newlines around tokens", updCase{expr: "  SET\n a  =  :v ,\tb=:v  ", values: v(":v", N("1")), want: v("a", N("1"), "b", N("1"))}),
			Entry("SET on a missing item creates it", updCase{fresh: true, expr: "SET a = :v", values: v(":v", N("1")), want: v("a", N("1"))}),
			Entry("ADD on a missing item creates it", updCase{fresh: true, expr: "ADD c :v", values: v(":v", N("1")), want: v("c", N("1"))}),
		)

		DescribeTable("an invalid update fails with ValidationException",
			func(c updCase, msg string) {
				k, _, err := run(c, "")
				Expect(err).To(beAPIError(errValidation, msg))
				if !c.fresh {
					Expect(plainItem(current(k))).To(Equal(plainItem(updItem(k))), "the item must be unchanged")
				}
			},
			Entry("updating the hash key", updCase{expr: "SET pk = :v", values: v(":v", S("x"))}, "~part of the key"),
			Entry("removing the hash key", updCase{expr: "REMOVE pk"}, "~part of the key"),
			Entry("an empty expression", updCase{expr: ""}, "~empty"),
			Entry("a syntax error", updCase{expr: "SET a = = :v", values: v(":v", N("1"))}, "~yntax error"),
			Entry("an unknown clause", updCase{expr: "PUT a = :v", values: v(":v", N("1"))}, "~yntax error"),
			Entry("a clause used twice", updCase{expr: "SET a = :v SET b = :v", values: v(":v", N("1"))}, ""),
			Entry("the same path set twice", updCase{expr: "SET a = :v, a = :v", values: v(":v", N("1"))}, "~overlap"),
			Entry("overlapping paths", updCase{expr: "SET m = :v REMOVE m.x", values: v(":v", M(item()))}, "~overlap"),
			Entry("conflicting paths", updCase{expr: "SET m.x = :v, m[1] = :v", values: v(":v", N("1"))}, "~conflict"),
			Entry("a nested path under a missing attribute", updCase{expr: "SET nope.x = :v", values: v(":v", N("1"))}, "~path"),
			Entry("a nested path under a scalar", updCase{expr: "SET s.x = :v", values: v(":v", N("1"))}, "~path"),
			Entry("a list index on a map", updCase{expr: "SET m[0] = :v", values: v(":v", N("1"))}, "~path"),
			Entry("a list index on a missing attribute", updCase{expr: "SET nope[0] = :v", values: v(":v", N("1"))}, "~path"),
			Entry("REMOVE under a missing attribute", updCase{expr: "REMOVE nope.x"}, "~path"),
			Entry("+ on a string", updCase{expr: "SET a = s + :v", values: v(":v", N("1"))}, "~operand"),
			Entry("+ with a string value", updCase{expr: "SET a = n + :v", values: v(":v", S("1"))}, "~operand"),
			Entry("+ with a missing attribute", updCase{expr: "SET a = nope + :v", values: v(":v", N("1"))}, "~attribute that does not exist"),
			Entry("SET from a missing attribute", updCase{expr: "SET a = nope"}, "~attribute that does not exist"),
			Entry("list_append on a non-list", updCase{expr: "SET a = list_append(s, :v)", values: v(":v", L())}, "~operand"),
			Entry("ADD a string", updCase{expr: "ADD s :v", values: v(":v", S("x"))}, "~type"),
			Entry("ADD a number to a set", updCase{expr: "ADD ss :v", values: v(":v", N("1"))}, "~type"),
			Entry("ADD a list", updCase{expr: "ADD l :v", values: v(":v", L(N("4")))}, "~operand"),
			Entry("ADD a set of another type", updCase{expr: "ADD ss :v", values: v(":v", NS("1"))}, "~type"),
			Entry("ADD to a nested list element", updCase{expr: "ADD m.x :v, l :w", values: v(":v", N("1"), ":w", S("q"))}, ""),
			Entry("DELETE a scalar", updCase{expr: "DELETE ss :v", values: v(":v", S("a"))}, "~type"),
			Entry("DELETE from a non-set", updCase{expr: "DELETE n :v", values: v(":v", NS("5"))}, "~type"),
			Entry("an undefined value placeholder", updCase{expr: "SET a = :nope"}, "~:nope"),
			Entry("an undefined name placeholder", updCase{expr: "SET #nope = :v", values: v(":v", N("1"))}, "~#nope"),
			Entry("an unused value", updCase{expr: "SET a = :v", values: v(":v", N("1"), ":unused", N("2"))}, "~:unused"),
			Entry("an unused name", updCase{expr: "SET a = :v", values: v(":v", N("1")), names: map[string]string{"#unused": "x"}}, "~#unused"),
			Entry("a reserved word", updCase{expr: "SET status = :v", values: v(":v", N("1"))}, "~reserved keyword"),
			Entry("if_not_exists with a value as first argument", updCase{expr: "SET a = if_not_exists(:v, :v)", values: v(":v", N("1"))}, ""),
			Entry("an unknown function", updCase{expr: "SET a = dog(:v)", values: v(":v", N("1"))}, "~function"),
			Entry("a condition function in SET", updCase{expr: "SET a = size(s)"}, ""),
			Entry("an empty set value", updCase{expr: "SET a = :v", values: v(":v", SS())}, ""),
			Entry("REMOVE with a value", updCase{expr: "REMOVE a = :v", values: v(":v", N("1"))}, "~yntax error"),
			Entry("ADD without a value", updCase{expr: "ADD n"}, "~yntax error"),
			Entry("DELETE without a value", updCase{expr: "DELETE ss"}, "~yntax error"),
			Entry("a nested path in ADD that conflicts with SET", updCase{expr: "SET m.x = :v ADD m :s", values: v(":v", N("1"), ":s", SS("a"))}, "~overlap"),
			Entry("SET of a list element under a scalar", updCase{expr: "SET n[0] = :v", values: v(":v", N("1"))}, "~path"),
			Entry("REMOVE a list index on a map", updCase{expr: "REMOVE m[0]"}, "~path"),
			Entry("list_append with a number", updCase{expr: "SET l = list_append(l, :v)", values: v(":v", N("1"))}, "~operand"),
			Entry("if_not_exists with one argument", updCase{expr: "SET a = if_not_exists(a)"}, ""),
			Entry("a value placeholder as the SET target", updCase{expr: "SET :v = n", values: v(":v", N("1"))}, "~yntax error"),
			Entry("an ADD to the key", updCase{expr: "ADD pk :v", values: v(":v", N("1"))}, "~part of the key"),
			Entry("a set with duplicates as a value", updCase{expr: "ADD ss :v", values: v(":v", SS("q", "q"))}, ""),
		)

		It("updating the range key is rejected", func() {
			hr := e.newTable("update", hashRange("pk", "S", "sk", "S"))
			_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: aws.String(hr), Key: item("pk", S("a"), "sk", S("b")),
				UpdateExpression: aws.String("SET sk = :v"), ExpressionAttributeValues: item(":v", S("c"))})
			Expect(err).To(beAPIError(errValidation, "~part of the key"))
		})

		// API_UpdateItem ReturnValues; test_returnvalues.py.
		DescribeTable("UpdateItem ReturnValues returns the documented attributes",
			func(rv types.ReturnValue, want map[string]av) {
				c := updCase{expr: "SET n = :v, a = :a", values: item(":v", N("6"), ":a", S("new"))}
				k, out, err := run(c, rv)
				Expect(err).NotTo(HaveOccurred())
				if want != nil && want["pk"] != nil {
					want["pk"] = S(k)
				}
				if want == nil {
					Expect(out.Attributes).To(BeEmpty())
					return
				}
				if rv == types.ReturnValueAllNew {
					want = updItem(k)
					want["n"], want["a"] = N("6"), S("new")
				}
				if rv == types.ReturnValueAllOld {
					want = updItem(k)
				}
				Expect(plainItem(out.Attributes)).To(Equal(plainItem(want)))
			},
			Entry("NONE", types.ReturnValueNone, nil),
			Entry("ALL_OLD", types.ReturnValueAllOld, item("pk", S(""))),
			Entry("ALL_NEW", types.ReturnValueAllNew, item("pk", S(""))),
			Entry("UPDATED_OLD: the old values of updated attributes that existed", types.ReturnValueUpdatedOld, item("n", N("5"))),
			Entry("UPDATED_NEW: the new values of updated attributes", types.ReturnValueUpdatedNew, item("n", N("6"), "a", S("new"))),
		)

		It("UpdateItem ReturnValues ALL_OLD on a new item returns nothing", func() {
			_, out, err := run(updCase{fresh: true, expr: "SET a = :v", values: item(":v", N("1"))}, types.ReturnValueAllOld)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Attributes).To(BeEmpty())
		})

		It("UpdateItem ReturnValues UPDATED_NEW of a nested update returns only the nested path", func() {
			// test_returnvalues.py test_update_item_returnvalues_nested.
			_, out, err := run(updCase{expr: "SET m.x = :v", values: item(":v", N("9"))}, types.ReturnValueUpdatedNew)
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Attributes)).To(Equal(plainItem(item("m", M(item("x", N("9")))))))
		})

		It("UpdateItem rejects an unknown ReturnValues", func() {
			_, _, err := run(updCase{expr: "SET a = :v", values: item(":v", N("1"))}, "EVERYTHING")
			Expect(err).To(beAPIError(errValidation))
		})

		It("the legacy AttributeUpdates parameter PUTs, ADDs and DELETEs", func() {
			// API_UpdateItem AttributeUpdates (legacy).
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: updItem(k)})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				AttributeUpdates: map[string]types.AttributeValueUpdate{
					"a":  {Action: types.AttributeActionPut, Value: S("A")},
					"n":  {Action: types.AttributeActionAdd, Value: N("1")},
					"s":  {Action: types.AttributeActionDelete},
					"ss": {Action: types.AttributeActionDelete, Value: SS("a")},
				}})
			Expect(err).NotTo(HaveOccurred())
			got := plainItem(current(k))
			Expect(got["a"]).To(Equal(plain(S("A"))))
			Expect(got["n"]).To(Equal(plain(N("6"))))
			Expect(got).NotTo(HaveKey("s"))
			Expect(got["ss"]).To(Equal(plain(SS("b"))))
		})

		It("UpdateExpression may not be combined with AttributeUpdates", func() {
			_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(e.key())),
				UpdateExpression: aws.String("SET a = :v"), ExpressionAttributeValues: item(":v", N("1")),
				AttributeUpdates: map[string]types.AttributeValueUpdate{"b": {Action: types.AttributeActionPut, Value: N("1")}}})
			Expect(err).To(beAPIError(errValidation, "~Can not use both expression and non-expression parameters"))
		})

		It("a ConditionExpression guards an update", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: updItem(k)})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET n = n + :one"), ConditionExpression: aws.String("n = :five"),
				ExpressionAttributeValues: item(":one", N("1"), ":five", N("5"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET n = n + :one"), ConditionExpression: aws.String("n = :five"),
				ExpressionAttributeValues: item(":one", N("1"), ":five", N("5"))})
			Expect(err).To(beAPIError(errConditional))
			Expect(plain(current(k)["n"])).To(Equal(plain(N("6"))))
		})
	})
}
