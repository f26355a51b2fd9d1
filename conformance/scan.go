package conformance

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// scanSpecs: Scan, its filters and Select, and parallel scan segments.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
// (Segment/TotalSegments: "TotalSegments ... between 1 and 1,000,000";
// "Segment ... must be less than TotalSegments"),
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
// (parallel scan, FilterExpression, Count/ScannedCount);
// scylladb test/alternator/test_scan.py.
func (e *env) scanSpecs() {
	Describe("scan", Label("scan"), Ordered, ContinueOnFailure, func() {
		t := e.sharedTable("scan", hashRange("pk", "S", "sk", "N"))
		empty := e.sharedTable("scan", hashOnly("pk", "S"))
		const n = 30
		BeforeAll(func() {
			for i := 0; i < n; i++ {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: t, Item: item("pk", S(fmt.Sprintf("p%d", i%7)), "sk", N(fmt.Sprint(i)),
					"v", N(fmt.Sprint(i)), "odd", BOOL(i%2 == 1))})
				Expect(err).NotTo(HaveOccurred())
			}
		})
		scanAll := func(in *dynamodb.ScanInput) ([]string, int32, int32) {
			GinkgoHelper()
			in.TableName = t
			if in.ConsistentRead == nil {
				in.ConsistentRead = aws.Bool(true) // exact results right after writes
			}
			var keys []string
			var count, scanned int32
			for pages := 0; pages < 1000; pages++ {
				out, err := e.ddb.Scan(e.ctx, in)
				Expect(err).NotTo(HaveOccurred())
				for _, it := range out.Items {
					keys = append(keys, fmt.Sprint(plain(it["sk"])))
				}
				count += out.Count
				scanned += out.ScannedCount
				if len(out.LastEvaluatedKey) == 0 {
					break
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
			return keys, count, scanned
		}

		It("returns every item once", func() {
			keys, count, scanned := scanAll(&dynamodb.ScanInput{})
			Expect(keys).To(HaveLen(n))
			Expect(unique(keys)).To(HaveLen(n))
			Expect(count).To(BeEquivalentTo(n))
			Expect(scanned).To(BeEquivalentTo(n))
		})

		It("an empty table scans to nothing without LastEvaluatedKey", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: empty, ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(BeEmpty())
			Expect(out.Count).To(BeZero())
			Expect(out.LastEvaluatedKey).To(BeEmpty())
		})

		It("a filter reduces Count but not ScannedCount", func() {
			keys, count, scanned := scanAll(&dynamodb.ScanInput{FilterExpression: aws.String("odd = :t"), ExpressionAttributeValues: item(":t", BOOL(true))})
			Expect(keys).To(HaveLen(n / 2))
			Expect(count).To(BeEquivalentTo(n / 2))
			Expect(scanned).To(BeEquivalentTo(n))
		})

		It("a scan filter may use key attributes", func() {
			// Unlike Query's, Scan's FilterExpression may name key attributes (API_Scan).
			keys, _, _ := scanAll(&dynamodb.ScanInput{FilterExpression: aws.String("pk = :p AND sk < :s"), ExpressionAttributeValues: item(":p", S("p0"), ":s", N("10"))})
			Expect(keys).To(ConsistOf(fmt.Sprint(plain(N("0"))), fmt.Sprint(plain(N("7")))))
		})

		It("Select COUNT counts without returning items", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), Select: types.SelectCount})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(BeEmpty())
			Expect(out.Count).To(BeEquivalentTo(n))
		})

		It("a projection shapes every item", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("v")})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(n))
			for _, it := range out.Items {
				Expect(it).To(HaveLen(1))
				Expect(it).To(HaveKey("v"))
			}
		})

		It("Limit caps ScannedCount and returns LastEvaluatedKey", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), Limit: aws.Int32(7)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(7))
			Expect(out.ScannedCount).To(BeEquivalentTo(7))
			Expect(out.LastEvaluatedKey).To(HaveLen(2))
			Expect(out.LastEvaluatedKey).To(HaveKey("pk"))
			Expect(out.LastEvaluatedKey).To(HaveKey("sk"))
		})

		It("ConsistentRead scans succeed", func() {
			keys, _, _ := scanAll(&dynamodb.ScanInput{ConsistentRead: aws.Bool(true)})
			Expect(keys).To(HaveLen(n))
		})

		It("items of one partition come back in sort key order", func() {
			// Partitions are stored sorted by sort key (HowItWorks.Partitions).
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), FilterExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S("p3"))})
			Expect(err).NotTo(HaveOccurred())
			var got []string
			for _, it := range out.Items {
				got = append(got, it["sk"].(*types.AttributeValueMemberN).Value)
			}
			Expect(got).To(Equal([]string{"3", "10", "17", "24"}))
		})

		DescribeTable("parallel scan segments partition the table",
			func(total int32) {
				var all []string
				for seg := int32(0); seg < total; seg++ {
					keys, _, _ := scanAll(&dynamodb.ScanInput{Segment: aws.Int32(seg), TotalSegments: aws.Int32(total)})
					all = append(all, keys...)
				}
				Expect(all).To(HaveLen(n), "every item in exactly one segment")
				Expect(unique(all)).To(HaveLen(n))
			},
			Entry("1 segment", int32(1)),
			Entry("2 segments", int32(2)),
			Entry("3 segments", int32(3)),
			Entry("7 segments", int32(7)),
			Entry("more segments than items", int32(100)),
		)

		It("a segment's pages continue within that segment", func() {
			var all []string
			for seg := int32(0); seg < 4; seg++ {
				keys, _, _ := scanAll(&dynamodb.ScanInput{Segment: aws.Int32(seg), TotalSegments: aws.Int32(4), Limit: aws.Int32(2)})
				all = append(all, keys...)
			}
			Expect(unique(all)).To(HaveLen(n))
			Expect(all).To(HaveLen(n))
		})

		DescribeTable("an invalid scan fails with ValidationException",
			func(in *dynamodb.ScanInput) {
				in.TableName = t
				_, err := e.ddb.Scan(e.ctx, in)
				Expect(err).To(beAPIError(errValidation))
			},
			Entry("Segment equal to TotalSegments", &dynamodb.ScanInput{Segment: aws.Int32(2), TotalSegments: aws.Int32(2)}),
			Entry("a negative Segment", &dynamodb.ScanInput{Segment: aws.Int32(-1), TotalSegments: aws.Int32(2)}),
			Entry("TotalSegments 0", &dynamodb.ScanInput{Segment: aws.Int32(0), TotalSegments: aws.Int32(0)}),
			Entry("TotalSegments over 1,000,000", &dynamodb.ScanInput{Segment: aws.Int32(0), TotalSegments: aws.Int32(1000001)}),
			Entry("Segment without TotalSegments", &dynamodb.ScanInput{Segment: aws.Int32(0)}),
			Entry("TotalSegments without Segment", &dynamodb.ScanInput{TotalSegments: aws.Int32(2)}),
			Entry("Limit 0", &dynamodb.ScanInput{Limit: aws.Int32(0)}),
			Entry("a negative Limit", &dynamodb.ScanInput{Limit: aws.Int32(-5)}),
			Entry("Select COUNT with a projection", &dynamodb.ScanInput{Select: types.SelectCount, ProjectionExpression: aws.String("v")}),
			Entry("Select SPECIFIC_ATTRIBUTES without a projection", &dynamodb.ScanInput{Select: types.SelectSpecificAttributes}),
			Entry("an unknown Select", &dynamodb.ScanInput{Select: "ALL"}),
			Entry("a filter syntax error", &dynamodb.ScanInput{FilterExpression: aws.String("v >")}),
			Entry("an empty filter", &dynamodb.ScanInput{FilterExpression: aws.String("")}),
			Entry("a filter with an undefined value", &dynamodb.ScanInput{FilterExpression: aws.String("v = :nope")}),
			Entry("both ScanFilter and FilterExpression", &dynamodb.ScanInput{FilterExpression: aws.String("v = :v"), ExpressionAttributeValues: item(":v", N("1")),
				ScanFilter: map[string]types.Condition{"v": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []av{N("1")}}}}),
			Entry("an ExclusiveStartKey missing the sort key", &dynamodb.ScanInput{ExclusiveStartKey: item("pk", S("p0"))}),
		)

		It("Select ALL_ATTRIBUTES returns whole items", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), Select: types.SelectAllAttributes,
				FilterExpression: aws.String("sk = :s"), ExpressionAttributeValues: item(":s", N("4"))})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItems(out.Items)).To(Equal(plainItems([]map[string]av{item("pk", S("p4"), "sk", N("4"), "v", N("4"), "odd", BOOL(false))})))
		})

		It("Limit with a filter: Count never exceeds ScannedCount", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), Limit: aws.Int32(10),
				FilterExpression: aws.String("odd = :t"), ExpressionAttributeValues: item(":t", BOOL(true))})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.ScannedCount).To(BeEquivalentTo(10))
			Expect(out.Count).To(BeNumerically("<=", out.ScannedCount))
			Expect(out.LastEvaluatedKey).NotTo(BeEmpty())
		})

		It("parallel scan segments with a filter partition the matches", func() {
			var all []string
			for seg := int32(0); seg < 3; seg++ {
				keys, _, _ := scanAll(&dynamodb.ScanInput{Segment: aws.Int32(seg), TotalSegments: aws.Int32(3),
					FilterExpression: aws.String("v >= :x"), ExpressionAttributeValues: item(":x", N("20"))})
				all = append(all, keys...)
			}
			Expect(all).To(HaveLen(10))
			Expect(unique(all)).To(HaveLen(10))
		})

		It("a filter with attribute_not_exists matches nothing when all have it", func() {
			keys, count, scanned := scanAll(&dynamodb.ScanInput{FilterExpression: aws.String("attribute_not_exists(v)")})
			Expect(keys).To(BeEmpty())
			Expect(count).To(BeZero())
			Expect(scanned).To(BeEquivalentTo(n))
		})

		It("a projection with name placeholders", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#o"),
				ExpressionAttributeNames: map[string]string{"#o": "odd"}, Limit: aws.Int32(3)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(3))
			for _, it := range out.Items {
				Expect(it).To(HaveLen(1))
				Expect(it).To(HaveKey("odd"))
			}
		})

		It("a scan does not return deleted items", func() {
			tbl := e.newTable("scan", hashOnly("pk", "S"))
			for _, k := range []string{"a", "b", "c"} {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl), Item: item("pk", S(k))})
				Expect(err).NotTo(HaveOccurred())
			}
			_, err := e.ddb.DeleteItem(e.ctx, &dynamodb.DeleteItemInput{TableName: aws.String(tbl), Key: item("pk", S("b"))})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String(tbl), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			var got []string
			for _, it := range out.Items {
				got = append(got, it["pk"].(*types.AttributeValueMemberS).Value)
			}
			Expect(got).To(ConsistOf("a", "c"))
		})

		It("the legacy ScanFilter NOT_NULL and NULL operators", func() {
			// API_Condition: NOT_NULL / NULL test an attribute's existence.
			keys, _, _ := scanAll(&dynamodb.ScanInput{ScanFilter: map[string]types.Condition{"v": {ComparisonOperator: types.ComparisonOperatorNotNull}}})
			Expect(keys).To(HaveLen(n))
			keys, _, _ = scanAll(&dynamodb.ScanInput{ScanFilter: map[string]types.Condition{"v": {ComparisonOperator: types.ComparisonOperatorNull}}})
			Expect(keys).To(BeEmpty())
		})

		It("the legacy ScanFilter BETWEEN and IN operators", func() {
			keys, _, _ := scanAll(&dynamodb.ScanInput{ScanFilter: map[string]types.Condition{
				"v": {ComparisonOperator: types.ComparisonOperatorBetween, AttributeValueList: []av{N("10"), N("12")}}}})
			Expect(keys).To(HaveLen(3))
			keys, _, _ = scanAll(&dynamodb.ScanInput{ScanFilter: map[string]types.Condition{
				"v": {ComparisonOperator: types.ComparisonOperatorIn, AttributeValueList: []av{N("1"), N("5"), N("99")}}}})
			Expect(keys).To(HaveLen(2))
		})

		It("the legacy ScanFilter parameter filters like an expression", func() {
			keys, _, _ := scanAll(&dynamodb.ScanInput{ScanFilter: map[string]types.Condition{
				"v": {ComparisonOperator: types.ComparisonOperatorLt, AttributeValueList: []av{N("3")}}}})
			Expect(keys).To(HaveLen(3))
		})

		It("Scan of a missing table fails with ResourceNotFoundException", func() {
			_, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String(e.name("missing"))})
			Expect(err).To(beAPIError(errNotFound))
		})
	})
}

func unique(s []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}
