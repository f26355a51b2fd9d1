package server

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ddbkit/ddbkit/internal/target"
)

// startServer starts an in-memory engine on a free loopback port and
// returns an SDK client for it (client-side validation removed, no retries),
// so the tests see the server's own answers.
func startServer(t *testing.T, o Options) (*Server, *dynamodb.Client) {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	srv, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, client(t, srv.URL())
}

func client(t *testing.T, url string) *dynamodb.Client {
	t.Helper()
	c, err := target.NewClient(context.Background(), target.Options{EndpointURL: url, RawValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var tableSeq atomic.Int64

// createTable creates a table with a string partition key "pk" and, if
// rangeType is not "", a sort key "sk" of that type.
func createTable(t *testing.T, c *dynamodb.Client, rangeType types.ScalarAttributeType) string {
	t.Helper()
	name := fmt.Sprintf("table%03d", tableSeq.Add(1))
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
	if rangeType != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: rangeType})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	if _, err := c.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return name
}

// apiErr returns the error code and message of an API error.
func apiErr(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	if err != nil {
		return "non-API error", err.Error()
	}
	return "", ""
}

// wantErr fails the test unless err has the given code and (when msg is
// not "") message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	gotCode, gotMsg := apiErr(err)
	if gotCode != code || (msg != "" && gotMsg != msg) {
		t.Fatalf("error = %s: %q\nwant    %s: %q", gotCode, gotMsg, code, msg)
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(pk)}
}

var bg = context.Background()
