// Package target turns "which endpoint, which credentials" into a configured
// *dynamodb.Client that every ddbkit tool shares: conformance, jepsen and
// bench all talk to the system under test only through aws-sdk-go-v2.
//
// The client has the SDK's retries off (a tool must see every error the
// server sends) and, with Options.RawValidation, the SDK's client-side input
// validation removed so that the server's own validation errors are what a
// test observes.
package target

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// LocalAccessKeyID and LocalSecretAccessKey are the static credentials
// of clients of a custom endpoint that were given none; an embedded
// reference server that checks signatures (--auth) is given the same.
const (
	LocalAccessKeyID     = "ddbkit"
	LocalSecretAccessKey = "ddbkit"
)

// Options select an endpoint and credentials.
type Options struct {
	// EndpointURL is the endpoint to talk to, e.g. http://127.0.0.1:8000.
	// Empty means AWS itself (the region's default endpoint).
	EndpointURL string
	// Region defaults to us-east-1.
	Region string
	// AccessKeyID and SecretAccessKey, when both set, are used as static
	// credentials. Otherwise: for a custom endpoint, dummy static
	// credentials; for AWS, the SDK's default chain (environment, shared
	// config, SSO, IMDS, ...).
	AccessKeyID, SecretAccessKey, SessionToken string
	// Profile selects a shared-config profile for the default chain.
	Profile string
	// RawValidation removes the SDK's client-side parameter validation.
	RawValidation bool
	// Retries is the number of attempts (1 = no retries, the default).
	Retries int
	// Timeout bounds each request (0: no client-side timeout).
	Timeout time.Duration
	// HTTPClient overrides the HTTP client (for connection pool tuning).
	// It is the SDK's buildable client, so that settings the SDK applies to
	// it (AWS_CA_BUNDLE, for one) keep working; a plain *http.Client would be
	// rejected when a CA bundle is configured.
	HTTPClient *awshttp.BuildableClient
}

// NewClient returns a DynamoDB client for o.
func NewClient(ctx context.Context, o Options) (*dynamodb.Client, error) {
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	attempts := o.Retries
	if attempts < 1 {
		attempts = 1
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithRetryMaxAttempts(attempts),
	}
	switch {
	case o.AccessKeyID != "" && o.SecretAccessKey != "":
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, o.SessionToken)))
	case o.EndpointURL != "":
		// Local endpoints accept any signature; dummy credentials keep the
		// SDK from searching the default chain (and IMDS) for nothing.
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(LocalAccessKeyID, LocalSecretAccessKey, "")))
	}
	if o.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.HTTPClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(o.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("target: load AWS config: %w", err)
	}
	return dynamodb.NewFromConfig(cfg, func(opts *dynamodb.Options) {
		if o.EndpointURL != "" {
			opts.BaseEndpoint = aws.String(o.EndpointURL)
		}
		opts.HTTPClient = ownBodyClient{opts.HTTPClient}
		if o.Timeout > 0 {
			hc := opts.HTTPClient
			opts.HTTPClient = timeoutClient{hc, o.Timeout}
		}
		if o.RawValidation {
			opts.APIOptions = append(opts.APIOptions, removeValidation)
		}
	}), nil
}

// removeValidation drops every "...Validation..." step the SDK registers in
// the Initialize phase (OperationInputValidation and friends).
func removeValidation(stack *middleware.Stack) error {
	for _, id := range stack.Initialize.List() {
		if id == "OperationInputValidation" {
			if _, err := stack.Initialize.Remove(id); err != nil {
				return fmt.Errorf("target: remove %s: %w", id, err)
			}
		}
	}
	return nil
}

type timeoutClient struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	d time.Duration
}

func (c timeoutClient) Do(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(r.Context(), c.d)
	resp, err := c.inner.Do(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

type cancelOnClose struct {
	rc interface {
		Read([]byte) (int, error)
		Close() error
	}
	cancel context.CancelFunc
}

func (c cancelOnClose) Read(p []byte) (int, error) { return c.rc.Read(p) }
func (c cancelOnClose) Close() error               { err := c.rc.Close(); c.cancel(); return err }
