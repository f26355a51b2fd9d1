package expr

import (
	"strconv"
	"strings"

	"github.com/ddbkit/ddbkit/reference/value"
)

// The printer renders a parsed (or legacy-converted) tree back into
// expression text with its own ExpressionAttributeNames (#n0, #n1, ...) and
// ExpressionAttributeValues (:v0, :v1, ...). Parsing the text with those
// maps gives an equivalent tree, so a converted legacy request can travel
// (for example through a replicated log) as ordinary expression strings.

// printer accumulates the aliases of one rendering.
type printer struct {
	b      strings.Builder
	names  map[string]string
	values map[string]value.Value
	byName map[string]string
}

func newPrinter() *printer {
	return &printer{names: map[string]string{}, values: map[string]value.Value{}, byName: map[string]string{}}
}

func (p *printer) name(n string) string {
	if ref, ok := p.byName[n]; ok {
		return ref
	}
	ref := "#n" + strconv.Itoa(len(p.byName))
	p.byName[n] = ref
	p.names[ref] = n
	return ref
}

func (p *printer) value(v value.Value) string {
	ref := ":v" + strconv.Itoa(len(p.values))
	p.values[ref] = v
	return ref
}

func (p *printer) maps() (map[string]string, map[string]value.Value) {
	names, values := p.names, p.values
	if len(names) == 0 {
		names = nil
	}
	if len(values) == 0 {
		values = nil
	}
	return names, values
}

func (p *printer) path(path Path) {
	for i, e := range path {
		switch {
		case e.IsIndex:
			p.b.WriteByte('[')
			p.b.WriteString(strconv.Itoa(e.Index))
			p.b.WriteByte(']')
		case i > 0:
			p.b.WriteByte('.')
			p.b.WriteString(p.name(e.Name))
		default:
			p.b.WriteString(p.name(e.Name))
		}
	}
}

func (p *printer) operand(o *operand) {
	switch o.kind {
	case opPath:
		p.path(o.path)
	case opValue:
		p.b.WriteString(p.value(o.val))
	default:
		if o.fn == "+" || o.fn == "-" {
			p.operand(o.args[0])
			p.b.WriteString(" " + o.fn + " ")
			p.operand(o.args[1])
			return
		}
		p.b.WriteString(o.fn)
		p.b.WriteByte('(')
		for i, a := range o.args {
			if i > 0 {
				p.b.WriteString(", ")
			}
			p.operand(a)
		}
		p.b.WriteByte(')')
	}
}

func (p *printer) cond(c *cond) {
	switch c.kind {
	case cAnd, cOr:
		kw := " AND "
		if c.kind == cOr {
			kw = " OR "
		}
		p.kid(c.kids[0])
		p.b.WriteString(kw)
		p.kid(c.kids[1])
	case cNot:
		p.b.WriteString("NOT ")
		p.kid(c.kids[0])
	case cCmp:
		p.operand(c.args[0])
		p.b.WriteString(" " + c.op + " ")
		p.operand(c.args[1])
	case cBetween:
		p.operand(c.args[0])
		p.b.WriteString(" BETWEEN ")
		p.operand(c.args[1])
		p.b.WriteString(" AND ")
		p.operand(c.args[2])
	case cIn:
		p.operand(c.args[0])
		p.b.WriteString(" IN (")
		for i, a := range c.args[1:] {
			if i > 0 {
				p.b.WriteString(", ")
			}
			p.operand(a)
		}
		p.b.WriteByte(')')
	case cFunc:
		p.operand(c.call)
	}
}

// kid prints a sub-condition of AND, OR or NOT in one pair of parentheses,
// which keeps the tree's shape whatever the precedence.
func (p *printer) kid(c *cond) {
	p.b.WriteByte('(')
	p.cond(c)
	p.b.WriteByte(')')
}

// Expression renders the condition as expression text with its names and
// values. An always-true condition (an empty legacy Expected or filter)
// renders as "".
func (c *Condition) Expression() (string, map[string]string, map[string]value.Value) {
	if c.root == nil {
		return "", nil, nil
	}
	p := newPrinter()
	p.cond(c.root)
	names, values := p.maps()
	return p.b.String(), names, values
}

// Expression renders the update as UpdateExpression text with its names and
// values. A legacy ADD of a list becomes SET list_append(if_not_exists(...));
// the reparsed update reports type mismatches with the UpdateExpression
// wording rather than AttributeUpdates'.
func (u *Update) Expression() (string, map[string]string, map[string]value.Value) {
	p := newPrinter()
	var clauses [4][]string
	for _, a := range u.actions {
		kind := a.kind
		start := p.b.Len()
		p.path(a.target.path)
		switch {
		case kind == ActionSet:
			p.b.WriteString(" = ")
			p.operand(a.val)
		case u.legacy && kind == ActionAdd && a.val.val.T == value.L:
			kind = ActionSet
			target := p.b.String()[start:]
			p.b.WriteString(" = list_append(if_not_exists(" + target + ", " + p.value(value.List()) + "), ")
			p.operand(a.val)
			p.b.WriteByte(')')
		case kind == ActionAdd || kind == ActionDelete:
			p.b.WriteByte(' ')
			p.operand(a.val)
		}
		clauses[kind] = append(clauses[kind], p.b.String()[start:])
	}
	var out []string
	for k, acts := range clauses {
		if len(acts) > 0 {
			out = append(out, ActionKind(k).String()+" "+strings.Join(acts, ", "))
		}
	}
	names, values := p.maps()
	return strings.Join(out, " "), names, values
}

// Expression renders the projection as ProjectionExpression text with its
// names.
func (pr *Projection) Expression() (string, map[string]string) {
	p := newPrinter()
	for i, path := range pr.paths {
		if i > 0 {
			p.b.WriteString(", ")
		}
		p.path(path)
	}
	names, _ := p.maps()
	return p.b.String(), names
}
