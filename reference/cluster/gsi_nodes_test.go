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
func TestGSIReadsOnEveryNode(t *testing.T) {
	c := startCluster(t, 53, func(o *Options) { o.Nodes, o.Partitions = 5, 8 })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	db := client(t, c.NodeURL(1))
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
	const items = 120
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
	// The items of g1 in index order (n ascending): 1, 4, 7, ...
	var wantG1 []string
	for i := 1; i < items; i += 3 {
		wantG1 = append(wantG1, fmt.Sprint(i))
	}
	for _, id := range c.NodeIDs() {
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
