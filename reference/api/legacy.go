package api

import (
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// The legacy (pre-expression) parameters older clients still send:
// Expected, ConditionalOperator, AttributeUpdates, AttributesToGet,
// KeyConditions, QueryFilter, ScanFilter. Source: Developer Guide, "Legacy
// conditional parameters". They are decoded here and converted by package
// expr into the same trees as expressions; write commands carry them in
// partition.Command so replicas rebuild the same tree.

// wireCondition is one entry of Expected, KeyConditions, QueryFilter or
// ScanFilter as sent on the wire.
type wireCondition struct {
	ComparisonOperator *string
	AttributeValueList []value.Wire
	Value              *value.Wire
	Exists             *bool
}

var comparisonOperators = []string{"EQ", "NE", "IN", "LE", "LT", "GE", "GT", "BETWEEN", "NOT_NULL", "NULL", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH"}

// legacyConditions validates and converts a wire condition map (nil stays
// nil). path is the member name in constraint messages (e.g. "expected").
func legacyConditions(c *constraints, path string, in map[string]wireCondition) (map[string]expr.LegacyCondition, error) {
	if in == nil {
		return nil, nil
	}
	for name, wc := range in {
		c.enum(path+"."+name+".member.comparisonOperator", wc.ComparisonOperator, comparisonOperators...)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	out := make(map[string]expr.LegacyCondition, len(in))
	for name, wc := range in {
		lc := expr.LegacyCondition{Exists: wc.Exists, HasValueList: wc.AttributeValueList != nil}
		if wc.ComparisonOperator != nil {
			lc.ComparisonOperator = *wc.ComparisonOperator
		}
		for _, w := range wc.AttributeValueList {
			v, err := w.ToValue()
			if err != nil {
				return nil, err
			}
			lc.AttributeValueList = append(lc.AttributeValueList, v)
		}
		if wc.Value != nil {
			v, err := wc.Value.ToValue()
			if err != nil {
				return nil, err
			}
			lc.Value = &v
		}
		out[name] = lc
	}
	return out, nil
}

// wireAttributeUpdate is one entry of AttributeUpdates.
type wireAttributeUpdate struct {
	Action *string
	Value  *value.Wire
}

func legacyUpdates(c *constraints, in map[string]wireAttributeUpdate) (map[string]expr.AttributeUpdate, error) {
	if in == nil {
		return nil, nil
	}
	for name, u := range in {
		c.enum("attributeUpdates."+name+".member.action", u.Action, "ADD", "PUT", "DELETE")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	out := make(map[string]expr.AttributeUpdate, len(in))
	for name, u := range in {
		au := expr.AttributeUpdate{}
		if u.Action != nil {
			au.Action = *u.Action
		}
		if u.Value != nil {
			v, err := u.Value.ToValue()
			if err != nil {
				return nil, err
			}
			au.Value = &v
		}
		out[name] = au
	}
	return out, nil
}

func condOp(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
