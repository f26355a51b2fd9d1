package expr

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/value"
)

// The model: a scalar is a number (held in tenths, as an int64), a string or
// a binary. It is compared with plain Go operators, independently of
// package value's apd-based ordering, so the property checks the engine's
// evaluation against an obviously-correct interpretation.

type mscalar struct {
	t   value.Type // N, S or B
	ten int64      // N: value*10
	str string     // S, B
}

// text renders a tenths number in one of several equivalent spellings, so
// that the engine must compare numerically, not textually.
func numberText(t *rapid.T, ten int64, label string) string {
	neg := ten < 0
	if neg {
		ten = -ten
	}
	sign := ""
	if neg {
		sign = "-"
	}
	whole, frac := ten/10, ten%10
	var txt string
	switch rapid.IntRange(0, 3).Draw(t, label) {
	case 0:
		txt = fmt.Sprintf("%d.%d", whole, frac)
	case 1:
		txt = fmt.Sprintf("%de-1", ten)
	case 2:
		txt = fmt.Sprintf("%d.%d0", whole, frac)
	default:
		txt = fmt.Sprintf("0%d.%d", whole, frac)
	}
	return sign + txt
}

func drawScalar(t *rapid.T, label string) (mscalar, value.Value) {
	switch rapid.IntRange(0, 2).Draw(t, label+"type") {
	case 0:
		ten := rapid.Int64Range(-4, 4).Draw(t, label+"n")
		return mscalar{t: value.N, ten: ten}, value.Num(numberText(t, ten, label+"fmt"))
	case 1:
		str := rapid.StringMatching(`[ab]{0,2}`).Draw(t, label+"s")
		return mscalar{t: value.S, str: str}, value.Str(str)
	default:
		str := rapid.StringMatching(`[\x00\x7f\x80\xff]{0,2}`).Draw(t, label+"b")
		// StringMatching yields UTF-8; map runes to bytes to get raw binaries.
		var raw []byte
		for _, r := range str {
			raw = append(raw, byte(r))
		}
		return mscalar{t: value.B, str: string(raw)}, value.Bin(raw)
	}
}

func mcompare(a, b mscalar) (int, bool) {
	if a.t != b.t {
		return 0, false
	}
	switch a.t {
	case value.N:
		switch {
		case a.ten < b.ten:
			return -1, true
		case a.ten > b.ten:
			return 1, true
		}
		return 0, true
	case value.S:
		return strings.Compare(a.str, b.str), true
	}
	return bytes.Compare([]byte(a.str), []byte(b.str)), true
}

// mitem is the model item: attribute name to scalar (absent = missing).
type mitem map[string]mscalar

var attrNames = []string{"a0", "a1", "a2", "a3"}

// genCond draws a random condition and returns its text and its model.
type condGen struct {
	t      *rapid.T
	values map[string]value.Value
	model  map[string]mscalar
}

// operand returns an operand text and a function giving its model value.
func (g *condGen) operand(label string) (string, func(mitem) (mscalar, bool)) {
	if rapid.Bool().Draw(g.t, label+"isPath") {
		name := rapid.SampledFrom(attrNames).Draw(g.t, label+"path")
		return name, func(it mitem) (mscalar, bool) { v, ok := it[name]; return v, ok }
	}
	k := ":v" + strconv.Itoa(len(g.values))
	ms, v := drawScalar(g.t, label)
	g.values[k] = v
	return k, func(mitem) (mscalar, bool) { return ms, true }
}

func (g *condGen) cond(depth int) (string, func(mitem) bool) {
	kind := rapid.IntRange(0, 8).Draw(g.t, "kind")
	if depth <= 0 && kind >= 6 {
		kind %= 6
	}
	switch kind {
	case 0, 1: // comparison
		op := rapid.SampledFrom([]string{"=", "<>", "<", "<=", ">", ">="}).Draw(g.t, "op")
		at, a := g.operand("l")
		bt, b := g.operand("r")
		if at == bt {
			// DynamoDB rejects identical path operands; compare with an
			// attribute that never exists instead.
			return at + " " + op + " " + at + "x", func(mitem) bool { return op == "<>" }
		}
		return at + " " + op + " " + bt, func(it mitem) bool {
			x, xok := a(it)
			y, yok := b(it)
			if op == "<>" {
				c, ok := mcompare(x, y)
				return !(xok && yok && ok && c == 0)
			}
			if !xok || !yok {
				return false
			}
			c, ok := mcompare(x, y)
			if !ok {
				return false
			}
			switch op {
			case "=":
				return c == 0
			case "<":
				return c < 0
			case "<=":
				return c <= 0
			case ">":
				return c > 0
			}
			return c >= 0
		}
	case 2: // BETWEEN with item bounds (constant bounds must be ordered)
		xt, x := g.operand("x")
		lo := rapid.SampledFrom(attrNames).Draw(g.t, "lo")
		hi := rapid.SampledFrom(attrNames).Draw(g.t, "hi")
		return xt + " BETWEEN " + lo + " AND " + hi, func(it mitem) bool {
			v, ok := x(it)
			l, lok := it[lo]
			h, hok := it[hi]
			if !ok || !lok || !hok {
				return false
			}
			c1, ok1 := mcompare(l, v)
			c2, ok2 := mcompare(v, h)
			return ok1 && ok2 && c1 <= 0 && c2 <= 0
		}
	case 3: // IN
		xt, x := g.operand("x")
		cnt := rapid.IntRange(1, 4).Draw(g.t, "in")
		var texts []string
		var fs []func(mitem) (mscalar, bool)
		for i := 0; i < cnt; i++ {
			t, f := g.operand("c")
			texts = append(texts, t)
			fs = append(fs, f)
		}
		return xt + " IN (" + strings.Join(texts, ", ") + ")", func(it mitem) bool {
			v, ok := x(it)
			if !ok {
				return false
			}
			for _, f := range fs {
				if w, ok := f(it); ok {
					if c, ok := mcompare(v, w); ok && c == 0 {
						return true
					}
				}
			}
			return false
		}
	case 4: // attribute_exists / attribute_not_exists
		name := rapid.SampledFrom(attrNames).Draw(g.t, "exists")
		if rapid.Bool().Draw(g.t, "not") {
			return "attribute_not_exists(" + name + ")", func(it mitem) bool { _, ok := it[name]; return !ok }
		}
		return "attribute_exists(" + name + ")", func(it mitem) bool { _, ok := it[name]; return ok }
	case 5: // begins_with on strings
		name := rapid.SampledFrom(attrNames).Draw(g.t, "bw")
		pre := rapid.StringMatching(`[ab]{0,2}`).Draw(g.t, "prefix")
		k := ":v" + strconv.Itoa(len(g.values))
		g.values[k] = value.Str(pre)
		return "begins_with(" + name + ", " + k + ")", func(it mitem) bool {
			v, ok := it[name]
			return ok && v.t == value.S && strings.HasPrefix(v.str, pre)
		}
	case 6:
		x, fx := g.cond(depth - 1)
		y, fy := g.cond(depth - 1)
		return "(" + x + ") AND (" + y + ")", func(it mitem) bool { return fx(it) && fy(it) }
	case 7:
		x, fx := g.cond(depth - 1)
		y, fy := g.cond(depth - 1)
		return x + " OR " + y, func(it mitem) bool { return fx(it) || fy(it) }
	default:
		x, fx := g.cond(depth - 1)
		return "NOT (" + x + ")", func(it mitem) bool { return !fx(it) }
	}
}

func drawItem(t *rapid.T) (mitem, value.Item) {
	mi, vi := mitem{}, value.Item{}
	for _, name := range attrNames {
		if rapid.IntRange(0, 3).Draw(t, name+"present") == 0 {
			continue
		}
		ms, v := drawScalar(t, name)
		mi[name], vi[name] = ms, v
	}
	return mi, vi
}

// TestConditionMatchesModel: random items and random condition trees give
// the same result as a direct Go evaluation of the same condition.
func TestConditionMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := &condGen{t: t, values: map[string]value.Value{}}
		src, model := g.cond(3)
		if len(g.values) == 0 {
			g.values = nil
		}
		c, err := NewParams(nil, g.values).ParseCondition(src)
		if err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
		// Several items per condition: cheap, and it makes rare cases
		// (equal operands, missing attributes) likely within 100 checks.
		for range 20 {
			mi, vi := drawItem(t)
			got, err := c.Eval(vi)
			if err != nil {
				t.Fatal(err)
			}
			if want := model(mi); got != want {
				t.Fatalf("%q on %v: got %v, model %v", src, vi, got, want)
			}
			if again, _ := c.Eval(vi); again != got {
				t.Fatalf("evaluation is not deterministic")
			}
		}
	})
}

// TestPrintRoundTrip: a printed condition parses back (with the printer's
// names and values, all of them used) to a condition that evaluates the
// same, and printing is stable.
func TestPrintRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := &condGen{t: t, values: map[string]value.Value{}}
		src, _ := g.cond(3)
		c, err := NewParams(nil, g.values).ParseCondition(src)
		if err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
		text, names, values := c.Expression()
		p2 := NewParams(names, values)
		c2, err := p2.ParseCondition(text)
		if err != nil {
			t.Fatalf("%q printed as %q: %v", src, text, err)
		}
		if err := p2.CheckUnused(); err != nil {
			t.Fatalf("%q printed as %q: %v", src, text, err)
		}
		if again, _, _ := c2.Expression(); again != text {
			t.Fatalf("printing is not stable: %q then %q", text, again)
		}
		for range 10 {
			_, vi := drawItem(t)
			a, _ := c.Eval(vi)
			b, _ := c2.Eval(vi)
			if a != b {
				t.Fatalf("%q = %v on %v, printed %q = %v", src, a, vi, text, b)
			}
		}
	})
}

// TestUpdateMatchesModel: random SET/REMOVE/ADD/DELETE actions on top-level
// attributes of a random item agree with a model map: the result, or
// whether the update fails.
func TestUpdateMatchesModel(t *testing.T) {
	type mval struct {
		num bool
		ten int64
		set map[string]bool // string set
		str string
	}
	rapid.Check(t, func(t *rapid.T) {
		names := []string{"u0", "u1", "u2", "u3", "u4", "u5"}
		old := map[string]mval{}
		it := value.Item{}
		for _, nm := range names {
			switch rapid.IntRange(0, 3).Draw(t, nm) {
			case 1:
				ten := rapid.Int64Range(-50, 50).Draw(t, nm+"n")
				old[nm] = mval{num: true, ten: ten}
				it[nm] = value.Num(numberText(t, ten, nm+"fmt"))
			case 2:
				elems := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"x", "y", "z"}), 1, 3, rapid.ID[string]).Draw(t, nm+"ss")
				set := map[string]bool{}
				for _, e := range elems {
					set[e] = true
				}
				old[nm] = mval{set: set}
				it[nm] = value.StrSet(elems...)
			case 3:
				str := rapid.StringMatching(`[a-c]{1,3}`).Draw(t, nm+"s")
				old[nm] = mval{str: str}
				it[nm] = value.Str(str)
			}
		}
		targets := rapid.SliceOfNDistinct(rapid.SampledFrom(names), 1, 4, rapid.ID[string]).Draw(t, "targets")
		values := map[string]value.Value{}
		newVal := func(v value.Value) string {
			k := ":c" + strconv.Itoa(len(values))
			values[k] = v
			return k
		}
		want := map[string]mval{}
		for k, v := range old {
			want[k] = v
		}
		fails := false
		var sets, removes, adds, deletes []string
		for i, tg := range targets {
			label := "act" + strconv.Itoa(i)
			switch rapid.IntRange(0, 5).Draw(t, label) {
			case 0: // SET constant
				ten := rapid.Int64Range(-50, 50).Draw(t, label+"c")
				sets = append(sets, tg+" = "+newVal(value.Num(numberText(t, ten, label+"f"))))
				want[tg] = mval{num: true, ten: ten}
			case 1: // SET src + constant
				src := rapid.SampledFrom(names).Draw(t, label+"src")
				ten := rapid.Int64Range(-50, 50).Draw(t, label+"c")
				sets = append(sets, tg+" = "+src+" + "+newVal(value.Num(numberText(t, ten, label+"f"))))
				if o, ok := old[src]; ok && o.num {
					want[tg] = mval{num: true, ten: o.ten + ten}
				} else {
					fails = true
				}
			case 2: // SET if_not_exists(src, constant)
				src := rapid.SampledFrom(names).Draw(t, label+"src")
				ten := rapid.Int64Range(-50, 50).Draw(t, label+"c")
				sets = append(sets, tg+" = if_not_exists("+src+", "+newVal(value.Num(numberText(t, ten, label+"f")))+")")
				if o, ok := old[src]; ok {
					want[tg] = o
				} else {
					want[tg] = mval{num: true, ten: ten}
				}
			case 3: // REMOVE
				removes = append(removes, tg)
				delete(want, tg)
			case 4: // ADD number
				ten := rapid.Int64Range(-50, 50).Draw(t, label+"c")
				adds = append(adds, tg+" "+newVal(value.Num(numberText(t, ten, label+"f"))))
				switch o, ok := old[tg]; {
				case !ok:
					want[tg] = mval{num: true, ten: ten}
				case o.num:
					want[tg] = mval{num: true, ten: o.ten + ten}
				default:
					fails = true
				}
			default: // DELETE from string set
				elems := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"x", "y", "z"}), 1, 3, rapid.ID[string]).Draw(t, label+"del")
				deletes = append(deletes, tg+" "+newVal(value.StrSet(elems...)))
				switch o, ok := old[tg]; {
				case !ok:
				case o.set != nil:
					rest := map[string]bool{}
					for e := range o.set {
						rest[e] = true
					}
					for _, e := range elems {
						delete(rest, e)
					}
					if len(rest) == 0 {
						delete(want, tg)
					} else {
						want[tg] = mval{set: rest}
					}
				default:
					fails = true
				}
			}
		}
		var clauses []string
		for _, c := range []struct {
			kw   string
			acts []string
		}{{"SET", sets}, {"REMOVE", removes}, {"ADD", adds}, {"DELETE", deletes}} {
			if len(c.acts) > 0 {
				clauses = append(clauses, c.kw+" "+strings.Join(c.acts, ", "))
			}
		}
		// Shuffle clause order: it must not matter.
		perm := rapid.Permutation(clauses).Draw(t, "clauses")
		src := strings.Join(perm, " ")
		u, err := NewParams(nil, values).ParseUpdate(src)
		if err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
		got, err := u.Apply(it)
		if fails {
			if err == nil {
				t.Fatalf("%q on %v: want an error, got %v", src, it, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q on %v: %v", src, it, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q on %v: got %v, model %v", src, it, got, want)
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Fatalf("%q: %s missing", src, k)
			}
			switch {
			case w.num:
				if g.T != value.N || value.CompareNumbers(g.Str, value.Num(strconv.FormatInt(w.ten, 10)+"e-1").Str) != 0 {
					t.Fatalf("%q: %s = %v, model %d/10", src, k, g, w.ten)
				}
			case w.set != nil:
				var ws []string
				for e := range w.set {
					ws = append(ws, e)
				}
				sort.Strings(ws)
				if !value.Equal(g, value.StrSet(ws...)) {
					t.Fatalf("%q: %s = %v, model %v", src, k, g, ws)
				}
			default:
				if !value.Equal(g, value.Str(w.str)) {
					t.Fatalf("%q: %s = %v, model %q", src, k, g, w.str)
				}
			}
		}
	})
}
