package expr

import (
	"sort"
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Legacy parameters (Developer Guide, "Legacy conditional parameters"):
// Expected + ConditionalOperator, QueryFilter / ScanFilter, KeyConditions,
// AttributeUpdates and AttributesToGet are converted into the same trees as
// the expression languages, so the engine has one evaluator. Where the
// legacy semantics differ (NOT_CONTAINS is false for a missing attribute,
// AttributeUpdates' ADD appends to lists), the conversion builds the tree
// that has the legacy meaning.
//
// Request maps are unordered in Go, so conditions are combined, and their
// errors reported, in sorted attribute-name order.

// LegacyCondition is one entry of Expected, QueryFilter, ScanFilter or
// KeyConditions. Value and Exists are used only by Expected.
type LegacyCondition struct {
	ComparisonOperator string // "" when absent
	AttributeValueList []value.Value
	HasValueList       bool // AttributeValueList was present (even empty)
	Value              *value.Value
	Exists             *bool
}

// legacyArity is the number of AttributeValueList elements per operator:
// -1 means one or more.
var legacyArity = map[string]int{
	"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1,
	"NOT_NULL": 0, "NULL": 0, "CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1,
	"IN": -1, "BETWEEN": 2,
}

// legacyTypes are the value types each operator accepts.
var legacyTypes = map[string]string{
	"EQ": "S N B SS NS BS", "NE": "S N B SS NS BS",
	"LE": "S N B", "LT": "S N B", "GE": "S N B", "GT": "S N B",
	"CONTAINS": "S N B", "NOT_CONTAINS": "S N B", "BEGINS_WITH": "S B",
	"IN": "S N B", "BETWEEN": "S N B",
}

// checkLegacyValues validates an operator and its values.
func checkLegacyValues(op string, vals []value.Value) error {
	arity, ok := legacyArity[op]
	if !ok {
		return ddberr.Validationf("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op)
	}
	if arity >= 0 && len(vals) != arity || arity < 0 && len(vals) == 0 {
		return ddberr.Invalid("Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	for _, v := range vals[min(1, len(vals)):] {
		if v.T != vals[0].T {
			return ddberr.Invalid("AttributeValues inside AttributeValueList must be of same type")
		}
	}
	for _, v := range vals {
		if !strings.Contains(" "+legacyTypes[op]+" ", " "+v.T.String()+" ") {
			return ddberr.Invalid("ComparisonOperator %s is not valid for %s AttributeValue type", op, v.T)
		}
	}
	if op == "BETWEEN" {
		if c, _ := value.Compare(vals[0], vals[1]); c > 0 {
			return ddberr.Validationf("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return nil
}

func pathOperand(name string) *operand {
	return &operand{kind: opPath, path: Path{{Name: name}}}
}

func valueOperand(v value.Value) *operand { return &operand{kind: opValue, val: v} }

func call(fn string, args ...*operand) *cond {
	return &cond{kind: cFunc, call: &operand{kind: opFunc, fn: fn, args: args}}
}

// legacyCond builds the tree of "attr op vals".
func legacyCond(attr, op string, vals []value.Value) *cond {
	p := pathOperand(attr)
	args := []*operand{p}
	for _, v := range vals {
		args = append(args, valueOperand(v))
	}
	switch op {
	case "EQ", "NE", "LE", "LT", "GE", "GT":
		sym := map[string]string{"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}[op]
		return &cond{kind: cCmp, op: sym, args: args}
	case "NOT_NULL":
		return call("attribute_exists", p)
	case "NULL":
		return call("attribute_not_exists", p)
	case "CONTAINS":
		return call("contains", args...)
	case "NOT_CONTAINS":
		return &cond{kind: cAnd, kids: []*cond{call("attribute_exists", p), {kind: cNot, kids: []*cond{call("contains", args...)}}}}
	case "BEGINS_WITH":
		return call("begins_with", args...)
	case "IN":
		return &cond{kind: cIn, args: args}
	default: // BETWEEN
		return &cond{kind: cBetween, args: args}
	}
}

// combine joins conditions with AND (default) or OR.
func combine(conds []*cond, conditionalOperator string) (*Condition, error) {
	kind := cAnd
	switch conditionalOperator {
	case "", "AND":
	case "OR":
		kind = cOr
	default:
		return nil, ddberr.Validationf("1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]", conditionalOperator)
	}
	var root *cond
	for _, c := range conds {
		if root == nil {
			root = c
		} else {
			root = &cond{kind: kind, kids: []*cond{root, c}}
		}
	}
	return &Condition{root: root}, nil
}

func sortedConditionKeys(m map[string]LegacyCondition) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ExpectedToCondition converts Expected and ConditionalOperator. An empty
// Expected gives a condition that is always true.
func ExpectedToCondition(expected map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	var conds []*cond
	for _, attr := range sortedConditionKeys(expected) {
		c := expected[attr]
		if c.HasValueList && c.Value != nil {
			return nil, ddberr.Invalid("Value and AttributeValueList cannot be used together for Attribute: %s", attr)
		}
		if c.ComparisonOperator != "" {
			if c.Exists != nil {
				return nil, ddberr.Invalid("Exists and ComparisonOperator cannot be used together for Attribute: %s", attr)
			}
			op := c.ComparisonOperator
			if op != "NULL" && op != "NOT_NULL" && !c.HasValueList && c.Value == nil {
				return nil, ddberr.Invalid("Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", op, attr)
			}
			vals := c.AttributeValueList
			if c.Value != nil {
				vals = []value.Value{*c.Value}
			}
			if err := checkLegacyValues(op, vals); err != nil {
				return nil, err
			}
			conds = append(conds, legacyCond(attr, op, vals))
			continue
		}
		if c.HasValueList {
			return nil, ddberr.Invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", attr)
		}
		exists := c.Exists == nil || *c.Exists
		switch {
		case exists && c.Value == nil:
			state := "null"
			if c.Exists != nil {
				state = "true"
			}
			return nil, ddberr.Invalid("Value must be provided when Exists is %s for Attribute: %s", state, attr)
		case !exists && c.Value != nil:
			return nil, ddberr.Invalid("Value cannot be used when Exists is false for Attribute: %s", attr)
		case exists:
			conds = append(conds, legacyCond(attr, "EQ", []value.Value{*c.Value}))
		default:
			conds = append(conds, legacyCond(attr, "NULL", nil))
		}
	}
	return combine(conds, conditionalOperator)
}

// FilterToCondition converts QueryFilter or ScanFilter and
// ConditionalOperator.
func FilterToCondition(filter map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	var conds []*cond
	for _, attr := range sortedConditionKeys(filter) {
		c := filter[attr]
		if err := checkLegacyValues(c.ComparisonOperator, c.AttributeValueList); err != nil {
			return nil, err
		}
		conds = append(conds, legacyCond(attr, c.ComparisonOperator, c.AttributeValueList))
	}
	return combine(conds, conditionalOperator)
}

// KeyConditionsToKeyCondition converts the legacy KeyConditions. Operators
// that cannot be used on keys are reported by Validate, as DynamoDB checks
// them against the key schema.
func KeyConditionsToKeyCondition(conds map[string]LegacyCondition) (*KeyCondition, error) {
	k := &KeyCondition{}
	for _, attr := range sortedConditionKeys(conds) {
		c := conds[attr]
		k.Parts = append(k.Parts, KeyPart{Name: attr, Op: KeyOp(c.ComparisonOperator), Values: c.AttributeValueList})
	}
	return k, k.checkParts()
}

// AttributesToGetToProjection converts AttributesToGet (top-level names).
func AttributesToGetToProjection(names []string) (*Projection, error) {
	seen := make(map[string]bool, len(names))
	paths := make([]Path, 0, len(names))
	for _, nm := range names {
		if seen[nm] {
			return nil, ddberr.Invalid("Duplicate value in attribute name: %s", nm)
		}
		seen[nm] = true
		paths = append(paths, Path{{Name: nm}})
	}
	return &Projection{paths: paths, tree: projectionTree(paths)}, nil
}

// AttributeUpdate is one entry of the legacy AttributeUpdates.
type AttributeUpdate struct {
	Action string // PUT (default), ADD or DELETE
	Value  *value.Value
}

// AttributeUpdatesToUpdate converts AttributeUpdates. PUT is SET, DELETE
// without a value is REMOVE, DELETE with a set removes elements, ADD adds
// to a number or set or appends to a list (unlike UpdateExpression's ADD).
func AttributeUpdatesToUpdate(updates map[string]AttributeUpdate) (*Update, error) {
	keys := make([]string, 0, len(updates))
	for k := range updates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	u := &Update{legacy: true}
	for _, attr := range keys {
		up := updates[attr]
		act := up.Action
		if act == "" {
			act = "PUT"
		}
		if up.Value == nil && act != "DELETE" {
			return nil, ddberr.Invalid("Only DELETE action is allowed when no attribute value is specified")
		}
		target := pathOperand(attr)
		switch act {
		case "PUT":
			u.actions = append(u.actions, action{kind: ActionSet, target: target, val: valueOperand(*up.Value)})
		case "DELETE":
			if up.Value == nil {
				u.actions = append(u.actions, action{kind: ActionRemove, target: target})
				continue
			}
			if !up.Value.T.IsSet() {
				return nil, ddberr.Invalid("DELETE action with value is not supported for the type %s", up.Value.T)
			}
			u.actions = append(u.actions, action{kind: ActionDelete, target: target, val: valueOperand(*up.Value)})
		case "ADD":
			if t := up.Value.T; t != value.N && t != value.L && !t.IsSet() {
				return nil, ddberr.Invalid("ADD action is not supported for the type %s", t)
			}
			u.actions = append(u.actions, action{kind: ActionAdd, target: target, val: valueOperand(*up.Value)})
		default:
			return nil, ddberr.Validationf("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", act, attr)
		}
	}
	return u, nil
}
