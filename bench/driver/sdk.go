package driver

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// SDK is the plain aws-sdk-go-v2 client behind the Client interface.
type SDK struct {
	db *dynamodb.Client
}

// NewSDK wraps a configured client (see internal/target: retries off).
func NewSDK(db *dynamodb.Client) *SDK { return &SDK{db: db} }

// Close implements Client.
func (c *SDK) Close() error { return nil }

func sdkKey(t Table, k Key) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: string(k.PK)}}
	if t.SortKey {
		m[AttrSort] = &types.AttributeValueMemberN{Value: strconv.FormatInt(k.SK, 10)}
	}
	return m
}

func sdkItem(t Table, it Item) map[string]types.AttributeValue {
	m := sdkKey(t, it.Key)
	for _, f := range it.Fields {
		m[f.Name] = &types.AttributeValueMemberS{Value: string(f.Value)}
	}
	if it.Version > 0 {
		m[AttrVersion] = &types.AttributeValueMemberN{Value: strconv.FormatInt(it.Version, 10)}
	}
	return m
}

func projection(fields []string) (*string, map[string]string) {
	if len(fields) == 0 {
		return nil, nil
	}
	names := make(map[string]string, len(fields))
	expr := ""
	for i, f := range fields {
		p := "#p" + strconv.Itoa(i)
		if i > 0 {
			expr += ","
		}
		expr += p
		names[p] = f
	}
	return aws.String(expr), names
}

// sdkError turns an SDK error into an *Error when the server answered.
func sdkError(op string, err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		status := 0
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		return &Error{Type: api.ErrorCode(), Message: api.ErrorMessage(), Status: status}
	}
	return fmt.Errorf("driver: %s: %w", op, err)
}

// GetItem implements Client.
func (c *SDK) GetItem(ctx context.Context, t Table, k Key, fields []string, consistent bool) (GetResult, error) {
	pe, names := projection(fields)
	out, err := c.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(t.Name), Key: sdkKey(t, k), ProjectionExpression: pe,
		ExpressionAttributeNames: names, ConsistentRead: boolPtr(consistent),
	})
	if err != nil {
		return GetResult{}, sdkError("GetItem", err)
	}
	r := GetResult{Found: out.Item != nil}
	if v, ok := out.Item[AttrVersion].(*types.AttributeValueMemberN); ok {
		r.Version, _ = strconv.ParseInt(v.Value, 10, 64)
	}
	return r, nil
}

func boolPtr(b bool) *bool {
	if !b {
		return nil
	}
	return aws.Bool(true)
}

// PutItem implements Client.
func (c *SDK) PutItem(ctx context.Context, t Table, it Item) error {
	_, err := c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: sdkItem(t, it)})
	return sdkError("PutItem", err)
}

// UpdateItem implements Client.
func (c *SDK) UpdateItem(ctx context.Context, t Table, k Key, fields []Field, expectVersion int64) error {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	expr := "SET "
	for i, f := range fields {
		n := strconv.Itoa(i)
		if i > 0 {
			expr += ", "
		}
		expr += "#f" + n + " = :f" + n
		names["#f"+n] = f.Name
		values[":f"+n] = &types.AttributeValueMemberS{Value: string(f.Value)}
	}
	in := &dynamodb.UpdateItemInput{TableName: aws.String(t.Name), Key: sdkKey(t, k)}
	if expectVersion >= 0 {
		expr += ", #v = if_not_exists(#v, :zero) + :one"
		names["#v"] = AttrVersion
		values[":zero"] = &types.AttributeValueMemberN{Value: "0"}
		values[":one"] = &types.AttributeValueMemberN{Value: "1"}
		if expectVersion == 0 {
			in.ConditionExpression = aws.String("attribute_not_exists(#v)")
		} else {
			in.ConditionExpression = aws.String("#v = :seen")
			values[":seen"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expectVersion, 10)}
		}
	}
	in.UpdateExpression = aws.String(expr)
	in.ExpressionAttributeNames = names
	in.ExpressionAttributeValues = values
	_, err := c.db.UpdateItem(ctx, in)
	return sdkError("UpdateItem", err)
}

// Scan implements Client.
func (c *SDK) Scan(ctx context.Context, t Table, start Key, limit int, fields []string, consistent bool) (int, error) {
	pe, names := projection(fields)
	out, err := c.db.Scan(ctx, &dynamodb.ScanInput{
		TableName: aws.String(t.Name), ExclusiveStartKey: sdkKey(t, start), Limit: aws.Int32(int32(limit)),
		ProjectionExpression: pe, ExpressionAttributeNames: names, ConsistentRead: boolPtr(consistent),
	})
	if err != nil {
		return 0, sdkError("Scan", err)
	}
	return int(out.Count), nil
}

// Query implements Client.
func (c *SDK) Query(ctx context.Context, t Table, pk []byte, lo, hi int64, limit int, fields []string, consistent bool) (int, error) {
	pe, names := projection(fields)
	if names == nil {
		names = map[string]string{}
	}
	names["#k"], names["#s"] = AttrKey, AttrSort
	out, err := c.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                aws.String(t.Name),
		KeyConditionExpression:   aws.String("#k = :k AND #s BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: names,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":k":  &types.AttributeValueMemberS{Value: string(pk)},
			":lo": &types.AttributeValueMemberN{Value: strconv.FormatInt(lo, 10)},
			":hi": &types.AttributeValueMemberN{Value: strconv.FormatInt(hi, 10)},
		},
		Limit: aws.Int32(int32(limit)), ProjectionExpression: pe, ConsistentRead: boolPtr(consistent),
	})
	if err != nil {
		return 0, sdkError("Query", err)
	}
	return int(out.Count), nil
}

// BatchPut implements Client.
func (c *SDK) BatchPut(ctx context.Context, t Table, items []Item) (int, error) {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: sdkItem(t, it)}}
	}
	out, err := c.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
		RequestItems: map[string][]types.WriteRequest{t.Name: reqs},
	})
	if err != nil {
		return 0, sdkError("BatchWriteItem", err)
	}
	return len(out.UnprocessedItems[t.Name]), nil
}

var _ Client = (*SDK)(nil)
