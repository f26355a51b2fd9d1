package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/catalog"
)

// scanAll scans table page by page (consistent, small pages so that a
// scan spans splits) and returns how many times each key was seen.
func scanAll(ctx context.Context, cl *dynamodb.Client, table string) (map[string]int, error) {
	return scanPages(ctx, cl, table, 40)
}

// scanPages is scanAll with pages of limit items.
func scanPages(ctx context.Context, cl *dynamodb.Client, table string, limit int32) (map[string]int, error) {
	seen := map[string]int{}
	var start map[string]types.AttributeValue
	for {
		out, err := cl.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Limit: aws.Int32(limit), ExclusiveStartKey: start})
		if err != nil {
			return nil, err
		}
		for _, it := range out.Items {
			seen[it["pk"].(*types.AttributeValueMemberS).Value]++
		}
		if len(out.LastEvaluatedKey) == 0 {
			return seen, nil
		}
		start = out.LastEvaluatedKey
	}
}

// Partitions split under load: every acknowledged write is there exactly
// once, no item is duplicated (by the split or in a Scan that spans it),
// each half is replicated on three nodes with equal digests.
func TestSplitUnderLoadLosesAndDuplicatesNothing(t *testing.T) {
	c := startCluster(t, 5, func(o *Options) {
		o.Partitions, o.SplitBytes, o.SplitCheck = 1, 24<<10, 50*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl := client(t, c.URL())
	createTable(t, cl, "splits")
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 200)
	var mu sync.Mutex
	acked, tried := map[string]bool{}, map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 120; i++ {
				k := fmt.Sprintf("w%d-%d", w, i)
				mu.Lock()
				tried[k] = true
				mu.Unlock()
				wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
				_, err := cl.PutItem(wctx, &dynamodb.PutItemInput{TableName: aws.String("splits"), Item: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: k}, "pad": &types.AttributeValueMemberS{Value: pad}}})
				wcancel()
				if err == nil {
					mu.Lock()
					acked[k] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Scans run while partitions split: no key twice within one scan.
	scanErrs := make(chan error, 1)
	stopScans := make(chan struct{})
	go func() {
		defer close(scanErrs)
		for {
			select {
			case <-stopScans:
				return
			default:
			}
			seen, err := scanAll(ctx, cl, "splits")
			if err != nil {
				scanErrs <- fmt.Errorf("scan during splits: %w", err)
				return
			}
			for k, n := range seen {
				if n > 1 {
					scanErrs <- fmt.Errorf("scan during splits returned %s %d times", k, n)
					return
				}
			}
		}
	}()
	wg.Wait()
	close(stopScans)
	if err := <-scanErrs; err != nil {
		t.Fatal(err)
	}
	tab := checkAfterSplits(ctx, t, c, cl, "splits", 3, acked, tried)
	t.Logf("%d acknowledged of %d writes, %d partitions after splits", len(acked), len(tried), len(tab.Partitions))
}

// checkAfterSplits checks a table after writes raced its splits: it has at
// least minParts partitions, a scan returns every acknowledged item once
// and nothing that was never written, and the replicas converge.
func checkAfterSplits(ctx context.Context, t *testing.T, c *Cluster, cl *dynamodb.Client, table string, minParts int,
	acked, tried map[string]bool) *catalog.Table {
	t.Helper()
	tab, err := c.Node(1).Catalog().Get(table)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Partitions) < minParts {
		t.Fatalf("only %d partitions after the load (want %d or more): splits did not happen", len(tab.Partitions), minParts)
	}
	seen, err := scanAll(ctx, cl, table)
	if err != nil {
		t.Fatal(err)
	}
	for k := range acked {
		if seen[k] != 1 {
			t.Errorf("acknowledged %s seen %d times", k, seen[k])
		}
	}
	for k, n := range seen {
		if !tried[k] || n != 1 {
			t.Errorf("unexpected %s seen %d times", k, n)
		}
	}
	if err := c.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	return tab
}
