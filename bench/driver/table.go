package driver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EnsureTable creates the benchmark table (on-demand capacity) unless it
// exists, and waits until it is ACTIVE. It never deletes anything. It
// reports whether it created the table.
func EnsureTable(ctx context.Context, db *dynamodb.Client, t Table, wait time.Duration) (bool, error) {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.Name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(AttrKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrKey), KeyType: types.KeyTypeHash},
		},
	}
	if t.SortKey {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(AttrSort), AttributeType: types.ScalarAttributeTypeN})
		in.KeySchema = append(in.KeySchema,
			types.KeySchemaElement{AttributeName: aws.String(AttrSort), KeyType: types.KeyTypeRange})
	}
	created := true
	if _, err := db.CreateTable(ctx, in); err != nil {
		var inUse *types.ResourceInUseException
		if !errors.As(err, &inUse) {
			return false, fmt.Errorf("driver: create table %s: %w", t.Name, err)
		}
		created = false
	}
	deadline := time.Now().Add(wait)
	for {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
		if err != nil {
			return created, fmt.Errorf("driver: describe table %s: %w", t.Name, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			if err := checkSchema(out.Table, t); err != nil {
				return created, err
			}
			return created, nil
		}
		if time.Now().After(deadline) {
			return created, fmt.Errorf("driver: table %s still %s after %v", t.Name, out.Table.TableStatus, wait)
		}
		select {
		case <-ctx.Done():
			return created, fmt.Errorf("driver: wait for table %s: %w", t.Name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// checkSchema refuses an existing table whose key schema differs from the
// workload's: writing to it would fail on every request.
func checkSchema(d *types.TableDescription, t Table) error {
	want := map[string]types.KeyType{AttrKey: types.KeyTypeHash}
	if t.SortKey {
		want[AttrSort] = types.KeyTypeRange
	}
	if len(d.KeySchema) != len(want) {
		return fmt.Errorf("driver: table %s exists with another key schema (want %v); choose another table= or drop it", t.Name, want)
	}
	for _, k := range d.KeySchema {
		if want[aws.ToString(k.AttributeName)] != k.KeyType {
			return fmt.Errorf("driver: table %s exists with another key schema (want %v); choose another table= or drop it", t.Name, want)
		}
	}
	return nil
}
