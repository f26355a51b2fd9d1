package conformance

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// errorsSpecs: the protocol's error behaviour shared by every operation —
// the error envelope, HTTP status, parameter validation ("N validation
// errors detected"), unknown operations and malformed JSON.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
// ("HTTP 400 ... ValidationException", "__type":
// "com.amazonaws.dynamodb.v20120810#...", "Common errors");
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
// (UnknownOperationException, SerializationException is listed by the
// SDKs); dynalite validations/index.js (the "N validation error(s)
// detected: Value ... at '...' failed to satisfy constraint" format,
// captured from DynamoDB); scylladb test/alternator/test_number.py
// (test_number_in_json: a JSON number where a string belongs is a
// SerializationException) and test_manual_requests.py.
func (e *env) errorsSpecs() {
	Describe("errors", Label("errors"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("errors", hashOnly("pk", "S"))

		type op func(table *string) error
		ops := map[string]op{
			"GetItem": func(t *string) error {
				_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: t, Key: item("pk", S("a"))})
				return err
			},
			"PutItem": func(t *string) error {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: t, Item: item("pk", S("a"))})
				return err
			},
			"DeleteItem": func(t *string) error {
				_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: t, Key: item("pk", S("a"))})
				return err
			},
			"UpdateItem": func(t *string) error {
				_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: t, Key: item("pk", S("a")),
					UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: item(":v", S("x"))})
				return err
			},
			"Query": func(t *string) error {
				_, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: t, KeyConditionExpression: aws.String("pk = :p"),
					ExpressionAttributeValues: item(":p", S("a"))})
				return err
			},
			"Scan": func(t *string) error {
				_, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t})
				return err
			},
			"DescribeTable": func(t *string) error {
				_, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: t})
				return err
			},
			"DeleteTable": func(t *string) error {
				_, err := e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: t})
				return err
			},
		}
		opNames := []string{"GetItem", "PutItem", "DeleteItem", "UpdateItem", "Query", "Scan", "DescribeTable", "DeleteTable"}
		entries := func(arg func(name string) []any) []TableEntry {
			var out []TableEntry
			for _, n := range opNames {
				out = append(out, Entry(n, arg(n)...))
			}
			return out
		}

		DescribeTable("a missing TableName fails with ValidationException",
			func(name string) { Expect(ops[name](nil)).To(beAPIError(errValidation)) },
			entries(func(n string) []any { return []any{n} }),
		)

		// Item operations report the constraint; DescribeTable and DeleteTable
		// have their own message (dynalite validations, captured from DynamoDB).
		DescribeTable("a too-short TableName fails the length constraint",
			func(name string) {
				msg := "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
				if name == "DescribeTable" || name == "DeleteTable" {
					msg = "TableName must be at least 3 characters long and at most 255 characters long"
				}
				Expect(ops[name](aws.String("ab"))).To(beAPIError(errValidation, msg))
			},
			entries(func(n string) []any { return []any{n} }),
		)

		DescribeTable("a TableName with invalid characters fails the pattern constraint",
			func(name string) {
				Expect(ops[name](aws.String("bad name!"))).To(beAPIError(errValidation,
					"~Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"))
			},
			entries(func(n string) []any { return []any{n} }),
		)

		DescribeTable("a missing table fails with ResourceNotFoundException",
			func(name string) {
				Expect(ops[name](aws.String(e.name("missing")))).To(beAPIError(errNotFound, "~Requested resource not found"))
			},
			entries(func(n string) []any { return []any{n} }),
		)

		It("several constraint violations are reported together", func() {
			// dynalite validations/index.js: "2 validation errors detected: ...; ...".
			_, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String("ab"), Limit: aws.Int32(0)})
			Expect(err).To(beAPIError(errValidation, "~2 validation errors detected: "))
			Expect(err).To(beAPIError(errValidation, "~'tableName'"))
			Expect(err).To(beAPIError(errValidation, "~'limit'"))
		})

		// API_PutItem etc.: "Valid Values: INDEXES | TOTAL | NONE"; out-of-set
		// values fail the enum constraint (dynalite validations/putItem.js, the
		// message format captured from DynamoDB).
		DescribeTable("an invalid enumeration value fails with ValidationException",
			func(call func() error) {
				Expect(call()).To(beAPIError(errValidation, "~Member must satisfy enum value set"))
			},
			Entry("PutItem ReturnConsumedCapacity", func() error {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S("a")), ReturnConsumedCapacity: "ALL"})
				return err
			}),
			Entry("GetItem ReturnConsumedCapacity", func() error {
				_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S("a")), ReturnConsumedCapacity: "SOME"})
				return err
			}),
			Entry("PutItem ReturnItemCollectionMetrics", func() error {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S("a")), ReturnItemCollectionMetrics: "ALL"})
				return err
			}),
			Entry("Scan Select", func() error {
				_, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: h, Select: "EVERYTHING"})
				return err
			}),
			Entry("UpdateItem ReturnValues", func() error {
				_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S("a")), ReturnValues: "SOME"})
				return err
			}),
		)

		DescribeTable("malformed attribute values fail with ValidationException",
			func(body string, msg string) {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S("x"))},
					withBody(strings.ReplaceAll(body, "TABLE", *h)))
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("two types in one value", `{"TableName":"TABLE","Item":{"pk":{"S":"a"},"v":{"S":"x","N":"1"}}}`,
				"~Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
			Entry("an empty value", `{"TableName":"TABLE","Item":{"pk":{"S":"a"},"v":{}}}`,
				"~Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
		)

		DescribeTable("malformed JSON fails with SerializationException",
			func(body string) {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S("x"))},
					withBody(strings.ReplaceAll(body, "TABLE", *h)))
				Expect(err).To(beAPIError(errSerialization))
			},
			Entry("a number where a string belongs (N)", `{"TableName":"TABLE","Item":{"pk":{"S":"a"},"v":{"N":123}}}`),
			Entry("a number as TableName", `{"TableName":123,"Item":{"pk":{"S":"a"}}}`),
			Entry("a string as Item", `{"TableName":"TABLE","Item":"pk"}`),
			Entry("a list as Item", `{"TableName":"TABLE","Item":[1,2]}`),
			Entry("a string as BOOL", `{"TableName":"TABLE","Item":{"pk":{"S":"a"},"v":{"BOOL":"yes"}}}`),
		)

		It("an unknown operation fails with UnknownOperationException", func() {
			_, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{}, withTarget("FrobnicateTable"))
			Expect(err).To(beAPIError(errUnknownOp))
		})

		DescribeTable("client errors have HTTP status 400",
			func(call func() error, code string) {
				err := call()
				Expect(err).To(beAPIError(code))
				var re *smithyhttp.ResponseError
				Expect(errors.As(err, &re)).To(BeTrue())
				Expect(re.HTTPStatusCode()).To(Equal(400))
			},
			Entry("ValidationException", func() error { return ops["GetItem"](aws.String("ab")) }, errValidation),
			Entry("ResourceNotFoundException", func() error { return ops["GetItem"](aws.String(e.name("missing"))) }, errNotFound),
			Entry("ConditionalCheckFailedException", func() error {
				_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(e.key())),
					ConditionExpression: aws.String("attribute_exists(pk)")})
				return err
			}, errConditional),
		)

		It("the error envelope names the type with DynamoDB's namespace", func() {
			// Programming.Errors: {"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": ...}
			var raw rawResponse
			_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(e.name("missing")), Key: item("pk", S("a"))}, raw.option())
			Expect(err).To(beAPIError(errNotFound))
			var env map[string]any
			Expect(json.Unmarshal(raw.Body, &env)).To(Succeed())
			Expect(env["__type"]).To(Equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"))
			Expect(env).To(Or(HaveKey("message"), HaveKey("Message")))
		})

		It("responses are application/x-amz-json-1.0", func() {
			var raw rawResponse
			_, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, raw.option())
			Expect(err).NotTo(HaveOccurred())
			Expect(raw.Status).To(Equal(200))
			Expect(strings.Join(raw.Header["Content-Type"], ",")).To(ContainSubstring("application/x-amz-json-1.0"))
		})

		It("responses carry a request id", func() {
			// Programming.Errors: every response has x-amzn-RequestId.
			out, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
			Expect(err).NotTo(HaveOccurred())
			id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			Expect(ok).To(BeTrue())
			Expect(id).NotTo(BeEmpty())
		})

		It("a ConditionalCheckFailedException says the conditional request failed", func() {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key())),
				ConditionExpression: aws.String("attribute_exists(pk)")})
			Expect(err).To(beAPIError(errConditional, msgConditionalMsg))
			var ccf *types.ConditionalCheckFailedException
			Expect(errors.As(err, &ccf)).To(BeTrue(), "the SDK maps it to its typed error")
		})

		It("a ResourceNotFoundException maps to the SDK's typed error", func() {
			err := ops["Scan"](aws.String(e.name("missing")))
			var nf *types.ResourceNotFoundException
			Expect(errors.As(err, &nf)).To(BeTrue())
		})
	})
}
