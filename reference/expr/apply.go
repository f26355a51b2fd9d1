package expr

import (
	"bytes"
	"sort"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Errors of applying an update to an item.
const (
	errMissingAttr = "The provided expression refers to an attribute that does not exist in the item"
	errBadOperand  = "An operand in the update expression has an incorrect data type"
	errBadPath     = "The document path provided in the update expression is invalid for update"
)

// Apply applies the update to item (nil when the item does not exist) and
// returns the new item. The input is never modified: changed maps and lists
// are copied along the updated paths, unchanged values are shared.
//
// Order, as DynamoDB behaves: every SET right-hand side is evaluated against
// the item as it was before the update; SETs are applied (several new
// elements past the end of one list are appended in index order), then ADD
// and DELETE, then REMOVE, whose list indexes refer to the original list.
func (u *Update) Apply(item value.Item) (value.Item, error) {
	exists := item != nil
	type setOp struct {
		path Path
		v    value.Value
	}
	var sets []setOp
	var others, removes []action
	for _, a := range u.actions {
		switch a.kind {
		case ActionSet:
			v, err := evalUpdate(a.val, item)
			if err != nil {
				return nil, err
			}
			sets = append(sets, setOp{a.target.path, v})
		case ActionRemove:
			removes = append(removes, a)
		default:
			others = append(others, a)
		}
	}
	// Decide each REMOVE against the original item.
	var doRemove []Path
	for _, a := range removes {
		p := a.target.path
		if !exists || len(p) == 1 {
			if exists {
				doRemove = append(doRemove, p)
			}
			continue
		}
		parent, ok := p[:len(p)-1].Get(item)
		last := p[len(p)-1]
		switch {
		case !ok, last.IsIndex && parent.T != value.L, !last.IsIndex && parent.T != value.M:
			return nil, ddberr.Validationf("%s", errBadPath)
		case last.IsIndex && last.Index >= len(parent.List):
			// past the end of the original list: nothing to remove
		default:
			doRemove = append(doRemove, p)
		}
	}
	out := make(value.Item, len(item)+len(sets))
	for k, v := range item {
		out[k] = v
	}
	sort.SliceStable(sets, func(i, j int) bool { return pathLess(sets[i].path, sets[j].path, false) })
	for _, s := range sets {
		if err := setAt(out, s.path, s.v); err != nil {
			return nil, err
		}
	}
	for _, a := range others {
		if err := addOrDelete(out, a, u.legacy); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(doRemove, func(i, j int) bool { return pathLess(doRemove[i], doRemove[j], true) })
	for _, p := range doRemove {
		removeAt(out, p)
	}
	return out, nil
}

// pathLess orders paths element by element; list indexes ascending, or
// descending when desc is set (so that removals do not shift the indexes
// of later removals).
func pathLess(a, b Path, desc bool) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x.IsIndex && y.IsIndex {
			if desc {
				return x.Index > y.Index
			}
			return x.Index < y.Index
		}
		if x.IsIndex != y.IsIndex {
			return x.IsIndex
		}
		return x.Name < y.Name
	}
	return len(a) < len(b)
}

// evalUpdate evaluates a SET right-hand side against the original item.
func evalUpdate(o *operand, item value.Item) (value.Value, error) {
	switch o.kind {
	case opValue:
		return o.val, nil
	case opPath:
		if v, ok := o.path.Get(item); ok {
			return v, nil
		}
		return value.Value{}, ddberr.Validationf("%s", errMissingAttr)
	}
	switch o.fn {
	case "if_not_exists":
		if v, ok := o.args[0].path.Get(item); ok {
			return v, nil
		}
		return evalUpdate(o.args[1], item)
	case "list_append":
		a, err := evalUpdate(o.args[0], item)
		if err != nil {
			return value.Value{}, err
		}
		b, err := evalUpdate(o.args[1], item)
		if err != nil {
			return value.Value{}, err
		}
		if a.T != value.L || b.T != value.L {
			return value.Value{}, ddberr.Validationf("%s", errBadOperand)
		}
		l := make([]value.Value, 0, len(a.List)+len(b.List))
		l = append(append(l, a.List...), b.List...)
		return value.List(l...), nil
	case "+", "-":
		a, err := evalUpdate(o.args[0], item)
		if err != nil {
			return value.Value{}, err
		}
		b, err := evalUpdate(o.args[1], item)
		if err != nil {
			return value.Value{}, err
		}
		if a.T != value.N || b.T != value.N {
			return value.Value{}, ddberr.Validationf("%s", errBadOperand)
		}
		s, err := value.AddNumbers(a.Str, b.Str, o.fn == "-")
		if err != nil {
			return value.Value{}, err
		}
		return value.Value{T: value.N, Str: s}, nil
	}
	return value.Value{}, ddberr.Validationf("Invalid UpdateExpression: Invalid function name; function: %s", o.fn)
}

// setAt sets the value at path in item, copying containers along the way.
// Setting a list index past the end appends.
func setAt(item value.Item, p Path, v value.Value) error {
	if len(p) == 1 {
		item[p[0].Name] = v
		return nil
	}
	top, ok := item[p[0].Name]
	if !ok {
		return ddberr.Validationf("%s", errBadPath)
	}
	nv, err := setIn(top, p[1:], v)
	if err != nil {
		return err
	}
	item[p[0].Name] = nv
	return nil
}

func setIn(cur value.Value, rest Path, v value.Value) (value.Value, error) {
	e := rest[0]
	if e.IsIndex {
		if cur.T != value.L {
			return value.Value{}, ddberr.Validationf("%s", errBadPath)
		}
		l := append([]value.Value(nil), cur.List...)
		if len(rest) == 1 {
			if e.Index < len(l) {
				l[e.Index] = v
			} else {
				l = append(l, v)
			}
			return value.List(l...), nil
		}
		if e.Index >= len(l) {
			return value.Value{}, ddberr.Validationf("%s", errBadPath)
		}
		child, err := setIn(l[e.Index], rest[1:], v)
		if err != nil {
			return value.Value{}, err
		}
		l[e.Index] = child
		return value.List(l...), nil
	}
	if cur.T != value.M {
		return value.Value{}, ddberr.Validationf("%s", errBadPath)
	}
	m := make(map[string]value.Value, len(cur.Map)+1)
	for k, x := range cur.Map {
		m[k] = x
	}
	if len(rest) == 1 {
		m[e.Name] = v
		return value.Map(m), nil
	}
	child, ok := cur.Map[e.Name]
	if !ok {
		return value.Value{}, ddberr.Validationf("%s", errBadPath)
	}
	nc, err := setIn(child, rest[1:], v)
	if err != nil {
		return value.Value{}, err
	}
	m[e.Name] = nc
	return value.Map(m), nil
}

// removeAt removes the value at path (already checked to exist or to be a
// harmless no-op), copying containers along the way.
func removeAt(item value.Item, p Path) {
	if len(p) == 1 {
		delete(item, p[0].Name)
		return
	}
	top, ok := item[p[0].Name]
	if !ok {
		return
	}
	item[p[0].Name] = removeIn(top, p[1:])
}

func removeIn(cur value.Value, rest Path) value.Value {
	e := rest[0]
	if e.IsIndex {
		if cur.T != value.L || e.Index >= len(cur.List) {
			return cur
		}
		if len(rest) == 1 {
			l := make([]value.Value, 0, len(cur.List)-1)
			l = append(append(l, cur.List[:e.Index]...), cur.List[e.Index+1:]...)
			return value.List(l...)
		}
		l := append([]value.Value(nil), cur.List...)
		l[e.Index] = removeIn(l[e.Index], rest[1:])
		return value.List(l...)
	}
	child, ok := cur.Map[e.Name]
	if cur.T != value.M || !ok {
		return cur
	}
	m := make(map[string]value.Value, len(cur.Map))
	for k, x := range cur.Map {
		m[k] = x
	}
	if len(rest) == 1 {
		delete(m, e.Name)
	} else {
		m[e.Name] = removeIn(child, rest[1:])
	}
	return value.Map(m)
}

// addOrDelete applies an ADD (number addition or set union) or DELETE (set
// difference) action.
func addOrDelete(item value.Item, a action, legacy bool) error {
	p := a.target.path
	arg := a.val.val
	cur, exists := p.Get(item)
	badOperand := errBadOperand
	if legacy {
		badOperand = "Type mismatch for attribute to update"
		if exists && a.kind == ActionAdd && cur.T == value.L && arg.T == value.L {
			l := make([]value.Value, 0, len(cur.List)+len(arg.List))
			return setAt(item, p, value.List(append(append(l, cur.List...), arg.List...)...))
		}
	}
	if !exists {
		if a.kind == ActionDelete {
			if len(p) > 1 {
				if _, ok := p[:len(p)-1].Get(item); !ok {
					return ddberr.Validationf("%s", errBadPath)
				}
			}
			return nil
		}
		return setAt(item, p, arg)
	}
	if a.kind == ActionAdd && cur.T == value.N && arg.T == value.N {
		s, err := value.AddNumbers(cur.Str, arg.Str, false)
		if err != nil {
			return err
		}
		return setAt(item, p, value.Value{T: value.N, Str: s})
	}
	if !cur.T.IsSet() || cur.T != arg.T {
		return ddberr.Validationf("%s", badOperand)
	}
	var nv value.Value
	if a.kind == ActionAdd {
		nv = setUnion(cur, arg)
	} else {
		nv = setMinus(cur, arg)
		if len(nv.Strs) == 0 && len(nv.Bins) == 0 {
			removeAt(item, p)
			return nil
		}
	}
	return setAt(item, p, nv)
}

// setUnion returns a's elements followed by b's elements not in a.
func setUnion(a, b value.Value) value.Value {
	out := value.Value{T: a.T}
	if a.T == value.BS {
		out.Bins = append([][]byte(nil), a.Bins...)
		for _, x := range b.Bins {
			if !containsBin(a.Bins, x) {
				out.Bins = append(out.Bins, x)
			}
		}
		return out
	}
	out.Strs = append([]string(nil), a.Strs...)
	seen := make(map[string]bool, len(a.Strs))
	for _, x := range a.Strs {
		seen[x] = true
	}
	for _, x := range b.Strs {
		if !seen[x] {
			seen[x] = true
			out.Strs = append(out.Strs, x)
		}
	}
	return out
}

// setMinus returns a's elements that are not in b, in a's order.
func setMinus(a, b value.Value) value.Value {
	out := value.Value{T: a.T}
	if a.T == value.BS {
		for _, x := range a.Bins {
			if !containsBin(b.Bins, x) {
				out.Bins = append(out.Bins, x)
			}
		}
		return out
	}
	drop := make(map[string]bool, len(b.Strs))
	for _, x := range b.Strs {
		drop[x] = true
	}
	for _, x := range a.Strs {
		if !drop[x] {
			out.Strs = append(out.Strs, x)
		}
	}
	return out
}

func containsBin(l [][]byte, b []byte) bool {
	for _, x := range l {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}
