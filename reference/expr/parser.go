package expr

import (
	"strconv"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// The parsers are hand-written recursive descent over the tokens of lex.
// They only check syntax and build an unresolved tree; a second pass per
// language (check*) resolves #names and :values and applies DynamoDB's
// semantic rules, so that the order in which errors are reported can follow
// DynamoDB's (syntax first, then a fixed order of error categories).

// syntaxError is raised (by panic, recovered in parse) at token index at.
type syntaxError struct{ at int }

// parser holds the token stream of one expression.
type parser struct {
	src  string
	toks []token
	i    int
	// keywords of the language being parsed: these are never names.
	keywords []string
	// redundant is the first "redundant parentheses" position, or -1.
	redundant int
	// match[i] is the index of the ")" matching the "(" at token i, or -1.
	match []int
}

func newParser(src string, keywords []string) *parser {
	p := &parser{src: src, toks: lex(src), keywords: keywords, redundant: -1}
	p.match = make([]int, len(p.toks))
	var open []int
	for i, t := range p.toks {
		p.match[i] = -1
		switch {
		case t.is("("):
			open = append(open, i)
		case t.is(")") && len(open) > 0:
			p.match[open[len(open)-1]] = i
			open = open[:len(open)-1]
		}
	}
	return p
}

// MaxExpressionSize is the longest expression DynamoDB accepts, in bytes.
const MaxExpressionSize = 4096

// checkSize returns DynamoDB's errors for an empty or oversized expression.
func checkSize(prefix, s string) error {
	if s == "" {
		return ddberr.Validationf("%sThe expression can not be empty;", prefix)
	}
	if len(s) > MaxExpressionSize {
		return ddberr.Validationf("%sExpression size has exceeded the maximum allowed size; expression size: %d", prefix, len(s))
	}
	return nil
}

func (p *parser) peek() token        { return p.toks[p.i] }
func (p *parser) peekAt(n int) token { return p.toks[min(p.i+n, len(p.toks)-1)] }
func (p *parser) fail()              { panic(syntaxError{p.i}) }

func (p *parser) expect(s string) {
	if !p.peek().is(s) {
		p.fail()
	}
	p.i++
}

func (p *parser) isKeyword(t token) bool {
	if t.kind != tIdent {
		return false
	}
	for _, k := range p.keywords {
		if t.is(k) {
			return true
		}
	}
	return false
}

// syntaxErr formats DynamoDB's syntax error for the token at index at: the
// token, and the source from the start of the previous token to the end of
// the next one.
func (p *parser) syntaxErr(prefix string, at int) error {
	t := p.toks[at]
	from, to := t.start, t.end
	if at > 0 {
		from = p.toks[at-1].start
	}
	if at+1 < len(p.toks) {
		to = p.toks[at+1].end
	}
	return ddberr.Validationf("%sSyntax error; token: \"%s\", near: \"%s\"", prefix, t.display(), p.src[from:to])
}

// parse runs the grammar function and converts a syntax panic into the
// error DynamoDB sends.
func (p *parser) parse(prefix string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			err = p.syntaxErr(prefix, se.at)
		}
	}()
	f()
	if p.peek().kind != tEOF {
		p.fail()
	}
	return nil
}

// operandKind says what an operand is.
type operandKind uint8

const (
	opPath  operandKind = iota // a document path in the item
	opValue                    // an expression attribute value
	opFunc                     // a function call
)

// rawElem is a path element before #name resolution.
type rawElem struct {
	tok     token // tIdent or tName for keys
	index   string
	isIndex bool
}

// operand is a value-producing node: a path, a :value or a function call.
type operand struct {
	kind operandKind
	raw  []rawElem // opPath, unresolved
	path Path      // opPath, resolved by check
	ref  string    // opValue: ":name"
	val  value.Value
	fn   string     // opFunc: the function name, case-sensitive
	args []*operand // opFunc
	// parens counts the parentheses directly around this operand.
	parens int
}

// markParens records one more pair of parentheses around a node that already
// has parens: DynamoDB rejects "((x))" as redundant.
func (p *parser) markParens(n *int, at int) {
	if *n > 0 && p.redundant < 0 {
		p.redundant = at
	}
	*n++
}

// operand parses: '(' operand ')' | :value | name '(' args ')' | path.
func (p *parser) operand() *operand {
	t := p.peek()
	switch {
	case t.is("("):
		at := p.i
		p.i++
		o := p.operand()
		p.expect(")")
		p.markParens(&o.parens, at)
		if o.kind == opPath && (p.peek().is(".") || p.peek().is("[")) {
			p.pathTail(o)
			o.parens = 0
		}
		return o
	case t.kind == tValue:
		p.i++
		return &operand{kind: opValue, ref: t.text}
	case t.kind == tIdent && !p.isKeyword(t) && p.peekAt(1).is("("):
		p.i += 2
		o := &operand{kind: opFunc, fn: t.text}
		o.args = append(o.args, p.operand())
		for p.peek().is(",") {
			p.i++
			o.args = append(o.args, p.operand())
		}
		p.expect(")")
		return o
	}
	return p.path()
}

// path parses name ('.' name | '[' digits ']')*.
func (p *parser) path() *operand {
	o := &operand{kind: opPath}
	o.raw = append(o.raw, p.pathName())
	p.pathTail(o)
	return o
}

func (p *parser) pathName() rawElem {
	t := p.peek()
	if !(t.kind == tName || t.kind == tIdent && !p.isKeyword(t)) {
		p.fail()
	}
	p.i++
	return rawElem{tok: t}
}

func (p *parser) pathTail(o *operand) {
	for {
		switch {
		case p.peek().is("."):
			p.i++
			o.raw = append(o.raw, p.pathName())
		case p.peek().is("["):
			p.i++
			t := p.peek()
			if t.kind != tNumber {
				p.fail()
			}
			p.i++
			p.expect("]")
			o.raw = append(o.raw, rawElem{index: t.text, isIndex: true})
		default:
			return
		}
	}
}

// errs collects the first error of each category while a parsed tree is
// checked; report returns the one DynamoDB reports first.
type errs map[string]string

func (e errs) add(cat, msg string) {
	if _, ok := e[cat]; !ok && msg != "" {
		e[cat] = msg
	}
}

func (e errs) first(order ...string) string {
	for _, c := range order {
		if m, ok := e[c]; ok {
			return m
		}
	}
	return ""
}

// Error categories.
const (
	catParens   = "parens"
	catLimits   = "limits"
	catUnknown  = "unknownFunction"
	catMisused  = "misusedFunction"
	catReserved = "reserved"
	catSection  = "section"
	catName     = "name"
	catValue    = "value"
	catOverlap  = "overlap"
	catOperand  = "operand"
	catDistinct = "distinct"
	catFunction = "function"
)

// resolvePath resolves #names of a path operand and checks reserved words,
// list index range and nesting depth. nameCat is where an undefined name is
// reported.
func (ps *Params) resolvePath(o *operand, e errs, nameCat string) {
	if len(o.raw) > MaxPathDepth {
		e.add(catLimits, "The document path has too many nesting levels; nesting levels: "+strconv.Itoa(len(o.raw)))
	}
	o.path = make(Path, 0, len(o.raw))
	for _, r := range o.raw {
		switch {
		case r.isIndex:
			n, err := strconv.ParseInt(r.index, 10, 32)
			if err != nil {
				e.add(catLimits, "List index is not within the allowable range; index: ["+r.index+"]")
			}
			o.path = append(o.path, PathElem{Index: int(n), IsIndex: true})
		case r.tok.kind == tName:
			n, ok := ps.name(r.tok.text)
			if !ok {
				e.add(nameCat, "An expression attribute name used in the document path is not defined; attribute name: "+r.tok.text)
			}
			o.path = append(o.path, PathElem{Name: n})
		default:
			if isReserved(r.tok.text) {
				e.add(catReserved, "Attribute name is a reserved keyword; reserved keyword: "+r.tok.text)
			}
			o.path = append(o.path, PathElem{Name: r.tok.text})
		}
	}
}

// resolveValue looks up a :value operand.
func (ps *Params) resolveValue(o *operand, e errs, valCat string) {
	v, ok := ps.value(o.ref)
	if !ok {
		e.add(valCat, "An expression attribute value used in expression is not defined; attribute value: "+o.ref)
	}
	o.val = v
}

func isReserved(name string) bool {
	_, ok := reservedWords[upper(name)]
	return ok
}

// upper is an allocation-light ASCII upper-casing (names are ASCII).
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// staticType is the type of an operand known at parse time: the type of a
// :value, N for size(), the second argument's type for if_not_exists, L for
// list_append; TypeNone when it depends on the item.
func staticType(o *operand) value.Type {
	switch o.kind {
	case opValue:
		return o.val.T
	case opFunc:
		switch o.fn {
		case "size", "+", "-":
			return value.N
		case "list_append":
			return value.L
		case "if_not_exists":
			if len(o.args) == 2 {
				return staticType(o.args[1])
			}
		}
	}
	return value.TypeNone
}

// immediateType is the type of a :value operand, TypeNone for anything else.
func immediateType(o *operand) value.Type {
	if o.kind == opValue {
		return o.val.T
	}
	return value.TypeNone
}
