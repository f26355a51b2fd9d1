package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// ListAttr is the list attribute of the list-append workload.
const ListAttr = "l"

// errNotSent marks an operation the client refused before sending
// anything: it certainly did not happen (fail).
var errNotSent = errors.New("not sent")

// doTxn executes a transactional operation (Transfer, ReadAll, Txn) and
// fills the reads of out.Txn when it succeeds.
func (c Client) doTxn(ctx context.Context, out *history.Op) error {
	out.Txn = history.CloneTxn(out.Txn)
	reads, writes := 0, 0
	for _, m := range out.Txn {
		if m.F == history.MopRead {
			reads++
		} else {
			writes++
		}
	}
	switch {
	case len(out.Txn) == 0:
		return fmt.Errorf("client: empty transaction: %w", errNotSent)
	case reads > 0 && writes > 0:
		return fmt.Errorf("client: DynamoDB transactions either read or write, not both: %s: %w", history.TxnString(out.Txn), errNotSent)
	case writes > 0:
		items := make([]types.TransactWriteItem, len(out.Txn))
		for i, m := range out.Txn {
			u, err := c.update(m)
			if err != nil {
				return fmt.Errorf("%w: %w", err, errNotSent)
			}
			items[i] = types.TransactWriteItem{Update: u}
		}
		_, err := c.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	}
	gets := make([]types.TransactGetItem, len(out.Txn))
	for i, m := range out.Txn {
		gets[i] = types.TransactGetItem{Get: &types.Get{
			TableName: aws.String(c.Table),
			Key:       map[string]types.AttributeValue{PartitionKey: key(m.Key)},
		}}
	}
	res, err := c.DB.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
	if err != nil {
		return err
	}
	if len(res.Responses) != len(out.Txn) {
		return fmt.Errorf("client: TransactGetItems answered %d items for %d gets", len(res.Responses), len(out.Txn))
	}
	for i := range out.Txn {
		if err := fillRead(&out.Txn[i], res.Responses[i].Item); err != nil {
			return err
		}
	}
	return nil
}

// update is the Update action of one write micro-operation.
func (c Client) update(m history.Mop) (*types.Update, error) {
	if m.Value == nil {
		return nil, fmt.Errorf("client: %s without a value", m.F)
	}
	u := &types.Update{
		TableName: aws.String(c.Table),
		Key:       map[string]types.AttributeValue{PartitionKey: key(m.Key)},
	}
	switch m.F {
	case history.MopAppend:
		u.UpdateExpression = aws.String("SET #l = list_append(if_not_exists(#l, :empty), :e)")
		u.ExpressionAttributeNames = map[string]string{"#l": ListAttr}
		u.ExpressionAttributeValues = map[string]types.AttributeValue{
			":empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":e":     &types.AttributeValueMemberL{Value: []types.AttributeValue{num(*m.Value)}},
		}
	case history.MopDebit:
		// No overdraft: the whole transfer is canceled if the balance is
		// short (TransactionCanceledException, ConditionalCheckFailed).
		u.UpdateExpression = aws.String("ADD #v :neg")
		u.ConditionExpression = aws.String("#v >= :amount")
		u.ExpressionAttributeNames = map[string]string{"#v": ValueAttr}
		u.ExpressionAttributeValues = map[string]types.AttributeValue{":neg": num(-*m.Value), ":amount": num(*m.Value)}
	case history.MopCredit:
		u.UpdateExpression = aws.String("ADD #v :amount")
		u.ExpressionAttributeNames = map[string]string{"#v": ValueAttr}
		u.ExpressionAttributeValues = map[string]types.AttributeValue{":amount": num(*m.Value)}
	default:
		return nil, fmt.Errorf("client: unknown micro-operation %q", m.F)
	}
	return u, nil
}

// fillRead stores the result of a read micro-operation: the balance (v) and
// the list (l, empty when absent).
func fillRead(m *history.Mop, item map[string]types.AttributeValue) error {
	m.Value, m.List = nil, []int64{}
	if av, ok := item[ValueAttr]; ok {
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			return fmt.Errorf("client: attribute %s is %T, want N", ValueAttr, av)
		}
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return fmt.Errorf("client: attribute %s: %w", ValueAttr, err)
		}
		m.Value = &v
	}
	if av, ok := item[ListAttr]; ok {
		l, ok := av.(*types.AttributeValueMemberL)
		if !ok {
			return fmt.Errorf("client: attribute %s is %T, want L", ListAttr, av)
		}
		for _, e := range l.Value {
			n, ok := e.(*types.AttributeValueMemberN)
			if !ok {
				return fmt.Errorf("client: element of %s is %T, want N", ListAttr, e)
			}
			v, err := strconv.ParseInt(n.Value, 10, 64)
			if err != nil {
				return fmt.Errorf("client: element of %s: %w", ListAttr, err)
			}
			m.List = append(m.List, v)
		}
	}
	return nil
}

// PutBalance writes account k's opening balance (bank setup, before the
// history starts).
func (c Client) PutBalance(ctx context.Context, k int, balance int64) error {
	_, err := c.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(c.Table),
		Item:      map[string]types.AttributeValue{PartitionKey: key(k), ValueAttr: num(balance)},
	})
	if err != nil {
		return fmt.Errorf("client: opening balance of account %d: %w", k, err)
	}
	return nil
}
