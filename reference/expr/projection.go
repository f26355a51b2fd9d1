package expr

import (
	"sort"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Projection is a parsed ProjectionExpression: a list of document paths.
type Projection struct {
	paths []Path
	tree  *pnode
}

// ParseProjection parses a ProjectionExpression: paths separated by commas.
func (ps *Params) ParseProjection(s string) (*Projection, error) {
	const prefix = "Invalid ProjectionExpression: "
	if err := checkSize(prefix, s); err != nil {
		return nil, err
	}
	p := newParser(s, nil)
	var ops []*operand
	err := p.parse(prefix, func() {
		ops = append(ops, p.path())
		for p.peek().is(",") {
			p.i++
			ops = append(ops, p.path())
		}
	})
	if err != nil {
		return nil, err
	}
	e := errs{}
	paths := make([]Path, len(ops))
	for i, o := range ops {
		ps.resolvePath(o, e, catName)
		paths[i] = o.path
	}
	if e.first(catName) == "" {
		e.add(catOverlap, checkPathSet(paths))
	}
	if m := e.first(catLimits, catReserved, catName, catOverlap); m != "" {
		return nil, ddberr.Validationf("%s%s", prefix, m)
	}
	return &Projection{paths: paths, tree: projectionTree(paths)}, nil
}

// Paths returns the projected paths in expression order.
func (p *Projection) Paths() []Path { return p.paths }

// Apply returns the projection of item: the requested paths that exist,
// in the item's structure (elements picked from a list keep their relative
// order and are packed together). A nil item gives nil.
func (p *Projection) Apply(item value.Item) value.Item {
	if item == nil {
		return nil
	}
	return projectItem(item, p.tree)
}

// ProjectPaths projects item onto paths (for example the key attributes
// plus AttributesToGet).
func ProjectPaths(item value.Item, paths []Path) value.Item {
	if item == nil {
		return nil
	}
	return projectItem(item, projectionTree(paths))
}

// pnode is a node of the tree of projected paths.
type pnode struct {
	all  bool // the whole value at this node is projected
	keys map[string]*pnode
	idx  map[int]*pnode
}

func projectionTree(paths []Path) *pnode {
	root := &pnode{}
	for _, p := range paths {
		n := root
		for _, e := range p {
			if n.all {
				break
			}
			var next *pnode
			if e.IsIndex {
				if n.idx == nil {
					n.idx = map[int]*pnode{}
				}
				if next = n.idx[e.Index]; next == nil {
					next = &pnode{}
					n.idx[e.Index] = next
				}
			} else {
				if n.keys == nil {
					n.keys = map[string]*pnode{}
				}
				if next = n.keys[e.Name]; next == nil {
					next = &pnode{}
					n.keys[e.Name] = next
				}
			}
			n = next
		}
		n.all = true
	}
	return root
}

func projectItem(item value.Item, root *pnode) value.Item {
	out := value.Item{}
	for name, n := range root.keys {
		v, ok := item[name]
		if !ok {
			continue
		}
		if pv, ok := project(v, n); ok {
			out[name] = pv
		}
	}
	return out
}

// project returns the part of v selected by n, and false when nothing of
// it is selected.
func project(v value.Value, n *pnode) (value.Value, bool) {
	if n.all {
		return v, true
	}
	switch v.T {
	case value.M:
		m := map[string]value.Value{}
		for k, c := range n.keys {
			if x, ok := v.Map[k]; ok {
				if px, ok := project(x, c); ok {
					m[k] = px
				}
			}
		}
		if len(m) == 0 {
			return value.Value{}, false
		}
		return value.Map(m), true
	case value.L:
		idx := make([]int, 0, len(n.idx))
		for i := range n.idx {
			if i < len(v.List) {
				idx = append(idx, i)
			}
		}
		sort.Ints(idx)
		var l []value.Value
		for _, i := range idx {
			if px, ok := project(v.List[i], n.idx[i]); ok {
				l = append(l, px)
			}
		}
		if len(l) == 0 {
			return value.Value{}, false
		}
		return value.List(l...), true
	}
	return value.Value{}, false
}
