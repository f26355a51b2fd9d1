package conformance

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// itemsSpecs: PutItem, GetItem, DeleteItem and UpdateItem basics — key
// handling, return values, missing tables.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html,
// API_GetItem.html, API_DeleteItem.html, API_UpdateItem.html;
// scylladb test/alternator/test_item.py and test_returnvalues.py
// (validated against DynamoDB).
func (e *env) itemsSpecs() {
	Describe("items", Label("items"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("items", hashOnly("pk", "S"))
		hr := e.sharedTable("items", hashRange("pk", "S", "sk", "N"))
		hb := e.sharedTable("items", hashOnly("pk", "B"))
		hs := e.sharedTable("items", hashRange("pk", "S", "sk", "S"))

		put := func(tbl string, it map[string]av) error {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl), Item: it})
			return err
		}
		get := func(tbl string, key map[string]av) map[string]av {
			GinkgoHelper()
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl), Key: key, ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			return out.Item
		}

		It("PutItem then GetItem returns the item unchanged", func() {
			k := e.key()
			it := item("pk", S(k), "s", S("x"), "n", N("12"), "b", B([]byte{0, 1, 2}), "t", BOOL(true), "z", NULL(),
				"ss", SS("a", "b"), "ns", NS("1", "2"), "bs", BS([]byte("x"), []byte("y")),
				"l", L(S("a"), N("1")), "m", M(item("in", S("side"))))
			Expect(put(*h, it)).To(Succeed())
			Expect(plainItem(get(*h, item("pk", S(k))))).To(Equal(plainItem(it)))
		})

		It("GetItem of a missing item returns no Item", func() {
			// API_GetItem: "If there is no matching item, GetItem does not return any data".
			Expect(get(*h, item("pk", S(e.key())))).To(BeNil())
		})

		It("PutItem replaces the whole item", func() {
			// API_PutItem: "If an item that has the same primary key as the new item
			// already exists ..., the new item completely replaces the existing item."
			k := e.key()
			Expect(put(*h, item("pk", S(k), "a", S("1"), "b", S("2")))).To(Succeed())
			Expect(put(*h, item("pk", S(k), "c", S("3")))).To(Succeed())
			Expect(plainItem(get(*h, item("pk", S(k))))).To(Equal(plainItem(item("pk", S(k), "c", S("3")))))
		})

		It("items with the same hash key and different range keys are distinct", func() {
			k := e.key()
			Expect(put(*hr, item("pk", S(k), "sk", N("1"), "v", S("one")))).To(Succeed())
			Expect(put(*hr, item("pk", S(k), "sk", N("2"), "v", S("two")))).To(Succeed())
			Expect(plainItem(get(*hr, item("pk", S(k), "sk", N("1"))))["v"]).To(Equal(plain(S("one"))))
			Expect(plainItem(get(*hr, item("pk", S(k), "sk", N("2"))))["v"]).To(Equal(plain(S("two"))))
		})

		It("a binary hash key round-trips", func() {
			key := []byte{0xff, 0x00, 0x7f, byte(e.seq.Add(1))}
			Expect(put(*hb, item("pk", B(key), "v", S("bin")))).To(Succeed())
			Expect(plainItem(get(*hb, item("pk", B(key))))).To(Equal(plainItem(item("pk", B(key), "v", S("bin")))))
		})

		It("PutItem ReturnValues ALL_OLD returns the replaced item", func() {
			// API_PutItem ReturnValues: "ALL_OLD - If PutItem overwrote an attribute
			// name-value pair, then the content of the old item is returned."
			k := e.key()
			old := item("pk", S(k), "a", S("old"))
			Expect(put(*h, old)).To(Succeed())
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", S("new")), ReturnValues: types.ReturnValueAllOld})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Attributes)).To(Equal(plainItem(old)))
		})

		It("PutItem ReturnValues ALL_OLD of a new item returns no attributes", func() {
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key())), ReturnValues: types.ReturnValueAllOld})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Attributes).To(BeEmpty())
		})

		It("PutItem ReturnValues NONE returns no attributes", func() {
			k := e.key()
			Expect(put(*h, item("pk", S(k), "a", S("x")))).To(Succeed())
			out, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k)), ReturnValues: types.ReturnValueNone})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Attributes).To(BeEmpty())
		})

		// API_PutItem: "The ReturnValues parameter is used by several DynamoDB
		// operations; however, PutItem does not recognize any values other than
		// NONE or ALL_OLD." (test_returnvalues.py)
		DescribeTable("PutItem rejects ReturnValues other than NONE and ALL_OLD",
			func(rv types.ReturnValue) {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key())), ReturnValues: rv})
				Expect(err).To(beAPIError(errValidation))
			},
			Entry("ALL_NEW", types.ReturnValueAllNew),
			Entry("UPDATED_OLD", types.ReturnValueUpdatedOld),
			Entry("UPDATED_NEW", types.ReturnValueUpdatedNew),
			Entry("an unknown value", types.ReturnValue("EVERYTHING")),
		)

		DescribeTable("DeleteItem rejects ReturnValues other than NONE and ALL_OLD",
			func(rv types.ReturnValue) {
				_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(e.key())), ReturnValues: rv})
				Expect(err).To(beAPIError(errValidation))
			},
			Entry("ALL_NEW", types.ReturnValueAllNew),
			Entry("UPDATED_OLD", types.ReturnValueUpdatedOld),
			Entry("UPDATED_NEW", types.ReturnValueUpdatedNew),
		)

		It("DeleteItem removes the item", func() {
			k := e.key()
			Expect(put(*h, item("pk", S(k)))).To(Succeed())
			_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k))})
			Expect(err).NotTo(HaveOccurred())
			Expect(get(*h, item("pk", S(k)))).To(BeNil())
		})

		It("DeleteItem of a missing item succeeds and ALL_OLD returns nothing", func() {
			// API_DeleteItem: deleting a nonexistent item is not an error.
			out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(e.key())), ReturnValues: types.ReturnValueAllOld})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Attributes).To(BeEmpty())
		})

		It("DeleteItem ReturnValues ALL_OLD returns the deleted item", func() {
			k := e.key()
			it := item("pk", S(k), "a", N("5"))
			Expect(put(*h, it)).To(Succeed())
			out, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: h, Key: item("pk", S(k)), ReturnValues: types.ReturnValueAllOld})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Attributes)).To(Equal(plainItem(it)))
		})

		It("GetItem with ConsistentRead false still finds an item eventually", func() {
			// API_GetItem: eventually consistent by default.
			k := e.key()
			Expect(put(*h, item("pk", S(k), "v", S("x")))).To(Succeed())
			Eventually(func() map[string]any {
				out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k))})
				Expect(err).NotTo(HaveOccurred())
				return plainItem(out.Item)
			}).WithTimeout(10e9).Should(HaveKey("v"))
		})

		It("GetItem with AttributesToGet returns only those attributes", func() {
			// API_GetItem AttributesToGet (legacy parameter).
			k := e.key()
			Expect(put(*h, item("pk", S(k), "a", S("1"), "b", S("2")))).To(Succeed())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), AttributesToGet: []string{"a"}, ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(item("a", S("1")))))
		})

		// The key must match the schema exactly: every key attribute, no other,
		// with its type. Message per test_item.py / dynalite's getItem tests:
		// "The provided key element does not match the schema".
		DescribeTable("GetItem rejects a key that does not match the schema",
			func(onRange bool, key map[string]av) {
				tbl := *h
				if onRange {
					tbl = *hr
				}
				_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl), Key: key})
				Expect(err).To(beAPIError(errValidation, msgKeyMismatch))
			},
			Entry("missing hash key", false, item("other", S("x"))),
			Entry("an extra attribute", false, item("pk", S("x"), "extra", S("y"))),
			Entry("wrong hash key type", false, item("pk", N("1"))),
			Entry("empty key", false, item()),
			Entry("missing range key", true, item("pk", S("x"))),
			Entry("wrong range key type", true, item("pk", S("x"), "sk", S("1"))),
		)

		DescribeTable("DeleteItem rejects a key that does not match the schema",
			func(key map[string]av) {
				_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: hr, Key: key})
				Expect(err).To(beAPIError(errValidation, msgKeyMismatch))
			},
			Entry("missing range key", item("pk", S("x"))),
			Entry("an extra attribute", item("pk", S("x"), "sk", N("1"), "z", S("z"))),
			Entry("wrong range key type", item("pk", S("x"), "sk", S("1"))),
		)

		// API_PutItem: "you must provide all of the attributes for the primary key".
		DescribeTable("PutItem rejects an item whose key is missing or mistyped",
			func(onRange bool, it map[string]av, msg string) {
				tbl := *h
				if onRange {
					tbl = *hr
				}
				Expect(put(tbl, it)).To(beAPIError(errValidation, msg))
			},
			Entry("missing hash key", false, item("a", S("x")), msgInvalidPrefix+"Missing the key pk in the item"),
			Entry("missing range key", true, item("pk", S("x")), msgInvalidPrefix+"Missing the key sk in the item"),
			Entry("hash key of the wrong type", false, item("pk", N("1")), msgInvalidPrefix+"Type mismatch for key pk expected: S actual: N"),
			Entry("range key of the wrong type", true, item("pk", S("x"), "sk", S("1")), msgInvalidPrefix+"Type mismatch for key sk expected: N actual: S"),
			Entry("hash key of a set type", false, item("pk", SS("a")), msgInvalidPrefix+"Type mismatch for key pk expected: S actual: SS"),
		)

		// Empty strings/binaries are allowed in non-key attributes since 2020, never
		// in keys (HowItWorks.NamingRulesDataTypes: "String ... length ... can be zero
		// if the attribute is not used as a key").
		It("PutItem rejects an empty string hash key", func() {
			Expect(put(*h, item("pk", S("")))).To(beAPIError(errValidation))
		})
		It("PutItem rejects an empty binary hash key", func() {
			Expect(put(*hb, item("pk", B([]byte{})))).To(beAPIError(errValidation))
		})
		It("GetItem rejects an empty string key", func() {
			_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(""))})
			Expect(err).To(beAPIError(errValidation))
		})
		It("PutItem accepts empty strings and binaries in non-key attributes", func() {
			k := e.key()
			it := item("pk", S(k), "s", S(""), "b", B([]byte{}), "l", L(S("")), "m", M(item("x", S(""))))
			Expect(put(*h, it)).To(Succeed())
			Expect(plainItem(get(*h, item("pk", S(k))))).To(Equal(plainItem(it)))
		})

		// Key size limits (ServiceQuotas / Constraints): partition key up to 2048
		// bytes, sort key up to 1024 bytes.
		It("accepts a 2048-byte hash key", func() {
			k := e.key()
			long := k + strings.Repeat("h", 2048-len(k))
			Expect(put(*h, item("pk", S(long)))).To(Succeed())
			Expect(get(*h, item("pk", S(long)))).NotTo(BeNil())
		})
		It("rejects a 2049-byte hash key", func() {
			Expect(put(*h, item("pk", S(strings.Repeat("h", 2049))))).To(beAPIError(errValidation))
		})
		It("accepts a 1024-byte range key", func() {
			Expect(put(*hs, item("pk", S(e.key()), "sk", S(strings.Repeat("r", 1024))))).To(Succeed())
		})
		It("rejects a 1025-byte range key", func() {
			Expect(put(*hs, item("pk", S(e.key()), "sk", S(strings.Repeat("r", 1025))))).To(beAPIError(errValidation))
		})

		DescribeTable("item operations on a missing table fail with ResourceNotFoundException",
			func(op func(tbl *string) error) {
				Expect(op(aws.String(e.name("missing")))).To(beAPIError(errNotFound))
			},
			Entry("PutItem", func(t *string) error {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: t, Item: item("pk", S("a"))})
				return err
			}),
			Entry("GetItem", func(t *string) error {
				_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: t, Key: item("pk", S("a"))})
				return err
			}),
			Entry("DeleteItem", func(t *string) error {
				_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: t, Key: item("pk", S("a"))})
				return err
			}),
			Entry("UpdateItem", func(t *string) error {
				_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: t, Key: item("pk", S("a")),
					UpdateExpression: aws.String("SET a = :v"), ExpressionAttributeValues: item(":v", S("x"))})
				return err
			}),
		)

		It("UpdateItem creates a missing item (upsert)", func() {
			// API_UpdateItem: "Edits an existing item's attributes, or adds a new item
			// to the table if it does not already exist."
			k := e.key()
			_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET a = :v"), ExpressionAttributeValues: item(":v", S("x"))})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(get(*h, item("pk", S(k))))).To(Equal(plainItem(item("pk", S(k), "a", S("x")))))
		})

		It("UpdateItem without an update expression creates an item holding only its key", func() {
			// test_item.py test_update_item_no_update: an UpdateItem with no
			// updates still creates the item.
			k := e.key()
			_, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k))})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(get(*h, item("pk", S(k))))).To(Equal(plainItem(item("pk", S(k)))))
		})

		It("PutItem rejects an item with an empty attribute name", func() {
			// NamingRulesDataTypes: attribute names are at least one character.
			Expect(put(*h, item("pk", S(e.key()), "", S("x")))).To(beAPIError(errValidation))
		})

		It("PutItem without Item fails with ValidationException", func() {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h})
			Expect(err).To(beAPIError(errValidation))
		})

		It("GetItem without Key fails with ValidationException", func() {
			_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h})
			Expect(err).To(beAPIError(errValidation))
		})
	})
}
