package driver

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Endpoint says where and as whom to connect.
type Endpoint struct {
	// URL of the endpoint; empty means AWS DynamoDB in Region.
	URL    string
	Region string // us-east-1 when empty
	// AccessKeyID/SecretAccessKey: static credentials when both are set;
	// otherwise the SDK's default chain (environment, shared config, SSO,
	// IMDS) for AWS, or for a custom URL when AWS_ACCESS_KEY_ID or a
	// Profile is set, and dummy credentials for other custom URLs.
	AccessKeyID, SecretAccessKey, SessionToken string
	Profile                                    string
	// Conns sizes the keep-alive pool.
	Conns int
}

// AWSConfig loads an aws.Config for e with retries off and a tuned pool.
// (internal/target takes a *http.Client, which the SDK rejects when
// AWS_CA_BUNDLE is set; the SDK's buildable client works everywhere.)
func AWSConfig(ctx context.Context, e Endpoint) (aws.Config, error) {
	region := e.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithRetryMaxAttempts(1),
		config.WithHTTPClient(NewSDKHTTPClient(e.Conns, 0)),
	}
	switch {
	case e.AccessKeyID != "" && e.SecretAccessKey != "":
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(e.AccessKeyID, e.SecretAccessKey, e.SessionToken)))
	case e.URL != "" && e.Profile == "" && os.Getenv("AWS_ACCESS_KEY_ID") == "":
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider("ddbkit", "ddbkit", "")))
	}
	if e.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(e.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("driver: load AWS config: %w", err)
	}
	return cfg, nil
}

// DynamoDB returns an SDK client for e (used for the table and by SDK).
func DynamoDB(cfg aws.Config, e Endpoint) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if e.URL != "" {
			o.BaseEndpoint = aws.String(e.URL)
		}
	})
}

// New returns the named client for e: "lean" (the wire transport for
// http:// endpoints, net/http for https://), "lean-nethttp" (the lean
// client over net/http everywhere, to compare transports) or "sdk".
func New(ctx context.Context, kind string, e Endpoint) (Client, error) {
	cfg, err := AWSConfig(ctx, e)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "sdk":
		return NewSDK(DynamoDB(cfg, e)), nil
	case "lean", "", "lean-nethttp":
		url := e.URL
		if url == "" {
			url = "https://dynamodb." + cfg.Region + ".amazonaws.com"
		}
		return NewLean(LeanOptions{
			Endpoint: url, Region: cfg.Region, Credentials: cfg.Credentials,
			Conns: e.Conns, NetHTTP: kind == "lean-nethttp",
		})
	default:
		return nil, fmt.Errorf("driver: unknown client %q (want lean, lean-nethttp or sdk)", kind)
	}
}
