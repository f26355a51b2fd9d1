package api_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/txn"
	"github.com/ddbkit/ddbkit/reference/value"
)

func putAct(table string, it item, cond string) types.TransactWriteItem {
	p := &types.Put{TableName: aws.String(table), Item: it}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
	}
	return types.TransactWriteItem{Put: p}
}

func addAct(table, pk string, delta int) types.TransactWriteItem {
	u := &types.Update{TableName: aws.String(table), Key: key(pk), UpdateExpression: aws.String("SET bal = bal + :d"),
		ExpressionAttributeValues: item{":d": n(fmt.Sprint(delta))}}
	if delta < 0 {
		u.ConditionExpression = aws.String("bal >= :m")
		u.ExpressionAttributeValues[":m"] = n(fmt.Sprint(-delta))
		u.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return types.TransactWriteItem{Update: u}
}

func bal(pk, v string) item { return item{"pk": s(pk), "bal": n(v)} }

// Through the reference server: a transfer commits across partitions and
// tables, TransactGetItems reads it, capacity is doubled.
func TestTransactThroughServer(t *testing.T) {
	c := startServer(t)
	a, b := createTable(t, c, ""), createTable(t, c, "")
	out, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{
		TransactItems:          []types.TransactWriteItem{putAct(a, bal("x", "10"), ""), putAct(b, bal("y", "0"), "attribute_not_exists(pk)")},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ConsumedCapacity) != 2 || *out.ConsumedCapacity[0].CapacityUnits != 2 {
		t.Fatalf("consumed %+v", out.ConsumedCapacity)
	}
	if _, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addAct(a, "x", -4), addAct(b, "y", 4)}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.TransactGetItems(bg, &dynamodb.TransactGetItemsInput{
		TransactItems: []types.TransactGetItem{
			{Get: &types.Get{TableName: aws.String(a), Key: key("x")}},
			{Get: &types.Get{TableName: aws.String(b), Key: key("y")}},
			{Get: &types.Get{TableName: aws.String(b), Key: key("absent")}},
		},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Responses) != 3 || num(got.Responses[0].Item, "bal") != "6" || num(got.Responses[1].Item, "bal") != "4" || got.Responses[2].Item != nil {
		t.Fatalf("responses %+v", got.Responses)
	}
	if len(got.ConsumedCapacity) != 2 || *got.ConsumedCapacity[0].CapacityUnits != 2 || *got.ConsumedCapacity[1].CapacityUnits != 4 {
		t.Fatalf("read capacity %+v", got.ConsumedCapacity)
	}
	// ListTables does not show the ledger's system table.
	lt, err := c.ListTables(bg, &dynamodb.ListTablesInput{})
	if err != nil || len(lt.TableNames) != 2 {
		t.Fatalf("tables %v %v", lt.TableNames, err)
	}
}

func TestTransactCancellation(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	if _, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{putAct(tab, bal("x", "3"), ""), putAct(tab, bal("y", "0"), ""), putAct(tab, bal("z", "0"), "")}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		addAct(tab, "y", 5),
		addAct(tab, "x", -5),
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String(tab), Key: key("z"), ConditionExpression: aws.String("attribute_exists(pk)")}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("err %v", err)
	}
	if want := "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]"; tce.ErrorMessage() != want {
		t.Fatalf("message %q", tce.ErrorMessage())
	}
	r := tce.CancellationReasons
	if len(r) != 3 || *r[0].Code != "None" || *r[1].Code != "ConditionalCheckFailed" || *r[1].Message != "The conditional request failed" || num(r[1].Item, "bal") != "3" || *r[2].Code != "None" {
		t.Fatalf("reasons %+v", r)
	}
	g, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(tab), Key: key("y"), ConsistentRead: aws.Bool(true)})
	if err != nil || num(g.Item, "bal") != "0" {
		t.Fatalf("y changed by a cancelled transaction: %v %v", g.Item, err)
	}
}

func TestTransactValidation(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	many := make([]types.TransactWriteItem, 101)
	for i := range many {
		many[i] = putAct(tab, bal(fmt.Sprint(i), "1"), "")
	}
	cases := []struct {
		name  string
		items []types.TransactWriteItem
		code  string
		msg   string
	}{
		{"same item twice", []types.TransactWriteItem{putAct(tab, bal("x", "1"), ""), addAct(tab, "x", 1)},
			"ValidationException", "Transaction request cannot include multiple operations on one item"},
		{"more than 100 actions", many, "ValidationException", ""},
		{"two actions in one element", []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(tab), Item: bal("x", "1")},
			Delete: &types.Delete{TableName: aws.String(tab), Key: key("x")}}}, "ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete"},
		{"missing table", []types.TransactWriteItem{putAct("nosuchtable", bal("x", "1"), "")}, "ResourceNotFoundException", ""},
		{"update of a key attribute", []types.TransactWriteItem{{Update: &types.Update{TableName: aws.String(tab), Key: key("x"), UpdateExpression: aws.String("SET pk = :v"),
			ExpressionAttributeValues: item{":v": s("y")}}}}, "ValidationException", "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
		{"condition check without condition", []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{TableName: aws.String(tab), Key: key("x")}}},
			"ValidationException", "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: tc.items})
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.TransactGetItems(bg, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String(tab), Key: key("x")}}, {Get: &types.Get{TableName: aws.String(tab), Key: key("x")}}}})
	wantErr(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")

	// An item that does not fit the table cancels the transaction with a
	// ValidationError reason for its action.
	_, err = c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		putAct(tab, bal("ok", "1"), ""), putAct(tab, item{"pk": n("7")}, "")}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 || *tce.CancellationReasons[1].Code != "ValidationError" ||
		*tce.CancellationReasons[1].Message != "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N" {
		t.Fatalf("wrong key type: %v", err)
	}
}

// A ClientRequestToken makes a retry a no-op for 10 minutes; the same token
// with other parameters is refused.
func TestTransactClientRequestToken(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: bal("x", "0")}); err != nil {
		t.Fatal(err)
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addAct(tab, "x", 1)}, ClientRequestToken: aws.String("tok-1")}
	for i := 0; i < 3; i++ {
		if _, err := c.TransactWriteItems(bg, in); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		g, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(tab), Key: key("x"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return num(g.Item, "bal")
	}
	if got := read(); got != "1" {
		t.Fatalf("bal = %s after three identical requests, want 1", got)
	}
	other := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addAct(tab, "x", 2)}, ClientRequestToken: aws.String("tok-1")}
	_, err := c.TransactWriteItems(bg, other)
	wantErr(t, err, "IdempotentParameterMismatchException", "")
	e.clock.Advance(10*time.Minute + time.Second)
	if _, err := c.TransactWriteItems(bg, in); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "2" {
		t.Fatalf("bal = %s after the token expired, want 2", got)
	}
	// Tokens live in a replicated system table; expired ones are removed
	// by a background pass.
	tokens, err := e.cat.Get(txn.TokensTable)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := tokens.Stats(); n != 1 {
		t.Fatalf("%d token records, want 1", n)
	}
	e.clock.Advance(10*time.Minute + time.Second)
	e.h.RunBackgroundOnce(bg)
	if n, _ := tokens.Stats(); n != 0 {
		t.Fatalf("%d token records after expiry, want 0", n)
	}
}

// A plain write to an item whose transaction is prepared gets
// TransactionConflictException. The coordinator is stopped between prepare
// and commit through the engine's own partitions; recovery (a background
// pass, once the record is old enough) cancels it and the write succeeds.
func TestPlainWriteConflictsWithPreparedTransaction(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: bal("x", "5")}); err != nil {
		t.Fatal(err)
	}
	prepareOnly(t, e, tab, "x")
	_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: bal("x", "7")})
	wantErr(t, err, "TransactionConflictException", "Transaction is ongoing for the item")
	_, err = c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addAct(tab, "x", 1)}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || !strings.Contains(tce.ErrorMessage(), "[TransactionConflict]") {
		t.Fatalf("transaction against a prepared item: %v", err)
	}
	e.clock.Advance(time.Minute)
	e.h.RunBackgroundOnce(bg)
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: bal("x", "7")}); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

// prepareOnly runs a transaction on pk that stops after prepare, as if its
// coordinator died there.
func prepareOnly(t *testing.T, e *engine, table, pk string) {
	t.Helper()
	tab, err := e.cat.Get(table)
	if err != nil {
		t.Fatal(err)
	}
	died := errors.New("killed")
	co := txn.New(e.cat, txn.Options{Now: e.clock.Now, Crash: func(point, _ string) error {
		if point == "prepared" {
			return died
		}
		return nil
	}})
	e.clock.Advance(time.Millisecond)
	cmd := &partition.Command{Op: partition.OpPut, Key: value.Item{"pk": value.Str(pk)}, Item: value.Item{"pk": value.Str(pk), "bal": value.Num("100")}}
	if _, err := co.Write(bg, []txn.Write{{Table: tab, Cmd: cmd}}); !errors.Is(err, died) {
		t.Fatalf("prepare-only transaction: %v", err)
	}
}

// TransactGetItems does not read an item with a prepared write: it waits a
// little, then gives up with a TransactionConflict reason for that item.
func TestTransactGetSeesPreparedWriteAsConflict(t *testing.T) {
	e := startEngine(t)
	c := e.c
	tab := createTable(t, c, "")
	for _, pk := range []string{"x", "y"} {
		if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(tab), Item: bal(pk, "1")}); err != nil {
			t.Fatal(err)
		}
	}
	prepareOnly(t, e, tab, "y")
	_, err := c.TransactGetItems(bg, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String(tab), Key: key("x")}}, {Get: &types.Get{TableName: aws.String(tab), Key: key("y")}}}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || tce.ErrorMessage() != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]" {
		t.Fatalf("err %v", err)
	}
}
