package api_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkTransactWrite compares, in one run against the reference
// server over loopback with the SDK, a single-item PutItem with
// TransactWriteItems of 2 and 10 Puts (each op writes fresh items). Compare
// ns/op between the sub-benchmarks, not across runs.
func BenchmarkTransactWrite(b *testing.B) {
	c := startServer(b)
	tab := createTable(b, c, "")
	b.Run("PutItem", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: bal(fmt.Sprintf("p%d", i), "1")}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, size := range []int{2, 10} {
		b.Run(fmt.Sprintf("Transact%d", size), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				acts := make([]types.TransactWriteItem, size)
				for j := range acts {
					acts[j] = putAct(tab, bal(fmt.Sprintf("t%d-%d-%d", size, i, j), "1"), "")
				}
				if _, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: acts}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
