package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names used by the workloads.
const (
	PartitionKey = "pk"
	ValueAttr    = "v"
	SetAttr      = "s"
)

// CreateTable creates an on-demand table with a string partition key "pk"
// and waits (at most wait) until it is ACTIVE. An existing table is an
// error: a history is only meaningful against objects that start empty.
func CreateTable(ctx context.Context, db *dynamodb.Client, name string, wait time.Duration) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(PartitionKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		return fmt.Errorf("client: create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, wait); err != nil {
		return fmt.Errorf("client: wait for table %s: %w", name, err)
	}
	return nil
}

// DeleteTable deletes the table; a table that does not exist is not an
// error.
func DeleteTable(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("client: delete table %s: %w", name, err)
	}
	return nil
}
