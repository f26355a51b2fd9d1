package server

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestCreateDescribeDeleteTable(t *testing.T) {
	_, c := startServer(t, Options{})
	out, err := c.CreateTable(bg, &dynamodb.CreateTableInput{
		TableName:             aws.String("Music"),
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("Artist"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("Year"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("Artist"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("Year"), KeyType: types.KeyTypeRange}},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(7)},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TableDescription
	if d.TableStatus != types.TableStatusCreating || *d.TableName != "Music" || *d.ProvisionedThroughput.WriteCapacityUnits != 7 ||
		!strings.HasSuffix(*d.TableArn, ":table/Music") || len(d.KeySchema) != 2 {
		t.Fatalf("unexpected description %+v", d)
	}
	// The SDK's waiter polls DescribeTable until ACTIVE.
	w := dynamodb.NewTableExistsWaiter(c)
	if err := w.Wait(bg, &dynamodb.DescribeTableInput{TableName: aws.String("Music")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateTable(bg, &dynamodb.CreateTableInput{
		TableName:            aws.String("Music"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("a"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("a"), KeyType: types.KeyTypeHash}},
	})
	wantErr(t, err, "ResourceInUseException", "Table already exists: Music")

	del, err := c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String("Music")})
	if err != nil || del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Fatalf("DeleteTable: %v %+v", err, del)
	}
	if err := dynamodb.NewTableNotExistsWaiter(c).Wait(bg, &dynamodb.DescribeTableInput{TableName: aws.String("Music")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String("Music")})
	wantErr(t, err, "ResourceNotFoundException", "Requested resource not found: Table: Music not found")
	_, err = c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String("Music")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestCreateTableValidation(t *testing.T) {
	_, c := startServer(t, Options{})
	hash := []types.KeySchemaElement{{AttributeName: aws.String("a"), KeyType: types.KeyTypeHash}}
	defA := []types.AttributeDefinition{{AttributeName: aws.String("a"), AttributeType: types.ScalarAttributeTypeS}}
	tests := []struct {
		name string
		in   dynamodb.CreateTableInput
		msg  string
	}{
		{"no name", dynamodb.CreateTableInput{AttributeDefinitions: defA, KeySchema: hash, BillingMode: types.BillingModePayPerRequest},
			"1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		{"short name", dynamodb.CreateTableInput{TableName: aws.String("ab"), AttributeDefinitions: defA, KeySchema: hash, BillingMode: types.BillingModePayPerRequest},
			"TableName must be at least 3 characters long and at most 255 characters long"},
		{"bad chars and short", dynamodb.CreateTableInput{TableName: aws.String("a!"), AttributeDefinitions: defA, KeySchema: hash, BillingMode: types.BillingModePayPerRequest},
			"TableName must be at least 3 characters long and at most 255 characters long"},
		{"bad chars", dynamodb.CreateTableInput{TableName: aws.String("a!b"), AttributeDefinitions: defA, KeySchema: hash, BillingMode: types.BillingModePayPerRequest},
			"1 validation error detected: Value 'a!b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"no throughput", dynamodb.CreateTableInput{TableName: aws.String("abc"), AttributeDefinitions: defA, KeySchema: hash},
			"One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"throughput with on-demand", dynamodb.CreateTableInput{TableName: aws.String("abc"), AttributeDefinitions: defA, KeySchema: hash, BillingMode: types.BillingModePayPerRequest,
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}},
			"One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"undefined key", dynamodb.CreateTableInput{TableName: aws.String("abc"), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("b"), AttributeType: types.ScalarAttributeTypeS}}, KeySchema: hash},
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
		{"extra definition", dynamodb.CreateTableInput{TableName: aws.String("abc"), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: append(defA, types.AttributeDefinition{AttributeName: aws.String("b"), AttributeType: types.ScalarAttributeTypeS}), KeySchema: hash},
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"range first", dynamodb.CreateTableInput{TableName: aws.String("abc"), BillingMode: types.BillingModePayPerRequest, AttributeDefinitions: defA,
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("a"), KeyType: types.KeyTypeRange}}},
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"bad attribute type", dynamodb.CreateTableInput{TableName: aws.String("abc"), BillingMode: types.BillingModePayPerRequest, KeySchema: hash,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("a"), AttributeType: "BOOL"}}},
			"1 validation error detected: Value 'BOOL' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
		{"zero capacity", dynamodb.CreateTableInput{TableName: aws.String("abc"), AttributeDefinitions: defA, KeySchema: hash,
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(1)}},
			"1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateTable(bg, &tt.in)
			wantErr(t, err, "ValidationException", tt.msg)
		})
	}
	lt, err := c.ListTables(bg, &dynamodb.ListTablesInput{})
	if err != nil || len(lt.TableNames) != 0 {
		t.Fatalf("invalid CreateTable calls created tables: %v %v", lt.TableNames, err)
	}
}

func TestListTablesPagination(t *testing.T) {
	_, c := startServer(t, Options{})
	var want []string
	for i := 0; i < 7; i++ {
		want = append(want, createTable(t, c, ""))
	}
	var got []string
	var start *string
	for pages := 0; ; pages++ {
		out, err := c.ListTables(bg, &dynamodb.ListTablesInput{Limit: aws.Int32(3), ExclusiveStartTableName: start})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		start = out.LastEvaluatedTableName
	}
	if strings.Join(got, ",") != strings.Join(sorted(want), ",") {
		t.Fatalf("ListTables pages = %v, want %v", got, sorted(want))
	}
	_, err := c.ListTables(bg, &dynamodb.ListTablesInput{Limit: aws.Int32(101)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestUpdateTable(t *testing.T) {
	_, c := startServer(t, Options{})
	name := createTable(t, c, "")
	_, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(name)})
	wantErr(t, err, "ValidationException", "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	_, err = c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(name), BillingMode: types.BillingModeProvisioned})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	out, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(name), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(3), WriteCapacityUnits: aws.Int64(4)}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.TableDescription.ProvisionedThroughput.ReadCapacityUnits != 3 {
		t.Fatalf("throughput not updated: %+v", out.TableDescription.ProvisionedThroughput)
	}
	_, err = c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String(name),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(3), WriteCapacityUnits: aws.Int64(4)}})
	wantErr(t, err, "ValidationException", "")
	d, err := c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil || d.Table.BillingModeSummary != nil && d.Table.BillingModeSummary.BillingMode != types.BillingModeProvisioned {
		t.Fatalf("describe after update: %v %+v", err, d.Table.BillingModeSummary)
	}
	_, err = c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String("nope"), BillingMode: types.BillingModePayPerRequest})
	wantErr(t, err, "ResourceNotFoundException", "")
}
