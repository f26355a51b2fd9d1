package expr

import (
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// KeyOp is a key condition operator, named as the legacy ComparisonOperator.
type KeyOp string

// Key condition operators.
const (
	KeyEQ         KeyOp = "EQ"
	KeyLT         KeyOp = "LT"
	KeyLE         KeyOp = "LE"
	KeyGT         KeyOp = "GT"
	KeyGE         KeyOp = "GE"
	KeyBetween    KeyOp = "BETWEEN"
	KeyBeginsWith KeyOp = "BEGINS_WITH"
)

// KeyPart is the condition on one key attribute: Name Op Values (two values
// for BETWEEN, one otherwise).
type KeyPart struct {
	Name   string
	Op     KeyOp
	Values []value.Value
}

// KeyCondition is a parsed KeyConditionExpression: an equality on the
// partition key and optionally one condition on the sort key.
type KeyCondition struct {
	// Parts holds the conditions in expression order (one or two).
	Parts []KeyPart
	hash  *KeyPart
	rng   *KeyPart
}

// ParseKeyCondition parses a KeyConditionExpression: the condition grammar,
// restricted to AND of comparisons, BETWEEN and begins_with on top-level
// attributes against values.
func (ps *Params) ParseKeyCondition(s string) (*KeyCondition, error) {
	root, err := ps.parseConditionTree("Invalid KeyConditionExpression: ", s)
	if err != nil {
		return nil, err
	}
	k := &KeyCondition{}
	if msg := k.collect(root); msg != "" {
		return nil, ddberr.Validationf("%s", msg)
	}
	return k, k.checkParts()
}

// checkParts applies the checks DynamoDB makes on key conditions whether
// they came from KeyConditionExpression or KeyConditions: value types per
// operator, then one or two conditions.
func (k *KeyCondition) checkParts() error {
	for _, p := range k.Parts {
		if err := checkLegacyValues(string(p.Op), p.Values); err != nil {
			return err
		}
	}
	if len(k.Parts) != 1 && len(k.Parts) != 2 {
		return ddberr.Validationf("Conditions can be of length 1 or 2 only")
	}
	return nil
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
var cmpOps = map[string]KeyOp{"=": KeyEQ, "<": KeyLT, "<=": KeyLE, ">": KeyGT, ">=": KeyGE}

// collect checks one node and records its key condition, in DynamoDB's
// order of checks.
func (k *KeyCondition) collect(c *cond) string {
	const invalidOp = "Invalid operator used in KeyConditionExpression: "
	switch c.kind {
	case cOr:
		return invalidOp + "OR"
	case cNot:
		return invalidOp + "NOT"
	case cIn:
		return invalidOp + "IN"
	case cCmp:
		if c.op == "<>" {
			return invalidOp + "<>"
		}
	case cAnd:
		for _, kid := range c.kids {
			if m := k.collect(kid); m != "" {
				return m
			}
		}
		return ""
	case cFunc:
		switch c.call.fn {
		case "attribute_exists", "attribute_not_exists", "attribute_type", "contains":
			return invalidOp + c.call.fn
		case "size":
			return "KeyConditionExpressions cannot contain nested operations"
		}
	}
	args := c.args
	if c.kind == cFunc {
		args = c.call.args
	}
	if c.kind == cBetween && args[0].kind != opPath {
		return "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"
	}
	if c.kind == cFunc && args[0].kind != opPath {
		return "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"
	}
	attr, attrIx := "", -1
	for i, a := range args {
		switch a.kind {
		case opPath:
			if attrIx >= 0 {
				return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
			}
			if len(a.path) > 1 {
				return "KeyConditionExpressions cannot have conditions on nested attributes"
			}
			attr, attrIx = a.path[0].Name, i
		case opFunc:
			return "KeyConditionExpressions cannot contain nested operations"
		}
	}
	if attrIx < 0 {
		return "Invalid condition in KeyConditionExpression: No key attribute specified"
	}
	for _, p := range k.Parts {
		if p.Name == attr {
			return "KeyConditionExpressions must only contain one condition per key"
		}
	}
	part := KeyPart{Name: attr}
	switch c.kind {
	case cCmp:
		op := c.op
		if attrIx != 0 {
			op = flipped[op]
		}
		part.Op = cmpOps[op]
		part.Values = []value.Value{args[1-attrIx].val}
	case cBetween:
		part.Op = KeyBetween
		part.Values = []value.Value{args[1].val, args[2].val}
	default:
		part.Op = KeyBeginsWith
		part.Values = []value.Value{args[1].val}
	}
	k.Parts = append(k.Parts, part)
	return ""
}

// Validate checks the key condition against the key schema of the table or
// index being queried, with DynamoDB's messages. rangeKey is "" for a
// partition-key-only schema. On success Hash and Range are available.
func (k *KeyCondition) Validate(hashKey, rangeKey string) error {
	k.hash, k.rng = nil, nil
	for i := range k.Parts {
		switch k.Parts[i].Name {
		case hashKey:
			k.hash = &k.Parts[i]
		case rangeKey:
			if rangeKey != "" {
				k.rng = &k.Parts[i]
			}
		}
	}
	if rangeKey == "" && len(k.Parts) > 1 {
		return ddberr.Validationf("Query key condition not supported")
	}
	if k.hash == nil {
		return ddberr.Validationf("Query condition missed key schema element: %s", hashKey)
	}
	if !k.hash.Op.indexable() {
		return ddberr.Validationf("Attempted conditional constraint is not an indexable operation")
	}
	if k.hash.Op != KeyEQ {
		return ddberr.Validationf("Query key condition not supported")
	}
	if k.rng == nil {
		if len(k.Parts) > 1 {
			return ddberr.Validationf("Query condition missed key schema element: %s", rangeKey)
		}
		return nil
	}
	if !k.rng.Op.indexable() {
		return ddberr.Validationf("Attempted conditional constraint is not an indexable operation")
	}
	return nil
}

// indexable reports whether a key condition operator can be answered from
// the key order. Legacy KeyConditions may carry NULL, NOT_NULL, NE,
// CONTAINS, NOT_CONTAINS or IN, which cannot.
func (o KeyOp) indexable() bool {
	switch o {
	case KeyEQ, KeyLT, KeyLE, KeyGT, KeyGE, KeyBetween, KeyBeginsWith:
		return true
	}
	return false
}

// ValidateTypes checks that the condition's values have the key
// attributes' types (call after Validate).
func (k *KeyCondition) ValidateTypes(hashType, rangeType value.Type) error {
	check := func(p *KeyPart, t value.Type) error {
		if p == nil {
			return nil
		}
		for _, v := range p.Values {
			if v.T != t {
				return ddberr.Invalid("Condition parameter type does not match schema type")
			}
		}
		if p.Op == KeyBeginsWith && t == value.N {
			return ddberr.Validationf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
		}
		return nil
	}
	if err := check(k.hash, hashType); err != nil {
		return err
	}
	return check(k.rng, rangeType)
}

// Hash returns the partition key value (after Validate).
func (k *KeyCondition) Hash() value.Value { return k.hash.Values[0] }

// Range returns the sort key condition, or nil (after Validate).
func (k *KeyCondition) Range() *KeyPart { return k.rng }

// Match reports whether a sort key value satisfies the sort key condition
// (true when there is none).
func (k *KeyCondition) Match(sortKey value.Value) bool {
	return k.rng.Match(sortKey)
}

// Match reports whether v satisfies the part's condition.
func (p *KeyPart) Match(v value.Value) bool {
	if p == nil {
		return true
	}
	if p.Op == KeyBeginsWith {
		switch {
		case v.T == value.S && p.Values[0].T == value.S:
			return strings.HasPrefix(v.Str, p.Values[0].Str)
		case v.T == value.B && p.Values[0].T == value.B:
			return strings.HasPrefix(string(v.Bin), string(p.Values[0].Bin))
		}
		return false
	}
	c, ok := value.Compare(v, p.Values[0])
	if !ok {
		return false
	}
	switch p.Op {
	case KeyEQ:
		return c == 0
	case KeyLT:
		return c < 0
	case KeyLE:
		return c <= 0
	case KeyGT:
		return c > 0
	case KeyGE:
		return c >= 0
	case KeyBetween:
		c2, ok := value.Compare(v, p.Values[1])
		return ok && c >= 0 && c2 <= 0
	}
	return false
}
