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
)

// A global secondary index answers the same through every node of a
// five-node cluster, where no node holds every partition: a Query and a
// paginated Scan of the index through each node converge (GSIs are
// eventually consistent) to exactly the items written, in index order;
// an index added later by UpdateTable becomes ACTIVE and reads the same.
// DescribeTable through each node counts every partition's items.
func TestGSIReadsOnEveryNode(t *testing.T) {
	c := startCluster(t, 53, func(o *Options) { o.Nodes, o.Partitions = 5, 8 })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	db := client(t, c.NodeURL(1))
	const items = 120
	createGSITable(ctx, t, db, items)
	for _, id := range c.NodeIDs() {
		expectGSIConverges(ctx, t, c, id, items)
		// No node holds every partition: DescribeTable counts the others'
		// items and index entries through their replicas.
		dn := client(t, c.NodeURL(id))
		eventually(t, fmt.Sprintf("DescribeTable counts through node %d", id), 30*time.Second, func() error {
			d, err := dn.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("gsinodes")})
			if err != nil {
				return err
			}
			n, g := aws.ToInt64(d.Table.ItemCount), aws.ToInt64(d.Table.GlobalSecondaryIndexes[0].ItemCount)
			if n != items || g != items {
				return fmt.Errorf("node %d: ItemCount %d, byG ItemCount %d, want %d", id, n, g, items)
			}
			return nil
		})
	}
	// A second index, created later (backfilled), through every node.
	_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("gsinodes"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("c"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byC"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("c"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range c.NodeIDs() {
		dn := client(t, c.NodeURL(id))
		eventually(t, fmt.Sprintf("byC active and queryable through node %d", id), 30*time.Second, func() error {
			d, err := dn.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("gsinodes")})
			if err != nil {
				return err
			}
			for _, g := range d.Table.GlobalSecondaryIndexes {
				if aws.ToString(g.IndexName) == "byC" && g.IndexStatus != types.IndexStatusActive {
					return fmt.Errorf("node %d: byC is %s", id, g.IndexStatus)
				}
			}
			got, err := queryIndexPages(ctx, dn, "byC", "c", "c2", 0)
			if err != nil {
				return err
			}
			if len(got) != items/4 {
				return fmt.Errorf("node %d: query of c2 found %d items, want %d", id, len(got), items/4)
			}
			return nil
		})
	}
}

// createGSITable creates table gsinodes with index byG (g, n; ALL) and
// writes items k<i> with g = g(i%3), n = i, c = c(i%4).
func createGSITable(ctx context.Context, t *testing.T, db *dynamodb.Client, items int) {
	t.Helper()
	in := createInput("gsinodes")
	in.AttributeDefinitions = append(in.AttributeDefinitions,
		types.AttributeDefinition{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
		types.AttributeDefinition{AttributeName: aws.String("n"), AttributeType: types.ScalarAttributeTypeN})
	in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("n"), KeyType: types.KeyTypeRange}},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	if _, err := db.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	for i := range items {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("gsinodes"), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: fmt.Sprint("k", i)},
			"g":  &types.AttributeValueMemberS{Value: fmt.Sprint("g", i%3)},
			"n":  &types.AttributeValueMemberN{Value: fmt.Sprint(i)},
			"c":  &types.AttributeValueMemberS{Value: fmt.Sprint("c", i%4)},
		}})
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
}

// expectGSIConverges waits until a paginated Query of byG for g1 and a
// paginated Scan of byG through node id return exactly the items written
// by createGSITable, in order.
func expectGSIConverges(ctx context.Context, t *testing.T, c *Cluster, id uint64, items int) {
	t.Helper()
	var wantG1 []string // n ascending: 1, 4, 7, ...
	for i := 1; i < items; i += 3 {
		wantG1 = append(wantG1, fmt.Sprint(i))
	}
	dn := client(t, c.NodeURL(id))
	eventually(t, fmt.Sprintf("a GSI query through node %d", id), 30*time.Second, func() error {
		got, err := queryIndexPages(ctx, dn, "byG", "g", "g1", 7)
		if err != nil {
			return err
		}
		if !slices.Equal(got, wantG1) {
			return fmt.Errorf("node %d: query of g1 = %v, want %v", id, got, wantG1)
		}
		return nil
	})
	eventually(t, fmt.Sprintf("a GSI scan through node %d", id), 30*time.Second, func() error {
		n, err := scanIndexCount(ctx, dn, "byG", 25)
		if err != nil {
			return err
		}
		if n != items {
			return fmt.Errorf("node %d: scan of the index found %d items, want %d", id, n, items)
		}
		return nil
	})
}

// Replicas moving to an added node do not break GSI reads: queries through
// every node keep answering while the moves run (the reads that fail are
// counted; none may return a wrong result), and after the moves every node,
// the new one included, reads the index whole.
func TestGSIReadsAcrossAddNode(t *testing.T) {
	c := startCluster(t, 59, func(o *Options) { o.Partitions, o.MoveCheck = 8, 50*time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const items = 90
	createGSITable(ctx, t, client(t, c.NodeURL(1)), items)
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.NodeIDs() { // every replica has every write
		expectGSIConverges(ctx, t, c, n, items)
	}
	var wantG1 []string
	for i := 1; i < items; i += 3 {
		wantG1 = append(wantG1, fmt.Sprint(i))
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	var reads, failed int
	go func() { // readers through the founders while the moves run
		defer close(done)
		clients := []*dynamodb.Client{client(t, c.NodeURL(1)), client(t, c.NodeURL(2)), client(t, c.NodeURL(3))}
		for i := 0; i < 2000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			got, err := queryIndexPages(ctx, clients[i%3], "byG", "g", "g1", 0)
			reads++
			if err != nil {
				failed++
				continue
			}
			if !slices.Equal(got, wantG1) {
				t.Errorf("a GSI query during the moves returned %v, want %v", got, wantG1)
				return
			}
		}
	}()
	id, err := c.AddNode(ctx, "az1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitPlaced(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-done
	t.Logf("%d GSI queries during the moves, %d failed", reads, failed)
	for _, n := range c.NodeIDs() {
		expectGSIConverges(ctx, t, c, n, items)
	}
	if id != 4 {
		t.Fatalf("added node %d, want 4", id)
	}
}

// queryIndexPages queries index for attr = v page by page (limit 0: no
// Limit) and returns each item's n (or pk when the index does not project
// n) in order.
func queryIndexPages(ctx context.Context, c *dynamodb.Client, index, attr, v string, limit int32) ([]string, error) {
	var out []string
	var start map[string]types.AttributeValue
	for pages := 0; pages < 1000; pages++ {
		in := &dynamodb.QueryInput{TableName: aws.String("gsinodes"), IndexName: aws.String(index),
			KeyConditionExpression:    aws.String("#a = :v"),
			ExpressionAttributeNames:  map[string]string{"#a": attr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: v}},
			ExclusiveStartKey:         start}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		q, err := c.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, it := range q.Items {
			if n, ok := it["n"].(*types.AttributeValueMemberN); ok {
				out = append(out, n.Value)
			} else {
				out = append(out, it["pk"].(*types.AttributeValueMemberS).Value)
			}
		}
		if q.LastEvaluatedKey == nil {
			return out, nil
		}
		start = q.LastEvaluatedKey
	}
	return nil, fmt.Errorf("query of %s did not end", index)
}

// scanIndexCount scans index page by page and counts distinct base items.
func scanIndexCount(ctx context.Context, c *dynamodb.Client, index string, limit int32) (int, error) {
	seen := map[string]bool{}
	var start map[string]types.AttributeValue
	for pages := 0; pages < 1000; pages++ {
		s, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("gsinodes"), IndexName: aws.String(index),
			Limit: aws.Int32(limit), ExclusiveStartKey: start})
		if err != nil {
			return 0, err
		}
		for _, it := range s.Items {
			pk := it["pk"].(*types.AttributeValueMemberS).Value
			if seen[pk] {
				return 0, fmt.Errorf("scan of %s returned %s twice", index, pk)
			}
			seen[pk] = true
		}
		if s.LastEvaluatedKey == nil {
			return len(seen), nil
		}
		start = s.LastEvaluatedKey
	}
	return 0, fmt.Errorf("scan of %s did not end", index)
}
