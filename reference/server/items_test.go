package server

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func get(t *testing.T, c *dynamodb.Client, table, pk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(pk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestPutGetDelete(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, "")
	item := map[string]types.AttributeValue{
		"pk":  s("a"),
		"num": n("1.50"),
		"l":   &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), &types.AttributeValueMemberBOOL{Value: true}, &types.AttributeValueMemberNULL{Value: true}}},
		"m":   &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"b": &types.AttributeValueMemberB{Value: []byte{0, 1, 2}}}},
		"ss":  &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns":  &types.AttributeValueMemberNS{Value: []string{"1", "2.0"}},
		"bs":  &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
		"e":   s(""),
	}
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: item}); err != nil {
		t.Fatal(err)
	}
	got := get(t, c, tb, "a")
	if got["num"].(*types.AttributeValueMemberN).Value != "1.5" {
		t.Errorf("number not normalized: %v", got["num"])
	}
	if len(got) != len(item) {
		t.Errorf("got %d attributes, want %d", len(got), len(item))
	}
	if b := got["m"].(*types.AttributeValueMemberM).Value["b"].(*types.AttributeValueMemberB).Value; string(b) != "\x00\x01\x02" {
		t.Errorf("binary round trip: %v", b)
	}
	// Projection.
	out, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(tb), Key: key("a"),
		ProjectionExpression: aws.String("#n, l[0], m.b"), ExpressionAttributeNames: map[string]string{"#n": "num"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Item) != 3 || len(out.Item["l"].(*types.AttributeValueMemberL).Value) != 1 {
		t.Errorf("projection: %v", out.Item)
	}
	// ALL_OLD on overwrite.
	put, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: key("a"), ReturnValues: types.ReturnValueAllOld})
	if err != nil || len(put.Attributes) != len(item) {
		t.Fatalf("ALL_OLD: %v %v", err, put.Attributes)
	}
	del, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: aws.String(tb), Key: key("a"), ReturnValues: types.ReturnValueAllOld})
	if err != nil || len(del.Attributes) != 1 {
		t.Fatalf("delete ALL_OLD: %v %v", err, del.Attributes)
	}
	if got := get(t, c, tb, "a"); got != nil {
		t.Fatalf("item still there after delete: %v", got)
	}
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: key("a"), ReturnValues: types.ReturnValueAllNew})
	wantErr(t, err, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")
}

func TestConditions(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, "")
	put := func(cond string, vals map[string]types.AttributeValue, item map[string]types.AttributeValue) error {
		in := &dynamodb.PutItemInput{TableName: aws.String(tb), Item: item, ExpressionAttributeValues: vals,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}
		if cond != "" {
			in.ConditionExpression = aws.String(cond)
		}
		_, err := c.PutItem(bg, in)
		return err
	}
	v1 := map[string]types.AttributeValue{"pk": s("k"), "v": n("1")}
	if err := put("attribute_not_exists(pk)", nil, v1); err != nil {
		t.Fatal(err)
	}
	err := put("attribute_not_exists(pk)", nil, v1)
	wantErr(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	var ccf *types.ConditionalCheckFailedException
	if !asCCF(err, &ccf) || ccf.Item["v"].(*types.AttributeValueMemberN).Value != "1" {
		t.Fatalf("ConditionalCheckFailed without the old item: %v", err)
	}
	// Compare-and-set.
	v2 := map[string]types.AttributeValue{"pk": s("k"), "v": n("2")}
	if err := put("v = :old", map[string]types.AttributeValue{":old": n("1")}, v2); err != nil {
		t.Fatal(err)
	}
	err = put("v = :old", map[string]types.AttributeValue{":old": n("1")}, v1)
	wantErr(t, err, "ConditionalCheckFailedException", "")
	if got := get(t, c, tb, "k")["v"].(*types.AttributeValueMemberN).Value; got != "2" {
		t.Fatalf("failed condition wrote anyway: v=%s", got)
	}
	// Delete with condition.
	_, err = c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: aws.String(tb), Key: key("k"),
		ConditionExpression: aws.String("v > :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": n("5")}})
	wantErr(t, err, "ConditionalCheckFailedException", "")
	// Expression parameter errors.
	err = put("attribute_exists(pk)", map[string]types.AttributeValue{":unused": n("1")}, v1)
	wantErr(t, err, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
	err = put("v = :missing", nil, v1)
	wantErr(t, err, "ValidationException", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing")
	err = put("", map[string]types.AttributeValue{":a": n("1")}, v1)
	wantErr(t, err, "ValidationException", "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null")
}

func asCCF(err error, out **types.ConditionalCheckFailedException) bool {
	e, ok := errorsAs[*types.ConditionalCheckFailedException](err)
	*out = e
	return ok
}

func TestUpdateItem(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, "")
	upd := func(expr string, rv types.ReturnValue, vals map[string]types.AttributeValue) (*dynamodb.UpdateItemOutput, error) {
		return c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(tb), Key: key("u"),
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals, ReturnValues: rv})
	}
	out, err := upd("SET a = :one, l = :l ADD c :one", types.ReturnValueAllNew, map[string]types.AttributeValue{
		":one": n("1"), ":l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Attributes) != 4 {
		t.Fatalf("ALL_NEW after create: %v", out.Attributes)
	}
	out, err = upd("SET a = a + :d, l = list_append(l, :l) REMOVE c", types.ReturnValueUpdatedNew, map[string]types.AttributeValue{
		":d": n("0.25"), ":l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("y")}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Attributes["a"].(*types.AttributeValueMemberN).Value != "1.25" || len(out.Attributes["l"].(*types.AttributeValueMemberL).Value) != 2 {
		t.Fatalf("UPDATED_NEW: %v", out.Attributes)
	}
	if _, ok := out.Attributes["c"]; ok {
		t.Fatalf("UPDATED_NEW includes removed attribute: %v", out.Attributes)
	}
	_, err = upd("SET pk = :v", "", map[string]types.AttributeValue{":v": s("x")})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
	_, err = upd("SET a = a + :s", "", map[string]types.AttributeValue{":s": s("x")})
	wantErr(t, err, "ValidationException", "")
	// The failed update changed nothing.
	if got := get(t, c, tb, "u")["a"].(*types.AttributeValueMemberN).Value; got != "1.25" {
		t.Fatalf("failed update changed a to %s", got)
	}
}

func TestKeyValidation(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, types.ScalarAttributeTypeN)
	_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(tb), Key: key("x")})
	wantErr(t, err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(tb), Key: map[string]types.AttributeValue{"pk": s("x"), "sk": s("1")}})
	wantErr(t, err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: key("x")})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: map[string]types.AttributeValue{"pk": s("x"), "sk": s("1")}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: map[string]types.AttributeValue{"pk": s(""), "sk": n("1")}})
	wantErr(t, err, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: map[string]types.AttributeValue{"pk": s(strings.Repeat("x", 2049)), "sk": n("1")}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	if _, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: map[string]types.AttributeValue{"pk": s(strings.Repeat("é", 1024)), "sk": n("1")}}); err != nil {
		t.Fatalf("2048-byte partition key rejected: %v", err)
	}
	_, err = c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("missing"), Key: key("x")})
	wantErr(t, err, "ResourceNotFoundException", "Requested resource not found: Table: missing not found")
}

func TestItemSizeLimit(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, "")
	// 400 KB counts names and values: "pk"+"a" (2+1 bytes) + "b" (1) + 1 + x.
	fits := 400*1024 - (2 + 1 + 1)
	item := map[string]types.AttributeValue{"pk": s("a"), "b": s(strings.Repeat("x", fits))}
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: item}); err != nil {
		t.Fatalf("exactly 400 KB rejected: %v", err)
	}
	item["b"] = s(strings.Repeat("x", fits+1))
	item["pk"] = s("b")
	_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: item})
	wantErr(t, err, "ValidationException", "Item size has exceeded the maximum allowed size")
	if got := get(t, c, tb, "b"); got != nil {
		t.Fatal("oversized item was written")
	}
	// An update that would grow the item past the limit fails and writes nothing.
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(tb), Key: key("a"),
		UpdateExpression: aws.String("SET c = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("yy")}})
	wantErr(t, err, "ValidationException", "Item size to update has exceeded the maximum allowed size")
	if _, ok := get(t, c, tb, "a")["c"]; ok {
		t.Fatal("oversized update was applied")
	}
}

// The legacy parameters work as their expression equivalents.
func TestLegacyParameters(t *testing.T) {
	_, c := startServer(t, Options{})
	tb := createTable(t, c, types.ScalarAttributeTypeN)
	k := map[string]types.AttributeValue{"pk": s("p"), "sk": n("1")}
	_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(tb), Key: k,
		AttributeUpdates: map[string]types.AttributeValueUpdate{
			"a": {Action: types.AttributeActionPut, Value: s("x")},
			"c": {Action: types.AttributeActionAdd, Value: n("2")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1"), "a": s("y")},
		Expected: map[string]types.ExpectedAttributeValue{"a": {Value: s("nope")}}})
	wantErr(t, err, "ConditionalCheckFailedException", "")
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("2"), "a": s("y")},
		Expected: map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(false)}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String(tb),
		KeyConditions: map[string]types.Condition{
			"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("p")}},
			"sk": {ComparisonOperator: types.ComparisonOperatorGe, AttributeValueList: []types.AttributeValue{n("1")}},
		},
		QueryFilter:     map[string]types.Condition{"a": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("x")}}},
		AttributesToGet: []string{"a", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != 1 || q.ScannedCount != 2 || len(q.Items[0]) != 2 || q.Items[0]["c"].(*types.AttributeValueMemberN).Value != "2" {
		t.Fatalf("legacy query: %d/%d %v", q.Count, q.ScannedCount, q.Items)
	}
	sc, err := c.Scan(bg, &dynamodb.ScanInput{TableName: aws.String(tb),
		ScanFilter: map[string]types.Condition{"a": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("y")}}}})
	if err != nil || sc.Count != 1 {
		t.Fatalf("legacy scan: %v %v", err, sc)
	}
	_, err = c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: k,
		Expected:            map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(false)}},
		ConditionExpression: aws.String("attribute_exists(a)")})
	wantErr(t, err, "ValidationException", "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")
}
