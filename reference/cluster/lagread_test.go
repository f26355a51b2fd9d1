package cluster

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/router"
	"github.com/ddbkit/ddbkit/reference/value"
)

// applied returns node id's applied index of group.
func applied(t *testing.T, c *Cluster, id, group uint64) uint64 {
	t.Helper()
	g, ok := c.Node(id).Group(group)
	if !ok {
		t.Fatalf("node %d holds no replica of group %d", id, group)
	}
	return g.Status().Applied
}

// readAll reads pk through c three ways, each strongly consistent:
// GetItem, Query (a range read) and TransactGetItems (a transactional
// read); each must return v.
func readAll(ctx context.Context, c *dynamodb.Client, table, pk string) ([]string, error) {
	var got []string
	v, ok, err := get(ctx, c, table, pk, true)
	if err != nil {
		return nil, fmt.Errorf("GetItem: %w", err)
	}
	if !ok {
		v = "<absent>"
	}
	got = append(got, v)
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: pk}}})
	if err != nil {
		return nil, fmt.Errorf("Query: %w", err)
	}
	if len(q.Items) != 1 {
		got = append(got, fmt.Sprintf("<%d items>", len(q.Items)))
	} else {
		got = append(got, q.Items[0]["v"].(*types.AttributeValueMemberN).Value)
	}
	tg, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{{Get: &types.Get{
		TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}}}}}})
	if err != nil {
		return nil, fmt.Errorf("TransactGetItems: %w", err)
	}
	if len(tg.Responses) != 1 || tg.Responses[0].Item == nil {
		got = append(got, "<absent>")
	} else {
		got = append(got, tg.Responses[0].Item["v"].(*types.AttributeValueMemberN).Value)
	}
	return got, nil
}

// A follower whose replica lags — held back by dropping every raft message
// to and from it, then let to catch up over a slow network — still serves
// strongly consistent reads of the latest acknowledged write (from a replica
// that applied the leader's read index), while its eventually
// consistent reads stay local and stale. The internal read RPCs still reach
// it: only its raft stream is cut, as when a node is far behind the log.
func TestConsistentReadThroughLaggingFollower(t *testing.T) {
	c := startCluster(t, 11, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	front := client(t, c.URL())
	createTable(t, front, "lagread")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	if err := put(ctx, front, "lagread", "k", 0); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	g := groupOf(t, c, 1, "lagread", "k")
	leader := leaderOf(c, g)
	if leader == 0 {
		t.Fatal("no leader")
	}
	ids := c.NodeIDs()
	follower := ids[(slices.Index(ids, leader)+1)%len(ids)]
	fc := client(t, c.NodeURL(follower))

	c.Network().Isolate(follower)
	lc := client(t, c.NodeURL(leader))
	for i := 1; i <= 20; i++ {
		if err := put(ctx, lc, "lagread", "k", i); err != nil {
			t.Fatalf("write %d with the follower cut off: %v", i, err)
		}
	}
	if fa, la := applied(t, c, follower, g), applied(t, c, leader, g); fa >= la {
		t.Fatalf("follower %d is not behind (applied %d, leader %d applied %d)", follower, fa, leader, la)
	}
	got, err := readAll(ctx, fc, "lagread", "k")
	if err != nil {
		t.Fatalf("consistent read through lagging follower %d: %v", follower, err)
	}
	if want := []string{"20", "20", "20"}; !slices.Equal(got, want) {
		t.Fatalf("consistent reads through lagging follower %d = %v, want %v", follower, got, want)
	}
	if v, ok, err := get(ctx, fc, "lagread", "k", false); err != nil || !ok || v != "0" {
		t.Fatalf("eventually consistent read through the cut-off follower = %q %v %v, want its own stale 0", v, ok, err)
	}

	// Let it catch up slowly while writes go on: every consistent read
	// through it sees the write just acknowledged.
	c.Heal()
	c.SetDelay(1, 40*time.Millisecond)
	for i := 21; i <= 40; i++ {
		if err := put(ctx, lc, "lagread", "k", i); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		got, err := readAll(ctx, fc, "lagread", "k")
		if err != nil {
			t.Fatalf("consistent read through catching-up follower %d: %v", follower, err)
		}
		if want := fmt.Sprint(i); got[0] != want || got[1] != want || got[2] != want {
			t.Fatalf("consistent reads through catching-up follower %d = %v, want %s", follower, got, want)
		}
	}
	c.Heal()
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := get(ctx, fc, "lagread", "k", false); err != nil || !ok || v != "40" {
		t.Fatalf("eventually consistent read after catching up = %q %v %v, want 40", v, ok, err)
	}
}

// A node that holds no replica of a partition reads it from the replicas
// of other nodes: strong, eventual, range and transactional reads all
// work. When none of them can answer it, the client gets an
// InternalServerError, and the node goes on serving after heal.
func TestReadsThroughNodeWithoutReplica(t *testing.T) {
	c := startCluster(t, 12, func(o *Options) { o.Nodes = 4 })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	front := client(t, c.URL())
	createTable(t, front, "remote")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	if err := put(ctx, front, "remote", "k", 7); err != nil {
		t.Fatal(err)
	}
	tab, err := c.Node(1).Catalog().Get("remote")
	if err != nil {
		t.Fatal(err)
	}
	voters := tab.PartitionForKey(value.Str("k")).Replica.(*router.Replica).Voters()
	var outsider uint64
	for _, id := range c.NodeIDs() {
		if !slices.Contains(voters, id) {
			outsider = id
		}
	}
	if outsider == 0 {
		t.Fatalf("every node holds a replica (voters %v)", voters)
	}
	if _, ok := c.Node(outsider).Group(tab.PartitionForKey(value.Str("k")).Replica.(*router.Replica).Group()); ok {
		t.Fatalf("node %d, not a voter, holds a replica", outsider)
	}
	oc := client(t, c.NodeURL(outsider))
	got, err := readAll(ctx, oc, "remote", "k")
	if err != nil {
		t.Fatalf("reads through node %d without a replica: %v", outsider, err)
	}
	if want := []string{"7", "7", "7"}; !slices.Equal(got, want) {
		t.Fatalf("reads through node %d without a replica = %v, want %v", outsider, got, want)
	}
	eventually(t, "an eventually consistent read through the outsider", 5*time.Second, func() error {
		if v, ok, err := get(ctx, oc, "remote", "k", false); err != nil || !ok || v != "7" {
			return fmt.Errorf("%q %v %v", v, ok, err)
		}
		return nil
	})

	for _, v := range voters { // every answer to the outsider is lost
		c.Cut(v, outsider)
	}
	_, _, err = get(ctx, oc, "remote", "k", false)
	if errCode(err) != "InternalServerError" {
		t.Fatalf("read with every replica unreachable: %v, want InternalServerError", err)
	}
	c.Heal()
	if v, ok, err := get(ctx, oc, "remote", "k", true); err != nil || !ok || v != "7" {
		t.Fatalf("read through node %d after heal = %q %v %v", outsider, v, ok, err)
	}
}
