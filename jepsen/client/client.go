package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Client executes history operations against one table.
type Client struct {
	DB    *dynamodb.Client
	Table string
}

// Do executes the invocation inv and returns its completion (Type OK, Fail
// or Info, with the result of a read). The caller bounds the request with
// ctx's deadline; an expired deadline is an Info completion.
func (c Client) Do(ctx context.Context, inv history.Op) history.Op {
	out := inv
	out.Error = ""
	var err error
	switch inv.F {
	case history.Read, history.ReadEC:
		err = c.read(ctx, &out)
	case history.Write:
		_, err = c.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(c.Table),
			Item: map[string]types.AttributeValue{
				PartitionKey: key(inv.Key),
				ValueAttr:    num(*inv.Value),
			},
		})
	case history.CAS:
		_, err = c.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(c.Table),
			Key:                       map[string]types.AttributeValue{PartitionKey: key(inv.Key)},
			UpdateExpression:          aws.String("SET #v = :new"),
			ConditionExpression:       aws.String("#v = :old"),
			ExpressionAttributeNames:  map[string]string{"#v": ValueAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":new": num(*inv.Value), ":old": num(*inv.Expect)},
		})
	case history.Add:
		_, err = c.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(c.Table),
			Key:                       map[string]types.AttributeValue{PartitionKey: key(inv.Key)},
			UpdateExpression:          aws.String("ADD #s :e"),
			ExpressionAttributeNames:  map[string]string{"#s": SetAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":e": &types.AttributeValueMemberNS{Value: []string{strconv.FormatInt(*inv.Value, 10)}}},
		})
	case history.Incr:
		_, err = c.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(c.Table),
			Key:                       map[string]types.AttributeValue{PartitionKey: key(inv.Key)},
			UpdateExpression:          aws.String("ADD #v :d"),
			ExpressionAttributeNames:  map[string]string{"#v": ValueAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": num(*inv.Value)},
		})
	case history.Transfer, history.ReadAll, history.Txn:
		err = c.doTxn(ctx, &out)
		if err != nil {
			for i := range out.Txn {
				out.Txn[i].List, out.Txn[i].Value = nil, inv.Txn[i].Value
			}
		}
	default:
		err = fmt.Errorf("client: unknown operation %q", inv.F)
		out.Type = history.Fail
		out.Error = err.Error()
		return out
	}
	out.Type = history.Classify(err)
	if errors.Is(err, errNotSent) {
		out.Type = history.Fail
	}
	if err != nil {
		out.Error = err.Error()
	}
	return out
}

func (c Client) read(ctx context.Context, out *history.Op) error {
	res, err := c.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(c.Table),
		Key:            map[string]types.AttributeValue{PartitionKey: key(out.Key)},
		ConsistentRead: aws.Bool(out.F == history.Read),
	})
	out.Value, out.Values = nil, nil
	if err != nil {
		return err
	}
	if av, ok := res.Item[ValueAttr]; ok {
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			return fmt.Errorf("client: attribute %s is %T, want N", ValueAttr, av)
		}
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return fmt.Errorf("client: attribute %s: %w", ValueAttr, err)
		}
		out.Value = &v
	}
	if av, ok := res.Item[SetAttr]; ok {
		ns, ok := av.(*types.AttributeValueMemberNS)
		if !ok {
			return fmt.Errorf("client: attribute %s is %T, want NS", SetAttr, av)
		}
		out.Values = make([]int64, 0, len(ns.Value))
		for _, s := range ns.Value {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("client: attribute %s: %w", SetAttr, err)
			}
			out.Values = append(out.Values, v)
		}
		slices.Sort(out.Values)
	}
	return nil
}

// Key returns the partition key value of object k.
func Key(k int) string { return "k" + strconv.Itoa(k) }

func key(k int) types.AttributeValue { return &types.AttributeValueMemberS{Value: Key(k)} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
