package conformance

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// tablesSpecs: CreateTable, DescribeTable, ListTables, UpdateTable,
// DeleteTable.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
// (and API_DescribeTable, API_ListTables, API_DeleteTable, API_UpdateTable),
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
// (naming rules), and scylladb test/alternator/test_table.py, validated
// against DynamoDB.
func (e *env) tablesSpecs() {
	Describe("tables", Label("tables"), func() {
		create := func(mut func(in *dynamodb.CreateTableInput)) error {
			in := hashOnly("pk", "S").input(e.name("tables"))
			mut(in)
			_, err := e.ddb.CreateTable(e.ctx, in)
			if err == nil {
				DeferCleanup(e.deleteTable, aws.ToString(in.TableName))
			}
			return err
		}

		// Naming rules: 3 to 255 characters of [a-zA-Z0-9_.-] (NamingRulesDataTypes).
		DescribeTable("CreateTable rejects an invalid table name with ValidationException",
			func(name string) {
				Expect(create(func(in *dynamodb.CreateTableInput) { in.TableName = aws.String(name) })).
					To(beAPIError(errValidation))
			},
			Entry("two characters", "ab"),
			Entry("empty", ""),
			Entry("256 characters", strings.Repeat("x", 256)),
			Entry("a space", "bad name"),
			Entry("a slash", "bad/name"),
			Entry("a colon", "bad:name"),
			Entry("non-ASCII", "tablé-name"),
		)

		DescribeTable("CreateTable accepts every allowed name character and length",
			func(suffix string) {
				name := e.name("t") + suffix
				if len(name) > 255 {
					name = name[:255]
				}
				Expect(create(func(in *dynamodb.CreateTableInput) { in.TableName = aws.String(name) })).To(Succeed())
			},
			Entry("dots, dashes and underscores", ".a_b-C.9"),
			Entry("exactly 255 characters", strings.Repeat("z", 255)),
		)

		// API_CreateTable: KeySchema "must also be defined in the AttributeDefinitions";
		// exactly one HASH, at most one RANGE, HASH first.
		DescribeTable("CreateTable rejects an invalid key schema with ValidationException",
			func(mut func(in *dynamodb.CreateTableInput)) {
				Expect(create(mut)).To(beAPIError(errValidation))
			},
			Entry("key attribute not in AttributeDefinitions", func(in *dynamodb.CreateTableInput) {
				in.KeySchema[0].AttributeName = aws.String("other")
			}),
			Entry("an AttributeDefinition no key uses", func(in *dynamodb.CreateTableInput) {
				in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
					AttributeName: aws.String("extra"), AttributeType: types.ScalarAttributeTypeS})
			}),
			Entry("two HASH keys", func(in *dynamodb.CreateTableInput) {
				in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
					AttributeName: aws.String("h2"), AttributeType: types.ScalarAttributeTypeS})
				in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("h2"), KeyType: types.KeyTypeHash})
			}),
			Entry("only a RANGE key", func(in *dynamodb.CreateTableInput) {
				in.KeySchema[0].KeyType = types.KeyTypeRange
			}),
			Entry("RANGE before HASH", func(in *dynamodb.CreateTableInput) {
				in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
					AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS})
				in.KeySchema = []types.KeySchemaElement{
					{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
					{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}
			}),
			Entry("three key elements", func(in *dynamodb.CreateTableInput) {
				in.AttributeDefinitions = append(in.AttributeDefinitions,
					types.AttributeDefinition{AttributeName: aws.String("a"), AttributeType: types.ScalarAttributeTypeS},
					types.AttributeDefinition{AttributeName: aws.String("b"), AttributeType: types.ScalarAttributeTypeS})
				in.KeySchema = append(in.KeySchema,
					types.KeySchemaElement{AttributeName: aws.String("a"), KeyType: types.KeyTypeRange},
					types.KeySchemaElement{AttributeName: aws.String("b"), KeyType: types.KeyTypeRange})
			}),
			Entry("the same attribute as HASH and RANGE", func(in *dynamodb.CreateTableInput) {
				in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange})
			}),
			Entry("no KeySchema", func(in *dynamodb.CreateTableInput) { in.KeySchema = nil }),
			Entry("no AttributeDefinitions", func(in *dynamodb.CreateTableInput) { in.AttributeDefinitions = nil }),
			Entry("key type BOOL", func(in *dynamodb.CreateTableInput) { in.AttributeDefinitions[0].AttributeType = "BOOL" }),
			Entry("an unknown key type", func(in *dynamodb.CreateTableInput) { in.AttributeDefinitions[0].AttributeType = "X" }),
			Entry("an unknown KeyType", func(in *dynamodb.CreateTableInput) { in.KeySchema[0].KeyType = "PRIMARY" }),
			// NamingRulesDataTypes: key attribute names are at most 255 bytes.
			Entry("a key attribute name over 255 bytes", func(in *dynamodb.CreateTableInput) {
				long := aws.String(strings.Repeat("k", 256))
				in.AttributeDefinitions[0].AttributeName, in.KeySchema[0].AttributeName = long, long
			}),
			Entry("an empty key attribute name", func(in *dynamodb.CreateTableInput) {
				in.AttributeDefinitions[0].AttributeName, in.KeySchema[0].AttributeName = aws.String(""), aws.String("")
			}),
			Entry("a duplicated AttributeDefinition", func(in *dynamodb.CreateTableInput) {
				in.AttributeDefinitions = append(in.AttributeDefinitions, in.AttributeDefinitions[0])
			}),
		)

		// API_CreateTable ProvisionedThroughput: "If you set BillingMode as
		// PROVISIONED, you must specify this property. If you set BillingMode as
		// PAY_PER_REQUEST, you cannot specify this property." Units are >= 1
		// (API_ProvisionedThroughput: "Valid Range: Minimum value of 1").
		DescribeTable("CreateTable rejects inconsistent billing parameters with ValidationException",
			func(mut func(in *dynamodb.CreateTableInput)) {
				Expect(create(mut)).To(beAPIError(errValidation))
			},
			Entry("PROVISIONED without throughput", func(in *dynamodb.CreateTableInput) {
				in.BillingMode = types.BillingModeProvisioned
			}),
			Entry("no billing mode and no throughput", func(in *dynamodb.CreateTableInput) {
				in.BillingMode = ""
			}),
			Entry("zero read capacity", func(in *dynamodb.CreateTableInput) {
				in.BillingMode = types.BillingModeProvisioned
				in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(1)}
			}),
			Entry("zero write capacity", func(in *dynamodb.CreateTableInput) {
				in.BillingMode = types.BillingModeProvisioned
				in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(0)}
			}),
			Entry("PAY_PER_REQUEST with throughput", func(in *dynamodb.CreateTableInput) {
				in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
			}),
			Entry("an unknown billing mode", func(in *dynamodb.CreateTableInput) { in.BillingMode = "FREE" }),
		)

		DescribeTable("CreateTable accepts every key attribute type",
			func(d tableDef) {
				name := e.name("tables")
				out, err := e.ddb.CreateTable(e.ctx, d.input(name))
				Expect(err).NotTo(HaveOccurred())
				DeferCleanup(e.deleteTable, name)
				Expect(out.TableDescription.AttributeDefinitions).To(HaveLen(len(d.input(name).AttributeDefinitions)))
			},
			Entry("hash S", hashOnly("pk", "S")),
			Entry("hash N", hashOnly("pk", "N")),
			Entry("hash B", hashOnly("pk", "B")),
			Entry("hash S range N", hashRange("pk", "S", "sk", "N")),
			Entry("hash N range B", hashRange("pk", "N", "sk", "B")),
			Entry("hash B range S", hashRange("pk", "B", "sk", "S")),
		)

		It("CreateTable describes the new table (name, key schema, status, zero items)", func() {
			// API_CreateTable: response TableDescription; status CREATING, or ACTIVE once ready.
			name := e.name("tables")
			out, err := e.ddb.CreateTable(e.ctx, hashRange("pk", "S", "sk", "N").input(name))
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(e.deleteTable, name)
			d := out.TableDescription
			Expect(aws.ToString(d.TableName)).To(Equal(name))
			Expect(d.TableStatus).To(BeElementOf(types.TableStatusCreating, types.TableStatusActive))
			Expect(d.KeySchema).To(HaveLen(2))
			Expect(aws.ToString(d.KeySchema[0].AttributeName)).To(Equal("pk"))
			Expect(d.KeySchema[0].KeyType).To(Equal(types.KeyTypeHash))
			Expect(aws.ToString(d.KeySchema[1].AttributeName)).To(Equal("sk"))
			Expect(d.KeySchema[1].KeyType).To(Equal(types.KeyTypeRange))
			Expect(aws.ToInt64(d.ItemCount)).To(BeZero())
			Expect(aws.ToInt64(d.TableSizeBytes)).To(BeZero())
			Expect(d.CreationDateTime).NotTo(BeNil())
			Expect(aws.ToString(d.TableArn)).To(ContainSubstring(name))
		})

		It("DescribeTable reports ACTIVE, the key schema and PAY_PER_REQUEST billing", func() {
			// API_DescribeTable; BillingModeSummary per API_TableDescription.
			name := e.newTable("tables", hashOnly("pk", "N"))
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Table.TableStatus).To(Equal(types.TableStatusActive))
			Expect(out.Table.AttributeDefinitions).To(ConsistOf(types.AttributeDefinition{
				AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeN}))
			Expect(out.Table.BillingModeSummary).NotTo(BeNil())
			Expect(out.Table.BillingModeSummary.BillingMode).To(Equal(types.BillingModePayPerRequest))
		})

		It("DescribeTable reports the provisioned throughput of a PROVISIONED table", func() {
			name := e.name("tables")
			in := hashOnly("pk", "S").input(name)
			in.BillingMode = types.BillingModeProvisioned
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(7), WriteCapacityUnits: aws.Int64(3)}
			Expect(e.createTable(in)).To(Succeed())
			DeferCleanup(e.deleteTable, name)
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToInt64(out.Table.ProvisionedThroughput.ReadCapacityUnits)).To(BeEquivalentTo(7))
			Expect(aws.ToInt64(out.Table.ProvisionedThroughput.WriteCapacityUnits)).To(BeEquivalentTo(3))
		})

		It("CreateTable of an existing table fails with ResourceInUseException", func() {
			// API_CreateTable errors: ResourceInUseException.
			name := e.newTable("tables", hashOnly("pk", "S"))
			_, err := e.ddb.CreateTable(e.ctx, hashOnly("pk", "S").input(name))
			Expect(err).To(beAPIError(errInUse))
		})

		It("DescribeTable of a missing table fails with ResourceNotFoundException", func() {
			_, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(e.name("missing"))})
			Expect(err).To(beAPIError(errNotFound))
		})

		It("DeleteTable of a missing table fails with ResourceNotFoundException", func() {
			_, err := e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String(e.name("missing"))})
			Expect(err).To(beAPIError(errNotFound))
		})

		It("DescribeTable validates the name before looking the table up", func() {
			// Alternator test_table.py: a too-short name is a ValidationException, not "not found".
			_, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("xy")})
			Expect(err).To(beAPIError(errValidation))
		})

		It("DeleteTable returns the table's description and the table disappears", func() {
			// API_DeleteTable: "DynamoDB ... returns ... DELETING"; afterwards, not found.
			name := e.name("tables")
			Expect(e.createTable(hashOnly("pk", "S").input(name))).To(Succeed())
			out, err := e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToString(out.TableDescription.TableName)).To(Equal(name))
			Eventually(func() error {
				_, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
				return err
			}).WithTimeout(60e9).WithPolling(50e6).Should(beAPIError(errNotFound))
		})

		It("items of a deleted and re-created table are gone", func() {
			name := e.name("tables")
			Expect(e.createTable(hashOnly("pk", "S").input(name))).To(Succeed())
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: item("pk", S("a"))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Eventually(func() error {
				return e.createTable(hashOnly("pk", "S").input(name))
			}).WithTimeout(60e9).WithPolling(100e6).Should(Succeed())
			DeferCleanup(e.deleteTable, name)
			got, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: item("pk", S("a")), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Item).To(BeNil())
		})

		It("ListTables lists a new table", func() {
			// API_ListTables.
			name := e.newTable("tables", hashOnly("pk", "S"))
			var all []string
			p := dynamodb.NewListTablesPaginator(e.ddb, &dynamodb.ListTablesInput{})
			for p.HasMorePages() {
				out, err := p.NextPage(e.ctx)
				Expect(err).NotTo(HaveOccurred())
				all = append(all, out.TableNames...)
			}
			Expect(all).To(ContainElement(name))
		})

		It("ListTables pages with Limit and ExclusiveStartTableName, in name order", func() {
			// API_ListTables: LastEvaluatedTableName; Alternator test_table.py
			// test_list_tables_paginated (names come back sorted).
			a := e.newTable("tables", hashOnly("pk", "S"))
			b := e.newTable("tables", hashOnly("pk", "S"))
			var all []string
			var start *string
			for i := 0; i < 10000; i++ {
				out, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1), ExclusiveStartTableName: start})
				Expect(err).NotTo(HaveOccurred())
				Expect(len(out.TableNames)).To(BeNumerically("<=", 1))
				all = append(all, out.TableNames...)
				if out.LastEvaluatedTableName == nil {
					break
				}
				start = out.LastEvaluatedTableName
			}
			Expect(all).To(ContainElements(a, b))
			Expect(all).To(Equal(sortedCopy(all)))
		})

		DescribeTable("ListTables rejects a Limit outside 1..100 with ValidationException",
			func(limit int32) {
				_, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(limit)})
				Expect(err).To(beAPIError(errValidation))
			},
			Entry("zero", int32(0)),
			Entry("negative", int32(-1)),
			Entry("101", int32(101)),
		)

		It("UpdateTable switches a table to PROVISIONED with the given throughput", func() {
			// API_UpdateTable: BillingMode and ProvisionedThroughput.
			name := e.newTable("tables", hashOnly("pk", "S"))
			_, err := e.ddb.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name),
				BillingMode:           types.BillingModeProvisioned,
				ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(4), WriteCapacityUnits: aws.Int64(5)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(e.waitActive(name)).To(Succeed())
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToInt64(out.Table.ProvisionedThroughput.ReadCapacityUnits)).To(BeEquivalentTo(4))
			Expect(aws.ToInt64(out.Table.ProvisionedThroughput.WriteCapacityUnits)).To(BeEquivalentTo(5))
		})

		It("UpdateTable of a missing table fails with ResourceNotFoundException", func() {
			_, err := e.ddb.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String(e.name("missing")),
				BillingMode: types.BillingModePayPerRequest})
			Expect(err).To(beAPIError(errNotFound))
		})

		It("table names are case-sensitive", func() {
			// HowItWorks.NamingRulesDataTypes: "Names are case-sensitive".
			lower := e.name("tables") + "-case"
			upper := strings.ToUpper(lower)
			Expect(e.createTable(hashOnly("pk", "S").input(lower))).To(Succeed())
			DeferCleanup(e.deleteTable, lower)
			Expect(e.createTable(hashOnly("pk", "N").input(upper))).To(Succeed())
			DeferCleanup(e.deleteTable, upper)
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(upper)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Table.AttributeDefinitions[0].AttributeType).To(Equal(types.ScalarAttributeTypeN))
		})

		It("ListTables after the last name returns no names", func() {
			out, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{ExclusiveStartTableName: aws.String("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.TableNames).To(BeEmpty())
			Expect(out.LastEvaluatedTableName).To(BeNil())
		})

		It("UpdateTable with nothing to change fails with ValidationException", func() {
			// API_UpdateTable: at least one of the updatable parameters is required.
			name := e.newTable("tables", hashOnly("pk", "S"))
			_, err := e.ddb.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name)})
			Expect(err).To(beAPIError(errValidation))
		})

		It("UpdateTable may not change the key schema's attribute types", func() {
			name := e.newTable("tables", hashOnly("pk", "S"))
			_, err := e.ddb.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name),
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeN}}})
			Expect(err).To(beAPIError(errValidation))
		})

		It("writes to a deleted table fail with ResourceNotFoundException", func() {
			name := e.name("tables")
			Expect(e.createTable(hashOnly("pk", "S").input(name))).To(Succeed())
			_, err := e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Eventually(func() error {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: item("pk", S("a"))})
				return err
			}).WithTimeout(60e9).WithPolling(100e6).Should(beAPIError(errNotFound))
		})

		It("a hash-only table's description has one key element", func() {
			name := e.newTable("tables", hashOnly("id", "B"))
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Table.KeySchema).To(HaveLen(1))
			Expect(aws.ToString(out.Table.KeySchema[0].AttributeName)).To(Equal("id"))
			Expect(out.Table.KeySchema[0].KeyType).To(Equal(types.KeyTypeHash))
			Expect(aws.ToString(out.Table.TableName)).To(Equal(name))
		})

		It("DescribeTable's ItemCount counts items eventually", func() {
			// API_TableDescription: ItemCount is updated about every six hours in
			// DynamoDB, so only "0 for an empty table" is checkable.
			name := e.newTable("tables", hashOnly("pk", "S"))
			out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToInt64(out.Table.ItemCount)).To(BeZero())
		})
	})
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}
