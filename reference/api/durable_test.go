package api_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/server"
)

// The durable single-node server keeps indexes, TTL settings and
// transactional writes across a restart (the catalog records carry them;
// GSIs are rebuilt from the table by backfill).
func TestIndexesTTLAndTransactionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	start := func() (*server.Server, *dynamodb.Client) {
		srv, err := server.Start(bg, server.Options{Addr: "127.0.0.1:0", DataDir: dir, NoFsync: true})
		if err != nil {
			t.Fatal(err)
		}
		return srv, sdkClient(t, srv.URL())
	}
	srv, c := start()
	tab := indexedTable(t, c)
	if _, err := c.UpdateTimeToLive(bg, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(tab),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		putAct(tab, person("a", 1, "Oslo", 30, "ann"), ""), putAct(tab, person("b", 1, "Oslo", 20, "bob"), "")}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv, c = start()
	defer srv.Close()
	ttl, err := c.DescribeTimeToLive(bg, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tab)})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Fatalf("ttl after restart: %+v %v", ttl, err)
	}
	out, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tab), IndexName: aws.String("byCity"),
		KeyConditionExpression: aws.String("city = :c"), ExpressionAttributeValues: item{":c": s("Oslo")}})
	if err != nil || names(out.Items) != "bob,ann" {
		t.Fatalf("GSI after restart: %v %v", out, err)
	}
	lq, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tab), IndexName: aws.String("byAge"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("a")}})
	if err != nil || lq.Count != 1 {
		t.Fatalf("LSI after restart: %v %v", lq, err)
	}
	lt, err := c.ListTables(bg, &dynamodb.ListTablesInput{})
	if err != nil || len(lt.TableNames) != 1 {
		t.Fatalf("tables after restart: %v %v", lt.TableNames, err)
	}
}
