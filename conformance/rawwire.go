package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Wire-level helpers for the few specs that must send what no typed SDK
// call can (an unknown operation, malformed JSON) or look at the raw
// response (the error envelope). They still go through aws-sdk-go-v2: a
// per-call middleware rewrites the request before it is signed.

// withTarget replaces the X-Amz-Target operation name.
func withTarget(op string) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Build.Add(middleware.BuildMiddlewareFunc("ddbkitTarget",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
					}
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		})
	}
}

// withBody replaces the JSON request body.
func withBody(body string) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Build.Add(middleware.BuildMiddlewareFunc("ddbkitBody",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						r, err := req.SetStream(bytes.NewReader([]byte(body)))
						if err != nil {
							return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("set body: %w", err)
						}
						r.ContentLength = int64(len(body))
						in.Request = r
					}
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		})
	}
}

// rawResponse captures the HTTP status, headers and body of a response
// before the SDK deserializes it.
type rawResponse struct {
	Status int
	Header map[string][]string
	Body   []byte
}

func (r *rawResponse) option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ddbkitRaw",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
						r.Status = resp.StatusCode
						r.Header = resp.Header.Clone()
						b, _ := io.ReadAll(resp.Body)
						r.Body = b
						resp.Body = io.NopCloser(bytes.NewReader(b))
					}
					return out, md, err
				}), middleware.After)
		})
	}
}
