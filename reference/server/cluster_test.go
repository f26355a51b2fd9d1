package server

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Options.Nodes >= 3 serves the replicated engine: an item written through
// the front URL is read back consistently, and the cluster is reachable for
// fault injection.
func TestClusterMode(t *testing.T) {
	srv, c := startServer(t, Options{Nodes: 3, Seed: 7})
	if srv.Cluster() == nil {
		t.Fatal("Nodes: 3 started no cluster")
	}
	name := createTable(t, c, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name),
		Item: map[string]types.AttributeValue{"pk": key["pk"], "v": &types.AttributeValueMemberN{Value: "1"}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("consistent read after write: %v %v", out, err)
	}
	if err := srv.Cluster().WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
}

// Two nodes cannot place a replica in each of three zones.
func TestTwoNodesRefused(t *testing.T) {
	if _, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", Nodes: 2}); err == nil {
		t.Fatal("Nodes: 2 started")
	}
}
