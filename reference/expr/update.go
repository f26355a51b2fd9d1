package expr

import (
	"strconv"
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// ActionKind is the clause an update action belongs to.
type ActionKind uint8

const (
	ActionSet ActionKind = iota
	ActionRemove
	ActionAdd
	ActionDelete
)

var actionNames = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

func (k ActionKind) String() string { return actionNames[k] }

// action is one update action: SET path = val, REMOVE path, ADD path :v,
// DELETE path :v.
type action struct {
	kind   ActionKind
	target *operand
	val    *operand // SET: value expression ("+"/"-" are opFunc); ADD/DELETE: :value
}

// Update is a parsed UpdateExpression.
type Update struct {
	actions []action
	// legacy marks an update converted from AttributeUpdates: ADD also
	// appends to lists and type errors use the legacy message.
	legacy bool
}

var updateKeywords = []string{"SET", "REMOVE", "ADD", "DELETE"}

// ParseUpdate parses an UpdateExpression.
func (ps *Params) ParseUpdate(s string) (*Update, error) {
	const prefix = "Invalid UpdateExpression: "
	if err := checkSize(prefix, s); err != nil {
		return nil, err
	}
	p := newParser(s, updateKeywords)
	u := &Update{}
	var sections []ActionKind
	err := p.parse(prefix, func() {
		for {
			k, ok := p.sectionKeyword()
			if !ok {
				p.fail()
			}
			sections = append(sections, k)
			for {
				u.actions = append(u.actions, p.updateAction(k))
				if !p.peek().is(",") {
					break
				}
				p.i++
			}
			if p.peek().kind == tEOF {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	e := errs{}
	if p.redundant >= 0 {
		e.add(catParens, "The expression has redundant parentheses;")
	}
	seen := map[ActionKind]bool{}
	for _, k := range sections {
		if seen[k] {
			e.add(catSection, "The \""+k.String()+"\" section can only be used once in an update expression;")
		}
		seen[k] = true
	}
	paths := make([]Path, 0, len(u.actions))
	for _, a := range u.actions {
		ps.checkUpdateOperand(a.target, e, false)
		paths = append(paths, a.target.path)
		if a.val == nil {
			continue
		}
		ps.checkUpdateOperand(a.val, e, false)
		if a.kind == ActionAdd || a.kind == ActionDelete {
			t := a.val.val.T
			if name, bad := operatorTypeNames[t]; bad && !(a.kind == ActionAdd && t == value.N) {
				e.add(catOperand, "Incorrect operand type for operator or function; operator: "+a.kind.String()+", operand type: "+name)
			}
		}
	}
	if e.first(catName, catValue) == "" {
		e.add(catOverlap, checkPathSet(paths))
	}
	if m := e.first(catParens, catLimits, catReserved, catUnknown, catSection, catName, catValue, catOverlap, catOperand, catFunction); m != "" {
		return nil, ddberr.Validationf("%s%s", prefix, m)
	}
	return u, nil
}

// operatorTypeNames are the types ADD and DELETE name in their operand type
// errors; sets are absent because they are valid operands of both.
var operatorTypeNames = map[value.Type]string{
	value.S: "STRING", value.N: "NUMBER", value.B: "BINARY", value.NULL: "NULL",
	value.BOOL: "BOOLEAN", value.L: "LIST", value.M: "MAP",
}

func (p *parser) sectionKeyword() (ActionKind, bool) {
	t := p.peek()
	for i, k := range updateKeywords {
		if t.is(k) {
			p.i++
			return ActionKind(i), true
		}
	}
	return 0, false
}

func (p *parser) updateAction(k ActionKind) action {
	target := p.path()
	switch k {
	case ActionSet:
		p.expect("=")
		return action{kind: k, target: target, val: p.setValue()}
	case ActionAdd, ActionDelete:
		t := p.peek()
		if t.kind != tValue {
			p.fail()
		}
		p.i++
		return action{kind: k, target: target, val: &operand{kind: opValue, ref: t.text}}
	}
	return action{kind: k, target: target}
}

// setValue parses operand [('+'|'-') operand], optionally in parentheses.
func (p *parser) setValue() *operand {
	if p.peek().is("(") {
		if j := p.match[p.i]; j >= 0 && !p.toks[j+1].is("+") && !p.toks[j+1].is("-") {
			at := p.i
			p.i++
			o := p.arith()
			p.expect(")")
			p.markParens(&o.parens, at)
			if o.kind == opPath && (p.peek().is(".") || p.peek().is("[")) {
				p.pathTail(o)
				o.parens = 0
			}
			return o
		}
	}
	return p.arith()
}

func (p *parser) arith() *operand {
	a := p.operand()
	if t := p.peek(); t.is("+") || t.is("-") {
		p.i++
		return &operand{kind: opFunc, fn: t.text, args: []*operand{a, p.operand()}}
	}
	return a
}

// Functions of update expressions and their arity (+ and - are binary
// operators represented as functions).
var updateFuncs = map[string]int{"if_not_exists": 2, "list_append": 2, "+": 2, "-": 2}

// checkUpdateOperand resolves and checks an operand of an update action.
// inListAppend is true directly inside list_append.
func (ps *Params) checkUpdateOperand(o *operand, e errs, inListAppend bool) {
	switch o.kind {
	case opPath:
		ps.resolvePath(o, e, catName)
		return
	case opValue:
		ps.resolveValue(o, e, catValue)
		return
	}
	arity, known := updateFuncs[o.fn]
	if !known {
		if _, isCond := conditionFuncs[o.fn]; isCond {
			e.add(catUnknown, "The function is not allowed in an update expression; function: "+o.fn)
		} else {
			e.add(catUnknown, "Invalid function name; function: "+o.fn)
		}
	}
	if inListAppend && o.fn == "list_append" {
		e.add(catFunction, misused(o.fn))
	}
	for _, a := range o.args {
		ps.checkUpdateOperand(a, e, o.fn == "list_append")
	}
	if !known {
		return
	}
	if len(o.args) != arity {
		e.add(catFunction, "Incorrect number of operands for operator or function; operator or function: "+o.fn+", number of operands: "+strconv.Itoa(len(o.args)))
		return
	}
	switch o.fn {
	case "if_not_exists":
		if o.args[0].kind != opPath {
			e.add(catFunction, "Operator or function requires a document path; operator or function: "+o.fn)
		}
	case "list_append", "+", "-":
		want := value.L
		if o.fn != "list_append" {
			want = value.N
		}
		for _, a := range o.args {
			if t := immediateType(a); t != value.TypeNone && t != want {
				e.add(catFunction, operandType(o.fn, t))
			}
		}
	}
}

// Paths returns the document paths the update sets, removes, adds to or
// deletes from, in expression order.
func (u *Update) Paths() []Path {
	out := make([]Path, len(u.actions))
	for i, a := range u.actions {
		out[i] = a.target.path
	}
	return out
}

// Action is the exported view of one update action, for callers that need
// to inspect an update (for example to check key attributes).
type Action struct {
	Kind ActionKind
	Path Path
}

// Actions lists the update's actions in expression order.
func (u *Update) Actions() []Action {
	out := make([]Action, len(u.actions))
	for i, a := range u.actions {
		out[i] = Action{Kind: a.kind, Path: a.target.path}
	}
	return out
}

// String renders the update in a canonical form, mainly for tests and logs.
func (u *Update) String() string {
	var b strings.Builder
	for i, a := range u.actions {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(a.kind.String())
		b.WriteByte(' ')
		b.WriteString(a.target.path.String())
	}
	return b.String()
}
