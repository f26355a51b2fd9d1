package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ddbkit/ddbkit/internal/target"
)

// Target is the endpoint under test and how to reach it.
type Target struct {
	// EndpointURL of a DynamoDB-protocol endpoint, e.g. http://127.0.0.1:8000.
	// Empty means AWS DynamoDB itself in Region.
	EndpointURL string
	// Region defaults to us-east-1.
	Region string
	// AccessKeyID/SecretAccessKey/SessionToken are static credentials; when
	// empty, local endpoints get dummy credentials and AWS the SDK's default
	// chain (environment, shared config, SSO, IMDS).
	AccessKeyID, SecretAccessKey, SessionToken string
	// Profile selects a shared-config profile for the default chain.
	Profile string
	// RequestTimeout bounds each request (default 20s). A request that
	// times out makes its spec indeterminate, not failed.
	RequestTimeout time.Duration
}

// newClient returns the suite's client: SDK client-side validation removed
// (the server must do the validating), retries off (every error the server
// sends is observed), and a middleware that notices indeterminate outcomes.
func newClient(ctx context.Context, t Target, ind *indeterminacy) (*dynamodb.Client, error) {
	timeout := t.RequestTimeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	c, err := target.NewClient(ctx, target.Options{
		EndpointURL:     t.EndpointURL,
		Region:          t.Region,
		AccessKeyID:     t.AccessKeyID,
		SecretAccessKey: t.SecretAccessKey,
		SessionToken:    t.SessionToken,
		Profile:         t.Profile,
		RawValidation:   true,
		Retries:         1,
		Timeout:         timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("conformance: client for %q: %w", t.EndpointURL, err)
	}
	return dynamodb.New(c.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, ind.middleware)
	}), nil
}
