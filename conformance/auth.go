package conformance

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// authSpecs: requests are authenticated with AWS Signature Version 4
// before anything else happens to them.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
// (MissingAuthenticationToken "The request must contain either a valid
// (registered) AWS access key ID or X.509 certificate", IncompleteSignature,
// InvalidSignatureException "The request signature does not conform to AWS
// standards", UnrecognizedClientException "The X.509 certificate or AWS
// access key ID provided does not exist in our records");
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
// (a signed request is valid for a limited time around its X-Amz-Date);
// ScyllaDB Alternator's test_authorization.py, validated against DynamoDB
// (the "Signature expired" / "Signature not yet current" messages, checked
// before the key; MissingAuthenticationTokenException without an
// Authorization header; commas instead of spaces between the header's
// parameters are accepted); the messages of a wrong secret and an unknown
// key are AWS's, quoted in AWS SDK issues.
//
// These specs need an endpoint that checks signatures: the reference with
// --auth (the suite's embedded server runs so), AWS itself. Endpoints that
// accept any signature (DynamoDB Local, dynalite, the reference without
// --auth) fail the rejections and record them in their baselines.
func (e *env) authSpecs() {
	Describe("auth", Label("auth"), Ordered, ContinueOnFailure, func() {
		table := e.sharedTable("auth", hashOnly("pk", "S"))
		creds := func() aws.Credentials {
			c, err := e.ddb.Options().Credentials.Retrieve(e.ctx)
			Expect(err).NotTo(HaveOccurred())
			return c
		}
		// clientAs signs with p through a client of its own: the SDK's
		// signer caches derived keys by access key id and date, not by
		// secret, so the suite's client would sign a wrong secret right.
		clientAs := func(p aws.CredentialsProvider) *dynamodb.Client {
			o := e.ddb.Options()
			o.Credentials, o.HTTPSignerV4, o.AuthSchemes = p, nil, nil
			return dynamodb.New(o)
		}
		listTablesAs := func(p aws.CredentialsProvider) error {
			_, err := clientAs(p).ListTables(e.ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
			return err
		}
		listTables := func(opts ...func(*dynamodb.Options)) error {
			_, err := e.ddb.ListTables(e.ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, opts...)
			return err
		}

		It("accepts a request signed with the endpoint's credentials", func() {
			Expect(listTables()).To(Succeed())
		})
		It("accepts an Authorization header whose parameters are separated by commas only", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) {
				f := strings.Fields(r.Header.Get("Authorization"))
				r.Header.Set("Authorization", f[0]+" "+strings.Join(f[1:], ""))
			}))).To(Succeed())
		})
		It("rejects a request without a signature: MissingAuthenticationTokenException", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) { r.Header.Del("Authorization") }))).To(
				beAPIError("MissingAuthenticationTokenException", "Request is missing Authentication Token"))
		})
		It("rejects a signature made with a wrong secret key: InvalidSignatureException", func() {
			c := creds()
			p := credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey+"-wrong", c.SessionToken)
			Expect(listTablesAs(p)).To(beAPIError("InvalidSignatureException",
				"~The request signature we calculated does not match the signature you provided"))
		})
		It("rejects an access key the endpoint does not know: UnrecognizedClientException", func() {
			p := credentials.NewStaticCredentialsProvider("DDBKITUNKNOWN"+strings.ToUpper(e.runID), "secret", "")
			Expect(listTablesAs(p)).To(beAPIError("UnrecognizedClientException",
				"The security token included in the request is invalid."))
		})
		It("rejects a body changed after signing: InvalidSignatureException", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) {
				body := []byte(`{"Limit":2}`)
				r2, err := r.SetStream(strings.NewReader(string(body)))
				Expect(err).NotTo(HaveOccurred())
				*r = *r2
				r.ContentLength = int64(len(body))
			}))).To(beAPIError("InvalidSignatureException"))
		})
		It("rejects a signed header changed after signing: InvalidSignatureException", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) {
				r.Header.Set("X-Amz-Target", "DynamoDB_20120810.DescribeLimits")
			}))).To(beAPIError("InvalidSignatureException",
				"~The request signature we calculated does not match the signature you provided"))
		})
		It("accepts a change to a header the client did not sign (User-Agent)", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) {
				Expect(strings.ToLower(r.Header.Get("Authorization"))).NotTo(ContainSubstring("user-agent"))
				r.Header.Set("User-Agent", "changed-after-signing/1.0")
			}))).To(Succeed())
		})
		It("a write with a wrong secret is refused and writes nothing", func() {
			c := creds()
			k := e.key()
			wrong := clientAs(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey+"-wrong", c.SessionToken))
			_, err := wrong.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: table, Item: item("pk", S(k))})
			Expect(err).To(beAPIError("InvalidSignatureException"))
			got, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: table, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Item).To(BeEmpty())
		})
		// Authentication comes before the request is served: an unsigned
		// request learns nothing, not even whether a table exists.
		DescribeTable("an unsigned request is refused before its table is looked up",
			func(call func(name string, opt func(*dynamodb.Options)) error) {
				unsigned := afterSigning(func(r *smithyhttp.Request) { r.Header.Del("Authorization") })
				Expect(call(e.name("auth-missing"), unsigned)).To(beAPIError("MissingAuthenticationTokenException"))
			},
			Entry("DescribeTable", func(name string, opt func(*dynamodb.Options)) error {
				_, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: &name}, opt)
				return err
			}),
			Entry("GetItem", func(name string, opt func(*dynamodb.Options)) error {
				_, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: &name, Key: item("pk", S("a"))}, opt)
				return err
			}),
			Entry("PutItem", func(name string, opt func(*dynamodb.Options)) error {
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: &name, Item: item("pk", S("a"))}, opt)
				return err
			}),
			Entry("Query", func(name string, opt func(*dynamodb.Options)) error {
				_, err := e.ddb.Query(e.ctx, &dynamodb.QueryInput{TableName: &name, KeyConditionExpression: aws.String("pk = :v"),
					ExpressionAttributeValues: item(":v", S("a"))}, opt)
				return err
			}),
			Entry("DeleteTable", func(name string, opt func(*dynamodb.Options)) error {
				_, err := e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: &name}, opt)
				return err
			}),
		)
		It("rejects a request dated more than 5 minutes ago: InvalidSignatureException, Signature expired", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) {
				r.Header.Set("X-Amz-Date", "20170101T010101Z")
			}))).To(beAPIError("InvalidSignatureException", "~Signature expired: 20170101T010101Z is now earlier than "))
		})
		It("rejects a request dated more than 5 minutes ahead: InvalidSignatureException, Signature not yet current", func() {
			Expect(listTables(afterSigning(func(r *smithyhttp.Request) {
				r.Header.Set("X-Amz-Date", "30200101T010101Z")
			}))).To(beAPIError("InvalidSignatureException", "~Signature not yet current: 30200101T010101Z is still later than "))
		})
	})
}

// afterSigning changes the request after the SDK signed it (what a
// tampering intermediary or a skewed clock would send).
func afterSigning(change func(*smithyhttp.Request)) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("ddbkitAfterSigning",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					req, ok := in.Request.(*smithyhttp.Request)
					if !ok {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("afterSigning: request is %T", in.Request)
					}
					change(req)
					in.Request = req
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	}
}
