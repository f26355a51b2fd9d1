package expr

import (
	"encoding/base64"
	"strconv"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// MaxInOperands is the most operands IN accepts, counting the left one.
const MaxInOperands = 100

// condKind is the kind of a condition node.
type condKind uint8

const (
	cAnd condKind = iota
	cOr
	cNot
	cCmp     // = <> < <= > >=
	cBetween // args: x, lo, hi
	cIn      // args: x, candidates...
	cFunc    // call: attribute_exists, attribute_not_exists, attribute_type, begins_with, contains
)

// cond is a node of a condition tree.
type cond struct {
	kind   condKind
	op     string // cCmp comparator
	kids   []*cond
	args   []*operand
	call   *operand
	parens int
}

// Condition is a parsed ConditionExpression or FilterExpression (or the
// condition tree of a KeyConditionExpression).
type Condition struct {
	root *cond
}

var conditionKeywords = []string{"AND", "OR", "NOT", "BETWEEN", "IN"}

// ParseCondition parses a ConditionExpression.
func (ps *Params) ParseCondition(s string) (*Condition, error) {
	return ps.parseCondition("Invalid ConditionExpression: ", s)
}

// ParseFilter parses a FilterExpression (same language, different prefix).
func (ps *Params) ParseFilter(s string) (*Condition, error) {
	return ps.parseCondition("Invalid FilterExpression: ", s)
}

func (ps *Params) parseCondition(prefix, s string) (*Condition, error) {
	root, err := ps.parseConditionTree(prefix, s)
	if err != nil {
		return nil, err
	}
	return &Condition{root: root}, nil
}

func (ps *Params) parseConditionTree(prefix, s string) (*cond, error) {
	if err := checkSize(prefix, s); err != nil {
		return nil, err
	}
	p := newParser(s, conditionKeywords)
	var root *cond
	if err := p.parse(prefix, func() { root = p.or() }); err != nil {
		return nil, err
	}
	e := errs{}
	if p.redundant >= 0 {
		e.add(catParens, "The expression has redundant parentheses;")
	}
	if root.kind == cFunc && root.call.fn == "size" {
		e.add(catMisused, misused("size"))
	}
	leafErr := ""
	ps.checkCond(root, e, &leafErr)
	if m := e.first(catParens, catLimits, catUnknown, catMisused, catReserved); m != "" {
		return nil, ddberr.Validationf("%s%s", prefix, m)
	}
	if leafErr != "" {
		return nil, ddberr.Validationf("%s%s", prefix, leafErr)
	}
	return root, nil
}

// or parses: and (OR and)*.
func (p *parser) or() *cond {
	c := p.and()
	for p.peek().is("OR") {
		p.i++
		c = &cond{kind: cOr, kids: []*cond{c, p.and()}}
	}
	return c
}

// and parses: not (AND not)*.
func (p *parser) and() *cond {
	c := p.not()
	for p.peek().is("AND") {
		p.i++
		c = &cond{kind: cAnd, kids: []*cond{c, p.not()}}
	}
	return c
}

// not parses: NOT not | primary.
func (p *parser) not() *cond {
	if p.peek().is("NOT") {
		p.i++
		return &cond{kind: cNot, kids: []*cond{p.not()}}
	}
	return p.primary()
}

func (p *parser) atComparisonAt(i int) bool {
	t := p.toks[min(i, len(p.toks)-1)]
	if t.kind == tPunct {
		switch t.text {
		case "=", "<>", "<", "<=", ">", ">=":
			return true
		}
	}
	return t.is("BETWEEN") || t.is("IN")
}

// primary parses a parenthesised condition, a comparison, BETWEEN, IN or a
// function-call condition. "(" is ambiguous between a parenthesised
// condition and a parenthesised operand: it is an operand exactly when the
// token after its matching ")" is a comparator, BETWEEN or IN. Deciding by
// this lookahead (matching parentheses are precomputed by the lexer pass)
// keeps parsing linear, with no backtracking.
func (p *parser) primary() *cond {
	if p.peek().is("(") {
		if j := p.match[p.i]; j >= 0 && p.atComparisonAt(j+1) {
			return p.comparison()
		}
		at := p.i
		p.i++
		c := p.or()
		p.expect(")")
		p.markParens(&c.parens, at)
		return c
	}
	return p.comparison()
}

func (p *parser) comparison() *cond {
	a := p.operand()
	t := p.peek()
	switch {
	case t.kind == tPunct && (t.text == "=" || t.text == "<>" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.i++
		return &cond{kind: cCmp, op: t.text, args: []*operand{a, p.operand()}}
	case t.is("BETWEEN"):
		p.i++
		lo := p.operand()
		p.expect("AND")
		return &cond{kind: cBetween, args: []*operand{a, lo, p.operand()}}
	case t.is("IN"):
		p.i++
		p.expect("(")
		c := &cond{kind: cIn, args: []*operand{a, p.operand()}}
		for p.peek().is(",") {
			p.i++
			c.args = append(c.args, p.operand())
		}
		p.expect(")")
		return c
	case a.kind == opFunc:
		return &cond{kind: cFunc, call: a}
	}
	p.fail()
	return nil
}

// Function arities in conditions.
var conditionFuncs = map[string]int{
	"attribute_exists":     1,
	"attribute_not_exists": 1,
	"attribute_type":       2,
	"begins_with":          2,
	"contains":             2,
	"size":                 1,
}

func misused(fn string) string {
	return "The function is not allowed to be used this way in an expression; function: " + fn
}

// checkCond walks the tree in source order. Whole-expression categories go to
// e; the first leaf condition with an error of its own (names/values,
// operand count, distinct operands, operand types) sets *leafErr, in that
// priority, as DynamoDB reports them per condition.
func (ps *Params) checkCond(c *cond, e errs, leafErr *string) {
	switch c.kind {
	case cAnd, cOr, cNot:
		for _, k := range c.kids {
			if k.kind == cFunc && k.call.fn == "size" {
				e.add(catMisused, misused("size"))
			}
			ps.checkCond(k, e, leafErr)
		}
		return
	}
	leaf := errs{}
	var ops []*operand
	switch c.kind {
	case cFunc:
		ops = []*operand{c.call}
	default:
		ops = c.args
		for _, o := range c.args {
			if o.kind == opFunc && o.fn != "size" {
				e.add(catMisused, misusedIn(o.fn))
			}
		}
	}
	for _, o := range ops {
		ps.checkOperand(o, e, leaf)
	}
	switch c.kind {
	case cCmp:
		leaf.add(catDistinct, distinct(c.op, c.args[0], c.args[1]))
		for _, o := range c.args {
			if t := immediateType(o); t != value.TypeNone && !t.IsScalarKeyType() && c.op != "=" && c.op != "<>" {
				leaf.add(catFunction, operandType(c.op, t))
			}
		}
	case cBetween:
		for _, o := range c.args {
			if t := immediateType(o); t != value.TypeNone && !t.IsScalarKeyType() {
				leaf.add(catFunction, operandType("BETWEEN", t))
			}
		}
		leaf.add(catFunction, betweenBounds(c.args[1], c.args[2]))
	case cIn:
		if len(c.args) > MaxInOperands {
			leaf.add(catOperand, "Incorrect number of operands for operator or function; operator or function: IN, number of operands: "+strconv.Itoa(len(c.args)))
		}
	}
	if *leafErr == "" {
		*leafErr = leaf.first(catName, catOperand, catDistinct, catFunction)
	}
}

func misusedIn(fn string) string {
	if fn == "if_not_exists" || fn == "list_append" {
		return "The function is not allowed in a condition expression; function: " + fn
	}
	return misused(fn)
}

func operandType(fn string, t value.Type) string {
	return "Incorrect operand type for operator or function; operator or function: " + fn + ", operand type: " + t.String()
}

// checkOperand resolves an operand and checks function calls inside it.
func (ps *Params) checkOperand(o *operand, e, leaf errs) {
	switch o.kind {
	case opPath:
		ps.resolvePath(o, leaf, catName)
		if m, ok := leaf[catReserved]; ok {
			e.add(catReserved, m)
			delete(leaf, catReserved)
		}
		if m, ok := leaf[catLimits]; ok {
			e.add(catLimits, m)
			delete(leaf, catLimits)
		}
		return
	case opValue:
		ps.resolveValue(o, leaf, catName)
		return
	}
	arity, known := conditionFuncs[o.fn]
	if !known {
		if o.fn == "if_not_exists" || o.fn == "list_append" {
			e.add(catMisused, misusedIn(o.fn))
		} else {
			e.add(catUnknown, "Invalid function name; function: "+o.fn)
		}
	}
	for _, a := range o.args {
		if a.kind == opFunc && a.fn != "size" {
			e.add(catMisused, misusedIn(a.fn))
		}
		ps.checkOperand(a, e, leaf)
	}
	if !known {
		return
	}
	if len(o.args) != arity {
		leaf.add(catOperand, "Incorrect number of operands for operator or function; operator or function: "+o.fn+", number of operands: "+strconv.Itoa(len(o.args)))
		return
	}
	if arity == 2 {
		leaf.add(catDistinct, distinct(o.fn, o.args[0], o.args[1]))
	}
	switch o.fn {
	case "attribute_exists", "attribute_not_exists":
		if o.args[0].kind != opPath {
			leaf.add(catFunction, "Operator or function requires a document path; operator or function: "+o.fn)
		}
	case "begins_with":
		for _, a := range o.args {
			if t := staticType(a); t != value.TypeNone && t != value.S && t != value.B {
				leaf.add(catFunction, operandType(o.fn, t))
			}
		}
	case "attribute_type":
		t := staticType(o.args[1])
		switch {
		case t == value.TypeNone:
			leaf.add(catFunction, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
		case t != value.S:
			leaf.add(catFunction, operandType(o.fn, t))
		case o.args[1].kind == opValue && value.ParseType(o.args[1].val.Str) == value.TypeNone:
			leaf.add(catFunction, "Invalid attribute type name found; type: "+o.args[1].val.Str+", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
		}
	case "size":
		if t := staticType(o.args[0]); t == value.N || t == value.BOOL || t == value.NULL {
			leaf.add(catFunction, operandType(o.fn, t))
		}
	}
}

// distinct returns DynamoDB's error when both operands are the same path.
func distinct(op string, a, b *operand) string {
	if a.kind == opPath && b.kind == opPath && a.path.Equal(b.path) {
		return "The first operand must be distinct from the remaining operands for this operator or function; operator: " + op + ", first operand: " + a.path.String()
	}
	return ""
}

// betweenBounds checks constant BETWEEN bounds: same type, lower <= upper.
func betweenBounds(lo, hi *operand) string {
	if lo.kind != opValue || hi.kind != opValue || !lo.val.T.IsScalarKeyType() || !hi.val.T.IsScalarKeyType() {
		return ""
	}
	bounds := "lower bound operand: AttributeValue: {" + avText(lo.val) + "}, upper bound operand: AttributeValue: {" + avText(hi.val) + "}"
	if lo.val.T != hi.val.T {
		return "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds
	}
	if c, _ := value.Compare(lo.val, hi.val); c > 0 {
		return "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds
	}
	return ""
}

// avText renders a scalar as DynamoDB's messages do: "S:abc", "N:1".
func avText(v value.Value) string {
	switch v.T {
	case value.B:
		return "B:" + base64.StdEncoding.EncodeToString(v.Bin)
	}
	return v.T.String() + ":" + v.Str
}
