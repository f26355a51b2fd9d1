package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// A table created through one node is found at once through every other
// node (DescribeTable, then a write), even before their reconcilers ran.
func TestCreatedTableFoundEverywhereAtOnce(t *testing.T) {
	c := startCluster(t, 8, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < 5; i++ {
		name := "fresh" + string(rune('a'+i))
		createTable(t, client(t, c.NodeURL(1+uint64(i)%3)), name)
		for _, id := range c.NodeIDs() {
			cl := client(t, c.NodeURL(id))
			if _, err := cl.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}); err != nil {
				t.Fatalf("describe %s via node %d right after create: %v", name, id, err)
			}
			if err := put(ctx, cl, name, "k", 1); err != nil {
				t.Fatalf("put into %s via node %d right after create: %v", name, id, err)
			}
		}
	}
	// A node that has not even received the new table yet (its inbound
	// links cut for a moment) waits for the catalog instead of denying it.
	meta := leaderOf(c, 1)
	slow := meta%3 + 1
	for _, id := range c.NodeIDs() {
		if id != slow {
			c.Cut(id, slow)
		}
	}
	createTable(t, client(t, c.NodeURL(meta)), "freshlate")
	go func() {
		time.Sleep(300 * time.Millisecond)
		c.Heal()
	}()
	if _, err := client(t, c.NodeURL(slow)).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("freshlate")}); err != nil {
		t.Fatalf("describe via node %d, cut off while the table was created: %v", slow, err)
	}
	_, err := client(t, c.NodeURL(2)).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nosuchtable")})
	if errCode(err) != "ResourceNotFoundException" {
		t.Fatalf("describe a missing table: %v", err)
	}
}
