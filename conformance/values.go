package conformance

import (
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Short constructors for attribute values, so specs read like DynamoDB's
// JSON: item("pk", S("a"), "n", N("1")).
type av = types.AttributeValue

func S(v string) av        { return &types.AttributeValueMemberS{Value: v} }
func N(v string) av        { return &types.AttributeValueMemberN{Value: v} }
func B(v []byte) av        { return &types.AttributeValueMemberB{Value: v} }
func BOOL(v bool) av       { return &types.AttributeValueMemberBOOL{Value: v} }
func NULL() av             { return &types.AttributeValueMemberNULL{Value: true} }
func SS(v ...string) av    { return &types.AttributeValueMemberSS{Value: v} }
func NS(v ...string) av    { return &types.AttributeValueMemberNS{Value: v} }
func BS(v ...[]byte) av    { return &types.AttributeValueMemberBS{Value: v} }
func L(v ...av) av         { return &types.AttributeValueMemberL{Value: v} }
func M(m map[string]av) av { return &types.AttributeValueMemberM{Value: m} }
func item(kv ...any) map[string]av {
	out := make(map[string]av, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v, _ := kv[i+1].(av) // nil stays nil: "absent" in expectations
		out[kv[i].(string)] = v
	}
	return out
}

// plain turns an attribute value into comparable Go data: sets become
// sorted slices (DynamoDB does not promise an order for set members), so
// gomega's Equal compares values, not wire order.
func plain(v av) any {
	switch t := v.(type) {
	case nil:
		return nil
	case *types.AttributeValueMemberS:
		return map[string]any{"S": t.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": t.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": string(t.Value)}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": t.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": t.Value}
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), t.Value...)
		sort.Strings(s)
		return map[string]any{"SS": s}
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), t.Value...)
		sort.Strings(s)
		return map[string]any{"NS": s}
	case *types.AttributeValueMemberBS:
		s := make([]string, len(t.Value))
		for i, b := range t.Value {
			s[i] = string(b)
		}
		sort.Strings(s)
		return map[string]any{"BS": s}
	case *types.AttributeValueMemberL:
		l := make([]any, len(t.Value))
		for i, e := range t.Value {
			l[i] = plain(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": plainItem(t.Value)}
	default:
		return fmt.Sprintf("unknown %T", v)
	}
}

// plainItem is plain for a whole item; a nil item stays nil so "no item"
// differs from an empty one.
func plainItem(m map[string]av) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plain(v)
	}
	return out
}

func plainItems(items []map[string]av) []map[string]any {
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = plainItem(it)
	}
	return out
}

func nullValue(b bool) types.AttributeValueMemberNULL {
	return types.AttributeValueMemberNULL{Value: b}
}
