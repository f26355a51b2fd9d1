package cluster

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ddbkit/ddbkit/internal/target"
)

// startCluster starts a seeded 3-node in-memory cluster with fast raft
// timing.
func startCluster(t *testing.T, seed uint64, mod func(*Options)) *Cluster {
	t.Helper()
	o := Options{Nodes: 3, Seed: seed, TickInterval: 5 * time.Millisecond, ElectionTicks: 10,
		RequestTimeout: 2 * time.Second}
	if mod != nil {
		mod(&o)
	}
	c, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func client(t *testing.T, url string) *dynamodb.Client {
	t.Helper()
	c, err := target.NewClient(context.Background(), target.Options{EndpointURL: url, RawValidation: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := c.CreateTable(ctx, createInput(name)); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
}

func createInput(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
}

func put(ctx context.Context, c *dynamodb.Client, table, pk string, v int) error {
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk}, "v": &types.AttributeValueMemberN{Value: fmt.Sprint(v)}}})
	return err
}

func get(ctx context.Context, c *dynamodb.Client, table, pk string, consistent bool) (string, bool, error) {
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(consistent),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}}})
	if err != nil {
		return "", false, err
	}
	if out.Item == nil {
		return "", false, nil
	}
	return out.Item["v"].(*types.AttributeValueMemberN).Value, true, nil
}

// errCode returns the DynamoDB error code of err ("" for other errors).
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func eventually(t *testing.T, what string, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type dynamoClient struct{ c *dynamodb.Client }
