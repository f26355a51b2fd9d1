package conformance

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func projItem(k string) map[string]av {
	return item("pk", S(k), "a", S("A"), "b", N("2"), "m", M(item("x", N("1"), "y", M(item("z", S("deep"))))),
		"l", L(S("l0"), M(item("q", S("r"), "w", S("v"))), S("l2")), "status", S("on"), "dot.ted", S("dt"))
}

// projectionSpecs: ProjectionExpression on GetItem, Query and Scan.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html,
// Expressions.Attributes.html (document paths), API_GetItem.html;
// scylladb test/alternator/test_projection_expression.py (validated
// against DynamoDB: list elements come back compacted, missing paths are
// omitted, overlapping paths are rejected).
func (e *env) projectionSpecs() {
	Describe("projection", Label("projection"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("projection", hashOnly("pk", "S"))
		var k string
		BeforeAll(func() {
			k = e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: projItem(k)})
			Expect(err).NotTo(HaveOccurred())
		})
		get := func(expr string, names map[string]string) (map[string]av, error) {
			in := &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ProjectionExpression: aws.String(expr), ConsistentRead: aws.Bool(true)}
			if len(names) > 0 {
				in.ExpressionAttributeNames = names
			}
			out, err := e.ddb.GetItem(e.ctx, in)
			if err != nil {
				return nil, err
			}
			return out.Item, nil
		}

		DescribeTable("GetItem returns exactly the projected paths",
			func(expr string, names map[string]string, want map[string]av) {
				got, err := get(expr, names)
				Expect(err).NotTo(HaveOccurred())
				if _, ok := want["pk"]; ok {
					want = item("pk", S(k)) // the key is only known at run time
				}
				Expect(plainItem(got)).To(Equal(plainItem(want)))
			},
			Entry("one attribute", "a", nil, item("a", S("A"))),
			Entry("two attributes", "a, b", nil, item("a", S("A"), "b", N("2"))),
			Entry("the key only when asked", "pk", nil, item("pk", S("KEY"))),
			Entry("a whole map", "m", nil, item("m", M(item("x", N("1"), "y", M(item("z", S("deep"))))))),
			Entry("a map member", "m.x", nil, item("m", M(item("x", N("1"))))),
			Entry("a deep map member", "m.y.z", nil, item("m", M(item("y", M(item("z", S("deep"))))))),
			Entry("two members of one map", "m.x, m.y.z", nil, item("m", M(item("x", N("1"), "y", M(item("z", S("deep"))))))),
			Entry("a list element", "l[1]", nil, item("l", L(M(item("q", S("r"), "w", S("v")))))),
			Entry("list elements come back compacted", "l[0], l[2]", nil, item("l", L(S("l0"), S("l2")))),
			Entry("a member of a map in a list", "l[1].q", nil, item("l", L(M(item("q", S("r")))))),
			Entry("a missing attribute is omitted", "a, nope", nil, item("a", S("A"))),
			Entry("only missing attributes give an empty item", "nope", nil, item()),
			Entry("an index past the end is omitted", "l[7]", nil, item()),
			Entry("a missing map member is omitted", "m.nope, a", nil, item("a", S("A"))),
			Entry("a path through a scalar is omitted", "a.x", nil, item()),
			Entry("a name placeholder", "#s", map[string]string{"#s": "status"}, item("status", S("on"))),
			Entry("a name with a dot needs a placeholder", "#d", map[string]string{"#d": "dot.ted"}, item("dot.ted", S("dt"))),
			Entry("a dotted path is a path, not a name", "dot.ted", nil, item()),
			Entry("placeholders inside a path", "#m.#x", map[string]string{"#m": "m", "#x": "x"}, item("m", M(item("x", N("1"))))),
		)

		DescribeTable("an invalid projection fails with ValidationException",
			func(expr string, names map[string]string, msg string) {
				_, err := get(expr, names)
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("an empty expression", "", nil, "~empty"),
			Entry("the same attribute twice", "a, a", nil, "~overlap"),
			Entry("a map and its member", "m, m.x", nil, "~overlap"),
			Entry("a list and its element", "l[0], l", nil, "~overlap"),
			Entry("a syntax error", "a,, b", nil, "~yntax error"),
			Entry("a trailing comma", "a,", nil, "~yntax error"),
			Entry("a reserved word", "status", nil, "~reserved keyword"),
			Entry("an undefined name placeholder", "#nope", nil, "~#nope"),
			Entry("an unused name placeholder", "a", map[string]string{"#unused": "b"}, "~#unused"),
			Entry("a function", "size(a)", nil, ""),
			Entry("a value placeholder", ":v", nil, ""),
			Entry("a negative index", "l[-1]", nil, ""),
		)

		It("a projection may not be combined with AttributesToGet", func() {
			_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)),
				ProjectionExpression: aws.String("a"), AttributesToGet: []string{"b"}})
			Expect(err).To(beAPIError(errValidation, "~Can not use both expression and non-expression parameters"))
		})

		It("Query applies the projection to every item", func() {
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: h, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :k"),
				ExpressionAttributeValues: item(":k", S(k)), ProjectionExpression: aws.String("a, m.x")})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("a", S("A"), "m", M(item("x", N("1"))))})))
		})

		It("Scan applies the projection to every item", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: h, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("pk, l[2]"),
				FilterExpression: aws.String("pk = :k"), ExpressionAttributeValues: item(":k", S(k))})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("pk", S(k), "l", L(S("l2")))})))
		})

		It("a filter may use attributes the projection leaves out", func() {
			// Expressions.ProjectionExpressions / Query FilterExpression: the filter
			// sees the whole item, the projection shapes the result.
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: h, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :k"),
				FilterExpression: aws.String("b = :two"), ExpressionAttributeValues: item(":k", S(k), ":two", N("2")),
				ProjectionExpression: aws.String("a")})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("a", S("A"))})))
		})
	})
}
