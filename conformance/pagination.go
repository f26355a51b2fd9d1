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

// paginationSpecs: LastEvaluatedKey / ExclusiveStartKey paging of Query and
// Scan, with Limit and with the 1 MB page size.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
// and Scan.html#Scan.Pagination ("A single Query only returns a result set
// that fits within the 1 MB size limit"; "If LastEvaluatedKey is present ...
// there might be more items"; "when LastEvaluatedKey is empty, the last page
// ... has been processed"); API_Query.html ExclusiveStartKey;
// scylladb test/alternator/test_query.py (test_query_paging ...).
func (e *env) paginationSpecs() {
	Describe("pagination", Label("pagination"), Ordered, ContinueOnFailure, func() {
		t := e.sharedTable("pagination", hashRange("pk", "S", "sk", "N"))
		big := e.sharedTable("pagination", hashRange("pk", "S", "sk", "N"))
		const n = 20
		const bigItems = 14 // 14 × 100 KB: more than one 1 MB page
		BeforeAll(func() {
			for i := 1; i <= n; i++ {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: t, Item: item("pk", S("P"), "sk", N(fmt.Sprint(i)), "odd", BOOL(i%2 == 1))})
				Expect(err).NotTo(HaveOccurred())
			}
			pad := strings.Repeat("x", 100*1024)
			for i := 1; i <= bigItems; i++ {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: big, Item: item("pk", S("B"), "sk", N(fmt.Sprint(i)), "pad", S(pad))})
				Expect(err).NotTo(HaveOccurred())
			}
		})

		type page struct {
			sks []string
			lek map[string]av
		}
		queryPages := func(in dynamodb.QueryInput) []page {
			GinkgoHelper()
			var pages []page
			if in.ConsistentRead == nil {
				in.ConsistentRead = aws.Bool(true) // exact results right after writes
			}
			for i := 0; i < 200; i++ {
				out, err := e.ddb.Query(e.ctx, &in)
				Expect(err).NotTo(HaveOccurred())
				var p page
				for _, it := range out.Items {
					p.sks = append(p.sks, it["sk"].(*types.AttributeValueMemberN).Value)
				}
				p.lek = out.LastEvaluatedKey
				pages = append(pages, p)
				if len(out.LastEvaluatedKey) == 0 {
					return pages
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
			Fail("more than 200 pages")
			return nil
		}
		flat := func(pages []page) []string {
			var all []string
			for _, p := range pages {
				all = append(all, p.sks...)
			}
			return all
		}
		seq := func(from, to, step int) []string {
			var s []string
			for i := from; ; i += step {
				if (step > 0 && i > to) || (step < 0 && i < to) {
					return s
				}
				s = append(s, fmt.Sprint(i))
			}
		}

		DescribeTable("Query pages with Limit return every item once, in order",
			func(limit int32) {
				pages := queryPages(dynamodb.QueryInput{TableName: t, KeyConditionExpression: aws.String("pk = :p"),
					ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(limit)})
				Expect(flat(pages)).To(Equal(seq(1, n, 1)))
				for _, p := range pages[:len(pages)-1] {
					Expect(len(p.sks)).To(BeEquivalentTo(limit), "every page but the last is full")
				}
			},
			Entry("Limit 1", int32(1)),
			Entry("Limit 2", int32(2)),
			Entry("Limit 3", int32(3)),
			Entry("Limit 7", int32(7)),
			Entry("Limit 19", int32(19)),
			Entry("Limit 21", int32(21)),
		)

		It("descending Query pages return every item once, in reverse order", func() {
			pages := queryPages(dynamodb.QueryInput{TableName: t, KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(6), ScanIndexForward: aws.Bool(false)})
			Expect(flat(pages)).To(Equal(seq(n, 1, -1)))
		})

		It("LastEvaluatedKey is the key of the last item returned", func() {
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: t, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(4)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.LastEvaluatedKey)).To(Equal(plainItem(item("pk", S("P"), "sk", N("4")))))
		})

		It("a page that reaches Limit at the end still has LastEvaluatedKey, and the next page is empty", func() {
			// Query.Pagination: only an empty LastEvaluatedKey means the end.
			pages := queryPages(dynamodb.QueryInput{TableName: t, KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(n)})
			Expect(pages).To(HaveLen(2))
			Expect(pages[0].sks).To(HaveLen(n))
			Expect(pages[1].sks).To(BeEmpty())
		})

		It("filtered pages may be empty but keep LastEvaluatedKey until the end", func() {
			pages := queryPages(dynamodb.QueryInput{TableName: t, KeyConditionExpression: aws.String("pk = :p"),
				FilterExpression: aws.String("odd = :f"), ExpressionAttributeValues: item(":p", S("P"), ":f", BOOL(false)), Limit: aws.Int32(1)})
			Expect(flat(pages)).To(Equal(seq(2, n, 2)))
			empties := 0
			for _, p := range pages[:len(pages)-1] {
				Expect(p.lek).NotTo(BeEmpty())
				if len(p.sks) == 0 {
					empties++
				}
			}
			Expect(empties).To(BeNumerically(">=", n/2-1))
		})

		It("ExclusiveStartKey may name a key that does not exist", func() {
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: t, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), ExclusiveStartKey: item("pk", S("P"), "sk", N("10.5")), Limit: aws.Int32(2)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(2))
			Expect(plain(out.Items[0]["sk"])).To(Equal(plain(N("11"))))
		})

		It("a Query page stops at 1 MB even without Limit", func() {
			pages := queryPages(dynamodb.QueryInput{TableName: big, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item(":p", S("B"))})
			Expect(len(pages)).To(BeNumerically(">=", 2))
			Expect(len(pages[0].sks)).To(BeNumerically("<", bigItems))
			Expect(len(pages[0].sks)).To(BeNumerically(">=", 9), "about 1 MB of 100 KB items")
			Expect(flat(pages)).To(Equal(seq(1, bigItems, 1)))
		})

		It("Select COUNT also stops at 1 MB per page", func() {
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: big, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("B")), Select: types.SelectCount})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Count).To(BeNumerically("<", bigItems))
			Expect(out.LastEvaluatedKey).NotTo(BeEmpty())
		})

		It("a Scan page stops at 1 MB even without Limit", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: big, ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(len(out.Items)).To(BeNumerically("<", bigItems))
			Expect(out.LastEvaluatedKey).NotTo(BeEmpty())
		})

		It("a filter does not lift the 1 MB page limit", func() {
			// The limit applies to data read, before the filter (Query.FilterExpression).
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: big, ConsistentRead: aws.Bool(true), FilterExpression: aws.String("sk > :z"),
				ExpressionAttributeValues: item(":z", N("100"))})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(BeEmpty())
			Expect(out.ScannedCount).To(BeNumerically("<", bigItems))
			Expect(out.LastEvaluatedKey).NotTo(BeEmpty())
		})

		DescribeTable("Scan pages with Limit return every item once",
			func(limit int32) {
				var all []string
				in := &dynamodb.ScanInput{TableName: t, Limit: aws.Int32(limit), ConsistentRead: aws.Bool(true)}
				for i := 0; i < 200; i++ {
					out, err := e.ddb.Scan(e.ctx, in)
					Expect(err).NotTo(HaveOccurred())
					Expect(len(out.Items)).To(BeNumerically("<=", limit))
					for _, it := range out.Items {
						all = append(all, it["sk"].(*types.AttributeValueMemberN).Value)
					}
					if len(out.LastEvaluatedKey) == 0 {
						break
					}
					in.ExclusiveStartKey = out.LastEvaluatedKey
				}
				Expect(all).To(ConsistOf(seq(1, n, 1)))
			},
			Entry("Limit 1", int32(1)),
			Entry("Limit 3", int32(3)),
			Entry("Limit 8", int32(8)),
			Entry("Limit 50", int32(50)),
		)

		It("the SDK paginator walks a Query to the end", func() {
			p := dynamodb.NewQueryPaginator(e.ddb, &dynamodb.QueryInput{TableName: t, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(6)})
			var all []string
			for p.HasMorePages() {
				out, err := p.NextPage(e.ctx)
				Expect(err).NotTo(HaveOccurred())
				for _, it := range out.Items {
					all = append(all, it["sk"].(*types.AttributeValueMemberN).Value)
				}
			}
			Expect(all).To(Equal(seq(1, n, 1)))
		})

		It("LastEvaluatedKey holds the whole key even when the projection leaves it out", func() {
			// API_Query LastEvaluatedKey: "The primary key of the item where the
			// operation stopped".
			out, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: t, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(2), ProjectionExpression: aws.String("odd")})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items[0]).NotTo(HaveKey("sk"))
			Expect(plainItem(out.LastEvaluatedKey)).To(Equal(plainItem(item("pk", S("P"), "sk", N("2")))))
		})

		It("Select COUNT pages add up to the total", func() {
			in := &dynamodb.QueryInput{TableName: t, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), Limit: aws.Int32(6), Select: types.SelectCount}
			total := int32(0)
			for i := 0; i < 50; i++ {
				out, err := e.ddb.Query(e.ctx, in)
				Expect(err).NotTo(HaveOccurred())
				total += out.Count
				if len(out.LastEvaluatedKey) == 0 {
					break
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
			Expect(total).To(BeEquivalentTo(n))
		})

		It("the SDK paginator walks a Scan to the end", func() {
			p := dynamodb.NewScanPaginator(e.ddb, &dynamodb.ScanInput{TableName: t, Limit: aws.Int32(4), ConsistentRead: aws.Bool(true)})
			count := 0
			for pages := 0; p.HasMorePages() && pages < 100; pages++ {
				out, err := p.NextPage(e.ctx)
				Expect(err).NotTo(HaveOccurred())
				count += len(out.Items)
			}
			Expect(count).To(Equal(n))
		})

		It("a Scan's LastEvaluatedKey is the key of its last item", func() {
			out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: t, Limit: aws.Int32(3), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Items).To(HaveLen(3))
			last := out.Items[2]
			Expect(plainItem(out.LastEvaluatedKey)).To(Equal(plainItem(item("pk", last["pk"], "sk", last["sk"]))))
		})

		It("an ExclusiveStartKey from another partition is rejected", func() {
			// API_Query: the start key must belong to the queried partition.
			_, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: t, ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item(":p", S("P")), ExclusiveStartKey: item("pk", S("other"), "sk", N("1"))})
			Expect(err).To(beAPIError(errValidation))
		})
	})
}
