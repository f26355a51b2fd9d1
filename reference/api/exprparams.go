package api

import (
	"sort"
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/expr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// namedParam is a request member by its API name, present or not.
type namedParam struct {
	name    string
	present bool
}

// exprRequest is what every operation with expressions shares.
type exprRequest struct {
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]value.Wire
}

// params validates the expression parameters of a request and returns the
// Params to parse its expressions with. exprs are the request's expression
// members (ConditionExpression, ...), legacy its non-expression members
// (Expected, AttributeUpdates, ...), in DynamoDB's order of reporting.
func (r *exprRequest) params(exprs, legacy []namedParam) (*expr.Params, error) {
	var usedExprs, usedLegacy []string
	for _, e := range exprs {
		if e.present {
			usedExprs = append(usedExprs, e.name)
		}
	}
	for _, l := range legacy {
		if l.present {
			usedLegacy = append(usedLegacy, l.name)
		}
	}
	if len(usedExprs) > 0 && len(usedLegacy) > 0 {
		return nil, ddberr.Validationf("Can not use both expression and non-expression parameters in the same request: "+
			"Non-expression parameters: {%s} Expression parameters: {%s}", strings.Join(usedLegacy, ", "), strings.Join(usedExprs, ", "))
	}
	if r.ExpressionAttributeNames != nil && len(usedExprs) == 0 {
		return nil, ddberr.Validationf("ExpressionAttributeNames can only be specified when using expressions")
	}
	var valueExprs []string
	valueUsed := false
	for _, e := range exprs {
		if e.name == "ProjectionExpression" {
			continue
		}
		valueExprs = append(valueExprs, e.name)
		valueUsed = valueUsed || e.present
	}
	if r.ExpressionAttributeValues != nil && !valueUsed {
		verb := "is"
		if len(valueExprs) > 1 {
			verb = "are"
		}
		return nil, ddberr.Validationf("ExpressionAttributeValues can only be specified when using expressions: %s %s null",
			strings.Join(valueExprs, " and "), verb)
	}
	var values map[string]value.Value
	var convErr error
	if r.ExpressionAttributeValues != nil {
		values = make(map[string]value.Value, len(r.ExpressionAttributeValues))
		keys := make([]string, 0, len(r.ExpressionAttributeValues))
		for k := range r.ExpressionAttributeValues {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			w := r.ExpressionAttributeValues[k]
			v, err := w.ToValue()
			if err != nil && convErr == nil {
				msg := err.Error()
				if de, ok := err.(*ddberr.Error); ok {
					msg = de.Message
				}
				convErr = ddberr.Validationf("ExpressionAttributeValues contains invalid value: %s for key %s", msg, k)
			}
			values[k] = v
		}
	}
	p := expr.NewParams(r.ExpressionAttributeNames, values)
	if err := p.Validate(r.ExpressionAttributeNames != nil, r.ExpressionAttributeValues != nil); err != nil {
		return nil, err
	}
	if convErr != nil {
		return nil, convErr
	}
	return p, nil
}

func present(s *string) bool { return s != nil }
