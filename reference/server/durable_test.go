package server

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// With a data directory, tables and every acknowledged write survive a
// restart (the log is replayed, then compacted), including the effects of
// conditional and update commands, and deletes stay deleted.
func TestDurableRestart(t *testing.T) {
	dir := t.TempDir()
	srv, c := startServer(t, Options{DataDir: dir})
	tb := createTable(t, c, "")
	for i := 0; i < 50; i++ {
		_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(tb), Key: key(fmt.Sprint(i % 10)),
			UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: aws.String(tb), Key: key("3")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(tb), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(9), WriteCapacityUnits: aws.Int64(9)}})
	if err != nil {
		t.Fatal(err)
	}
	dropped := createTable(t, c, "")
	if _, err := c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String(dropped)}); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	for restart := 0; restart < 2; restart++ { // the second start reads the compacted log
		srv2, c2 := startServer(t, Options{DataDir: dir})
		for i := 0; i < 10; i++ {
			item := get(t, c2, tb, fmt.Sprint(i))
			if i == 3 {
				if item != nil {
					t.Fatalf("deleted item 3 came back: %v", item)
				}
				continue
			}
			if item == nil || item["n"].(*types.AttributeValueMemberN).Value != "5" {
				t.Fatalf("restart %d: item %d = %v, want n=5", restart, i, item)
			}
		}
		d, err := c2.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(tb)})
		if err != nil || *d.Table.ProvisionedThroughput.ReadCapacityUnits != 9 {
			t.Fatalf("table settings lost: %v %+v", err, d)
		}
		if _, err := c2.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(dropped)}); err == nil {
			t.Fatal("deleted table came back")
		}
		srv2.Close()
	}
}

// A prepared transaction write survives restarts (and the compaction each
// restart does): its commit, arriving later, still installs the item.
func TestDurablePreparedWriteSurvivesCompaction(t *testing.T) {
	dir := t.TempDir()
	srv, c := startServer(t, Options{DataDir: dir})
	tb := createTable(t, c, "")
	tbl, err := srv.Catalog().Get(tb)
	if err != nil {
		t.Fatal(err)
	}
	k := value.Item{"pk": value.Str("tx")}
	part := tbl.PartitionForKey(k["pk"])
	prep := &partition.Command{Op: partition.OpPut, Key: k, Item: value.Item{"pk": value.Str("tx"), "v": value.Num("1")},
		Txn: &partition.TxnStep{ID: "t-1", TS: 10, Phase: partition.TxnPrepare}}
	if res, err := part.Replica.Propose(bg, prep); err != nil || res.Err != nil {
		t.Fatalf("prepare: %v %v", err, res.Err)
	}
	srv.Close()
	var srv2 *Server
	for i := 0; i < 2; i++ {
		if srv2 != nil {
			srv2.Close()
		}
		srv2, _ = startServer(t, Options{DataDir: dir})
	}
	tbl2, err := srv2.Catalog().Get(tb)
	if err != nil {
		t.Fatal(err)
	}
	part2 := tbl2.PartitionForKey(k["pk"])
	if n := len(part2.State.PreparedCommands()); n != 1 {
		t.Fatalf("%d prepared writes after restart, want 1", n)
	}
	commit := &partition.Command{Op: partition.OpPut, Key: k, Txn: &partition.TxnStep{ID: "t-1", TS: 10, Phase: partition.TxnCommit}}
	if res, err := part2.Replica.Propose(bg, commit); err != nil || res.Err != nil {
		t.Fatalf("commit: %v %v", err, res.Err)
	}
	item, ok := part2.State.Get(tbl2.Schema.Key(k))
	if !ok || item["v"].Str != "1" {
		t.Fatalf("committed item after restart = %v", item)
	}
}
