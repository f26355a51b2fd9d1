package cluster

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/node"
	"github.com/ddbkit/ddbkit/reference/router"
)

// counter adds 1 to key's counter n times through cl and returns how many
// adds were acknowledged and the final value.
func counter(t *testing.T, c *Cluster, unsafe node.Unsafe, n int) (acked, final int) {
	t.Helper()
	cl := client(t, c.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	createTable(t, cl, "counter")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	c.SetDelay(1, 30*time.Millisecond) // every commit takes a while
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "c"}}
	for i := 0; i < n; i++ {
		_, err := cl.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("counter"), Key: key,
			UpdateExpression:          aws.String("ADD v :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}})
		if err == nil {
			acked++
		}
	}
	c.Heal()
	out, err := cl.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("counter"), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	final, _ = strconv.Atoi(out.Item["v"].(*types.AttributeValueMemberN).Value)
	return acked, final
}

// Retries reuse their request id, so a write retried while its first
// proposal still commits applies once; the unsafe NoRetryDedup mode (a
// negative control) makes such writes apply twice.
func TestRetriedWriteAppliesOnceUnlessUnsafe(t *testing.T) {
	for _, tc := range []struct {
		name   string
		unsafe node.Unsafe
	}{
		{"safe", node.Unsafe{}},
		{"unsafe no retry dedup", node.Unsafe{Unsafe: router.Unsafe{NoRetryDedup: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Attempts time out long before a commit: every add is retried.
			c := startCluster(t, 9, func(o *Options) { o.Unsafe, o.AttemptTimeout = tc.unsafe, 10*time.Millisecond })
			acked, final := counter(t, c, tc.unsafe, 15)
			t.Logf("%d adds acknowledged, counter %d", acked, final)
			if tc.unsafe.Any() {
				if final <= acked {
					t.Fatalf("unsafe mode applied no retry twice (counter %d, %d acknowledged)", final, acked)
				}
				return
			}
			if acked != 15 || final != 15 {
				t.Fatalf("safe engine: counter %d after %d acknowledged adds of 15", final, acked)
			}
		})
	}
}
