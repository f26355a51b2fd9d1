package expr

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

func TestUpdateApply(t *testing.T) {
	vs := vals(
		":one", n("1"), ":two", n("2"), ":neg", n("-3"), ":dec", n("0.1"), ":x", s("x"), ":y", s("y"),
		":l12", l(n("1"), n("2")), ":l3", l(n("3")), ":lempty", l(), ":mempty", m(),
		":ssab", ss("a", "b"), ":ssbc", ss("b", "c"), ":ssa", ss("a"), ":nsv", ns("1", "5"), ":bsv", bs("q"),
		":e125", n("9E125"), ":huge", n("99999999999999999999999999999999999999"), ":tiny", n("0.00000000000000000000000000000000000001"),
	)
	base := func() value.Item {
		return item(
			"p", s("k"),
			"n", n("10"),
			"str", s("hello"),
			"lst", l(s("a"), s("b"), s("c")),
			"mp", m("x", n("1"), "qq", m("deep", l(n("1"), m("z", s("zz"))))),
			"ss", ss("a", "b"),
			"ns", ns("1", "2"),
			"bs", bs("p", "q"),
			"big", n("99999999999999999999999999999999999999"),
		)
	}
	cases := []struct {
		name   string
		expr   string
		before value.Item
		want   value.Item // attributes to compare; nil entries mean "absent"
		absent []string
		err    string
	}{
		{name: "set new", expr: "SET a = :one", before: base(), want: item("a", n("1"))},
		{name: "set on missing item", expr: "SET a = :one", before: nil, want: item("a", n("1"))},
		{name: "set copy", expr: "SET a = str", before: base(), want: item("a", s("hello"))},
		{name: "set copy missing", expr: "SET a = nope", before: base(), err: errMissingAttr},
		{name: "set copy missing item", expr: "SET a = nope", before: nil, err: errMissingAttr},
		{name: "set self", expr: "SET n = n", before: base(), want: item("n", n("10"))},
		{name: "reads old values", expr: "SET n = :one, a = n", before: base(), want: item("n", n("1"), "a", n("10"))},
		{name: "remove then read", expr: "REMOVE n SET a = n", before: base(), want: item("a", n("10")), absent: []string{"n"}},
		{name: "plus", expr: "SET n = n + :one", before: base(), want: item("n", n("11"))},
		{name: "minus", expr: "SET n = n - :neg", before: base(), want: item("n", n("13"))},
		{name: "plus exact decimal", expr: "SET a = :dec + :dec", before: base(), want: item("a", n("0.2"))},
		{name: "plus two values", expr: "SET a = :one + :two", before: nil, want: item("a", n("3"))},
		{name: "plus parenthesised", expr: "SET a = (:one + :two)", before: nil, want: item("a", n("3"))},
		{name: "plus missing", expr: "SET b = b + :one", before: base(), err: errMissingAttr},
		{name: "plus string attr", expr: "SET a = str + :one", before: base(), err: errBadOperand},
		{name: "plus overflow", expr: "SET a = :e125 + :e125", before: base(), err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{name: "plus 39 digits", expr: "SET a = big + :huge", before: base(), err: "Attempting to store more than 38 significant digits in a Number"},
		{name: "plus too precise", expr: "SET a = big + :tiny", before: base(), err: "Attempting to store more than 38 significant digits in a Number"},
		{name: "if_not_exists missing", expr: "SET a = if_not_exists(a, :one)", before: base(), want: item("a", n("1"))},
		{name: "if_not_exists present", expr: "SET n = if_not_exists(n, :one)", before: base(), want: item("n", n("10"))},
		{name: "if_not_exists other attr", expr: "SET b = if_not_exists(n, :one)", before: base(), want: item("b", n("10"))},
		{name: "if_not_exists nested", expr: "SET a = if_not_exists(b, if_not_exists(n, :one))", before: base(), want: item("a", n("10"))},
		{name: "if_not_exists plus", expr: "SET c = if_not_exists(c, :two) + :one", before: nil, want: item("c", n("3"))},
		{name: "list_append", expr: "SET lst = list_append(lst, :l3)", before: item("lst", l(n("1"))), want: item("lst", l(n("1"), n("3")))},
		{name: "list_append prepend", expr: "SET lst = list_append(:l12, lst)", before: item("lst", l(n("3"))), want: item("lst", l(n("1"), n("2"), n("3")))},
		{name: "list_append values", expr: "SET a = list_append(:l12, :lempty)", before: nil, want: item("a", l(n("1"), n("2")))},
		{name: "list_append if_not_exists", expr: "SET a = list_append(if_not_exists(a, :lempty), :l3)", before: nil, want: item("a", l(n("3")))},
		{name: "list_append missing", expr: "SET a = list_append(b, :l3)", before: base(), err: errMissingAttr},
		{name: "list_append non list", expr: "SET a = list_append(str, :l3)", before: base(), err: errBadOperand},
		{name: "set nested map", expr: "SET mp.x = :two", before: base(), want: item("mp", m("x", n("2"), "qq", m("deep", l(n("1"), m("z", s("zz"))))))},
		{name: "set nested new key", expr: "SET mp.qq.k = :x", before: item("mp", m("qq", m())), want: item("mp", m("qq", m("k", s("x"))))},
		{name: "set deep", expr: "SET mp.qq.deep[1].z = :x", before: base(), want: item("mp", m("x", n("1"), "qq", m("deep", l(n("1"), m("z", s("x"))))))},
		{name: "set list element", expr: "SET lst[1] = :x", before: base(), want: item("lst", l(s("a"), s("x"), s("c")))},
		{name: "set past end appends", expr: "SET lst[7] = :x", before: base(), want: item("lst", l(s("a"), s("b"), s("c"), s("x")))},
		{name: "set past end sorted", expr: "SET lst[9] = :y, lst[7] = :x", before: base(), want: item("lst", l(s("a"), s("b"), s("c"), s("x"), s("y")))},
		{name: "set missing parent", expr: "SET nope.c = :one", before: base(), err: errBadPath},
		{name: "set missing parent no item", expr: "SET nope.c = :one", before: nil, err: errBadPath},
		{name: "set key of scalar", expr: "SET str.c = :one", before: base(), err: errBadPath},
		{name: "set key of list", expr: "SET lst.c = :one", before: base(), err: errBadPath},
		{name: "set index of map", expr: "SET mp[0] = :one", before: base(), err: errBadPath},
		{name: "set index of missing", expr: "SET nope[0] = :one", before: base(), err: errBadPath},
		{name: "set through missing index", expr: "SET lst[5].a = :one", before: base(), err: errBadPath},
		{name: "set empty list and map", expr: "SET a = :lempty, b = :mempty", before: nil, want: item("a", l(), "b", m())},
		{name: "remove top", expr: "REMOVE str, nope", before: base(), absent: []string{"str", "nope"}, want: item("n", n("10"))},
		{name: "remove nested", expr: "REMOVE mp.x", before: base(), want: item("mp", m("qq", m("deep", l(n("1"), m("z", s("zz"))))))},
		{name: "remove missing leaf", expr: "REMOVE mp.nope, lst[7]", before: base(), want: item("mp", m("x", n("1"), "qq", m("deep", l(n("1"), m("z", s("zz"))))), "lst", l(s("a"), s("b"), s("c")))},
		{name: "remove list element", expr: "REMOVE lst[1]", before: base(), want: item("lst", l(s("a"), s("c")))},
		{name: "remove list elements original indexes", expr: "REMOVE lst[0], lst[2]", before: base(), want: item("lst", l(s("b")))},
		{name: "remove then set original index", expr: "REMOVE lst[0] SET lst[2] = :x", before: base(), want: item("lst", l(s("b"), s("x")))},
		{name: "set then remove original index", expr: "SET lst[2] = :x REMOVE lst[0]", before: base(), want: item("lst", l(s("b"), s("x")))},
		{name: "remove and append", expr: "SET lst[5] = :x REMOVE lst[1]", before: base(), want: item("lst", l(s("a"), s("c"), s("x")))},
		{name: "remove only element", expr: "REMOVE lst[0]", before: item("lst", l(s("a"))), want: item("lst", l())},
		{name: "remove only key", expr: "REMOVE mp.x", before: item("mp", m("x", n("1"))), want: item("mp", m())},
		{name: "remove under missing", expr: "REMOVE nope.c", before: base(), err: errBadPath},
		{name: "remove index of missing", expr: "REMOVE nope[0]", before: base(), err: errBadPath},
		{name: "remove index of map", expr: "REMOVE mp[0]", before: base(), err: errBadPath},
		{name: "remove on missing item", expr: "REMOVE x.y, z[0], w", before: nil, want: item()},
		{name: "add number", expr: "ADD n :two", before: base(), want: item("n", n("12"))},
		{name: "add negative", expr: "ADD n :neg", before: base(), want: item("n", n("7"))},
		{name: "add new number", expr: "ADD a :two", before: base(), want: item("a", n("2"))},
		{name: "add new number no item", expr: "ADD a :two", before: nil, want: item("a", n("2"))},
		{name: "add to string", expr: "ADD str :one", before: base(), err: errBadOperand},
		{name: "add set", expr: "ADD ss :ssbc", before: base(), want: item("ss", ss("a", "b", "c"))},
		{name: "add new set", expr: "ADD a :ssab", before: nil, want: item("a", ss("a", "b"))},
		{name: "add number set", expr: "ADD ns :nsv", before: base(), want: item("ns", ns("1", "2", "5"))},
		{name: "add binary set", expr: "ADD bs :bsv", before: base(), want: item("bs", bs("p", "q"))},
		{name: "add set wrong type", expr: "ADD ns :ssab", before: base(), err: errBadOperand},
		{name: "add set to list", expr: "ADD lst :ssab", before: base(), err: errBadOperand},
		{name: "add number to set", expr: "ADD ss :one", before: base(), err: errBadOperand},
		{name: "add nested", expr: "ADD mp.x :two", before: base(), want: item("mp", m("x", n("3"), "qq", m("deep", l(n("1"), m("z", s("zz"))))))},
		{name: "add under missing", expr: "ADD nope.x :two", before: base(), err: errBadPath},
		{name: "delete from set", expr: "DELETE ss :ssa", before: base(), want: item("ss", ss("b"))},
		{name: "delete absent element", expr: "DELETE ss :ssbc", before: item("ss", ss("a", "x")), want: item("ss", ss("a", "x"))},
		{name: "delete all removes", expr: "DELETE ss :ssab", before: base(), absent: []string{"ss"}, want: item("n", n("10"))},
		{name: "delete from missing", expr: "DELETE nope :ssab", before: base(), absent: []string{"nope"}, want: item("n", n("10"))},
		{name: "delete wrong set type", expr: "DELETE ns :ssab", before: base(), err: errBadOperand},
		{name: "delete binary", expr: "DELETE bs :bsv", before: base(), want: item("bs", bs("p"))},
		{name: "all clauses", expr: "SET a = :one REMOVE str ADD n :one DELETE ss :ssa", before: base(), want: item("a", n("1"), "n", n("11"), "ss", ss("b")), absent: []string{"str"}},
		{name: "lower case clauses", expr: "set a = :one remove str", before: base(), want: item("a", n("1")), absent: []string{"str"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewParams(nil, vs)
			u, err := p.ParseUpdate(tc.expr)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var snapshot value.Item
			if tc.before != nil {
				snapshot = deepCopy(tc.before)
			}
			got, err := u.Apply(tc.before)
			if tc.err != "" {
				wantValidation(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.before != nil && !value.EqualItems(tc.before, snapshot) {
				t.Fatalf("Apply modified its input")
			}
			for k, v := range tc.want {
				if w, ok := got[k]; !ok || !value.Equal(v, w) {
					t.Errorf("%s = %#v, want %#v", k, w, v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s present, want absent", k)
				}
			}
		})
	}
}

// deepCopy copies an item with all nested containers, so a test can detect
// mutation through shared maps or slices.
func deepCopy(it value.Item) value.Item {
	out := value.Item{}
	for k, v := range it {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v value.Value) value.Value {
	switch v.T {
	case value.M:
		mm := map[string]value.Value{}
		for k, x := range v.Map {
			mm[k] = deepCopyValue(x)
		}
		return value.Map(mm)
	case value.L:
		ll := make([]value.Value, len(v.List))
		for i, x := range v.List {
			ll[i] = deepCopyValue(x)
		}
		return value.List(ll...)
	case value.SS, value.NS:
		v.Strs = append([]string(nil), v.Strs...)
	case value.BS:
		v.Bins = append([][]byte(nil), v.Bins...)
	}
	return v
}

func TestUpdatePaths(t *testing.T) {
	p := NewParams(names("#k", "pk"), vals(":v", n("1"), ":s", ss("a")))
	u, err := p.ParseUpdate("SET a.b[2].c = :v, #k = :v REMOVE r ADD n :v DELETE d :s")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range u.Paths() {
		got = append(got, q.String())
	}
	want := []string{"[a, b, [2], c]", "[pk]", "[r]", "[n]", "[d]"}
	if len(got) != len(want) {
		t.Fatalf("Paths = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Paths = %v, want %v", got, want)
		}
	}
	acts := u.Actions()
	if acts[2].Kind != ActionRemove || acts[4].Kind != ActionDelete || acts[1].Path.Top() != "pk" {
		t.Fatalf("Actions = %+v", acts)
	}
}
