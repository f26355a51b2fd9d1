package conformance

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// ttlSpecs: UpdateTimeToLive and DescribeTimeToLive. Expiry itself is
// "typically within a few days" in DynamoDB (TTL.html), so no spec waits
// for it.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html,
// API_DescribeTimeToLive.html, API_TimeToLiveSpecification.html
// (AttributeName 1..255 characters, Enabled required);
// scylladb test/alternator/test_ttl.py (validated against DynamoDB:
// DISABLED by default; enabling twice, or with another attribute, is a
// ValidationException mentioning "enabled"/"active"; disabling a disabled
// TTL mentions "disabled"; disabling with another attribute mentions
// "different").
func (e *env) ttlSpecs() {
	Describe("ttl", Label("ttl"), func() {
		update := func(tbl string, spec *types.TimeToLiveSpecification) (*dynamodb.UpdateTimeToLiveOutput, error) {
			return e.ddb.UpdateTimeToLive(e.ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(tbl), TimeToLiveSpecification: spec})
		}
		describe := func(tbl string) *types.TimeToLiveDescription {
			GinkgoHelper()
			out, err := e.ddb.DescribeTimeToLive(e.ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tbl)})
			Expect(err).NotTo(HaveOccurred())
			return out.TimeToLiveDescription
		}
		spec := func(name string, on bool) *types.TimeToLiveSpecification {
			return &types.TimeToLiveSpecification{AttributeName: aws.String(name), Enabled: aws.Bool(on)}
		}

		It("a new table has TTL DISABLED", func() {
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			Expect(describe(tbl).TimeToLiveStatus).To(Equal(types.TimeToLiveStatusDisabled))
		})

		It("UpdateTimeToLive enables TTL and echoes the specification", func() {
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			out, err := update(tbl, spec("expires", true))
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToString(out.TimeToLiveSpecification.AttributeName)).To(Equal("expires"))
			Expect(aws.ToBool(out.TimeToLiveSpecification.Enabled)).To(BeTrue())
			d := describe(tbl)
			Expect(d.TimeToLiveStatus).To(BeElementOf(types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling))
			Expect(aws.ToString(d.AttributeName)).To(Equal("expires"))
		})

		It("enabling TTL twice fails with ValidationException", func() {
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			_, err := update(tbl, spec("expires", true))
			Expect(err).NotTo(HaveOccurred())
			_, err = update(tbl, spec("expires", true))
			Expect(err).To(beAPIError(errValidation))
			Expect(strings.ToLower(errMessage(err))).To(Or(ContainSubstring("enabled"), ContainSubstring("active")))
		})

		It("enabling TTL on another attribute while enabled fails with ValidationException", func() {
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			_, err := update(tbl, spec("expires", true))
			Expect(err).NotTo(HaveOccurred())
			_, err = update(tbl, spec("other", true))
			Expect(err).To(beAPIError(errValidation))
		})

		It("disabling TTL that is not enabled fails with ValidationException", func() {
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			_, err := update(tbl, spec("expires", false))
			Expect(err).To(beAPIError(errValidation, "~disabled"))
		})

		It("disabling TTL with another attribute fails with ValidationException", func() {
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			_, err := update(tbl, spec("expires", true))
			Expect(err).NotTo(HaveOccurred())
			_, err = update(tbl, spec("other", false))
			Expect(err).To(beAPIError(errValidation, "~different"))
		})

		It("TTL on a missing table fails with ResourceNotFoundException", func() {
			_, err := update(e.name("missing"), spec("expires", true))
			Expect(err).To(beAPIError(errNotFound))
			_, err = e.ddb.DescribeTimeToLive(e.ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(e.name("missing"))})
			Expect(err).To(beAPIError(errNotFound))
		})

		DescribeTable("an invalid TTL specification fails with ValidationException",
			func(s *types.TimeToLiveSpecification, msg string) {
				tbl := e.newTable("ttl", hashOnly("pk", "S"))
				_, err := update(tbl, s)
				Expect(err).To(beAPIError(errValidation, msg))
			},
			Entry("an attribute name of 256 characters", spec(strings.Repeat("x", 256), true), "~length"),
			Entry("an empty attribute name", spec("", true), "~length"),
			Entry("no attribute name", &types.TimeToLiveSpecification{Enabled: aws.Bool(true)}, "~ttributeName"),
			Entry("no Enabled", &types.TimeToLiveSpecification{AttributeName: aws.String("x")}, "~nabled"),
			Entry("no specification", (*types.TimeToLiveSpecification)(nil), ""),
		)

		It("DescribeTimeToLive validates the table name", func() {
			_, err := e.ddb.DescribeTimeToLive(e.ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("ab")})
			Expect(err).To(beAPIError(errValidation))
		})

		It("the TTL attribute may be a reserved word and any name", func() {
			// Attribute names in TimeToLiveSpecification are plain names, not expressions.
			tbl := e.newTable("ttl", hashRange("pk", "S", "sk", "N"))
			_, err := update(tbl, spec("ttl", true))
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToString(describe(tbl).AttributeName)).To(Equal("ttl"))
		})

		It("items keep their TTL attribute like any other attribute", func() {
			// TTL.html: the TTL attribute is an ordinary Number attribute (epoch seconds).
			tbl := e.newTable("ttl", hashOnly("pk", "S"))
			_, err := update(tbl, spec("expires", true))
			Expect(err).NotTo(HaveOccurred())
			it := item("pk", S("a"), "expires", N("4102444800"))
			_, err = e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl), Item: it})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl), Key: item("pk", S("a")), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(it)))
		})
	})
}
