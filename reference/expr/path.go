package expr

import (
	"strconv"
	"strings"

	"github.com/ddbkit/ddbkit/reference/value"
)

// MaxPathDepth is the deepest document path DynamoDB accepts: 32 levels,
// counting the top-level attribute.
const MaxPathDepth = 32

// PathElem is one step of a document path: a map key (Name) or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a resolved document path (expression attribute names already
// substituted): a top-level attribute name followed by map keys and list
// indexes, as in a.b[2].c.
type Path []PathElem

// Top returns the top-level attribute name of the path.
func (p Path) Top() string { return p[0].Name }

// String renders the path as DynamoDB's error messages do: "[a, b, [2], c]".
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.Name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Equal reports whether two paths are the same.
func (p Path) Equal(q Path) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// Get returns the value at the path in the item, and whether it exists. A
// step through a value of the wrong type (a key of a list, an index of a
// map or scalar) or past the end of a list means the value does not exist.
func (p Path) Get(item value.Item) (value.Value, bool) {
	v, ok := item[p[0].Name]
	if !ok {
		return value.Value{}, false
	}
	for _, e := range p[1:] {
		if v, ok = step(v, e); !ok {
			return value.Value{}, false
		}
	}
	return v, true
}

// step follows one path element from v.
func step(v value.Value, e PathElem) (value.Value, bool) {
	if e.IsIndex {
		if v.T != value.L || e.Index >= len(v.List) {
			return value.Value{}, false
		}
		return v.List[e.Index], true
	}
	if v.T != value.M {
		return value.Value{}, false
	}
	w, ok := v.Map[e.Name]
	return w, ok
}

// overlapCheck reports the DynamoDB error for two document paths of one
// expression that overlap (one is a prefix of the other) or conflict (one
// uses a key where the other uses an index), or "" when they are
// independent.
func overlapCheck(p, q Path) string {
	for i := 0; i < len(p) && i < len(q); i++ {
		if p[i].IsIndex != q[i].IsIndex {
			return "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
				p.String() + ", path two: " + q.String()
		}
		if p[i] != q[i] {
			return ""
		}
	}
	return "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
		p.String() + ", path two: " + q.String()
}

// checkPathSet returns the overlap/conflict error of the first pair (in
// order) of overlapping paths, checking overlaps before conflicts as
// DynamoDB does.
func checkPathSet(paths []Path) string {
	var conflict string
	for j := 1; j < len(paths); j++ {
		for i := 0; i < j; i++ {
			msg := overlapCheck(paths[i], paths[j])
			if msg == "" {
				continue
			}
			if strings.HasPrefix(msg, "Two document paths overlap") {
				return msg
			}
			if conflict == "" {
				conflict = msg
			}
		}
	}
	return conflict
}
