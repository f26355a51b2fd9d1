package expr

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

// testItem is the item most evaluation tests run against.
func testItem() value.Item {
	return item(
		"p", s("key"),
		"n", n("5"),
		"big", n("12345678901234567890123456789012345678"),
		"neg", n("-1.5"),
		"str", s("hello"),
		"uni", s("héllo"),
		"bin", b("\x01\x02\x80"),
		"t", value.Bool(true),
		"nul", value.Null(),
		"ss", ss("a", "b"),
		"ns", ns("1", "2", "3"),
		"bs", bs("x", "y"),
		"lst", l(n("1"), s("two"), m("k", s("v"))),
		"mp", m("x", n("2"), "y", m("m", n("3"), "n", l(s("deep"))), "e", s("")),
		"five", s("5"),
		"oth", n("5"),
	)
}

func TestConditionEval(t *testing.T) {
	vs := vals(
		":n5", n("5"), ":n6", n("6"), ":n4", n("4"), ":n50", n("5.0"), ":nbig", n("12345678901234567890123456789012345679"),
		":s5", s("5"), ":hello", s("hello"), ":he", s("he"), ":ell", s("ell"), ":zz", s("zz"),
		":b12", b("\x01\x02"), ":b80", b("\x80"), ":b7f", b("\x7f\xff"),
		":true", value.Bool(true), ":null", value.Null(),
		":ssab", ss("b", "a"), ":nslist", ns("3", "2", "1"), ":list", l(n("1"), s("two"), m("k", s("v"))),
		":a", s("a"), ":one", n("1"), ":kv", m("k", s("v")),
		":tS", s("S"), ":tN", s("N"), ":tSS", s("SS"), ":tM", s("M"), ":tL", s("L"), ":tNULL", s("NULL"), ":tBOOL", s("BOOL"), ":tB", s("B"), ":tBS", s("BS"), ":tNS", s("NS"),
		":n2", n("2"), ":n3", n("3"), ":n0", n("0"),
	)
	cases := []struct {
		expr string
		item value.Item
		want bool
	}{
		// = and <> on every type; numbers numerically.
		{"n = :n5", nil, false},
		{"n = :n5", testItem(), true},
		{"n = :n50", testItem(), true},
		{"n = :s5", testItem(), false},
		{"five = :n5", testItem(), false},
		{"n = oth", testItem(), true},
		{"str = :hello", testItem(), true},
		{"bin = :b12", testItem(), false},
		{"t = :true", testItem(), true},
		{"nul = :null", testItem(), true},
		{"ss = :ssab", testItem(), true},
		{"ns = :nslist", testItem(), true},
		{"lst = :list", testItem(), true},
		{"lst[2] = :kv", testItem(), true},
		{"nope = :n5", testItem(), false},
		{"nope = nope2", testItem(), false},
		{"n <> :n6", testItem(), true},
		{"n <> :n5", testItem(), false},
		{"n <> :s5", testItem(), true},
		{"nope <> :n5", testItem(), true},
		{"nope <> nope2", testItem(), true},
		{"ss <> :ssab", testItem(), false},
		// Ordering: numbers, strings, binaries; other types and mixed types are false.
		{"n < :n6", testItem(), true},
		{"n < :n5", testItem(), false},
		{"n <= :n5", testItem(), true},
		{"n > :n4", testItem(), true},
		{"n >= :n6", testItem(), false},
		{"big < :nbig", testItem(), true},
		{"neg < :n0", testItem(), true},
		{"str < :zz", testItem(), true},
		{"str > :he", testItem(), true},
		{"bin < :b80", testItem(), true},
		{"bin > :b7f", testItem(), false},
		{":b80 > :b7f", nil, true},
		{"n < :s5", testItem(), false},
		{"five > :n4", testItem(), false},
		{"nope < :n5", testItem(), false},
		{"nope >= nope2", testItem(), false},
		{"lst < :n5", testItem(), false},
		{":n4 < n", testItem(), true},
		// BETWEEN.
		{"n BETWEEN :n4 AND :n6", testItem(), true},
		{"n between :n5 and :n5", testItem(), true},
		{"n BETWEEN :n6 AND oth", testItem(), false},
		{"str BETWEEN :he AND :zz", testItem(), true},
		{"five BETWEEN :n4 AND :n6", testItem(), false},
		{"nope BETWEEN :n4 AND :n6", testItem(), false},
		{"n BETWEEN :n4 AND five", testItem(), false},
		// IN.
		{"n IN (:n4, :n5)", testItem(), true},
		{"n in (:s5, :n6)", testItem(), false},
		{"lst IN (:list)", testItem(), true},
		{"ss IN (:a, :ssab)", testItem(), true},
		{"nope IN (:n5)", testItem(), false},
		{"n IN (oth)", testItem(), true},
		// AND / OR / NOT and precedence.
		{"n = :n5 AND str = :hello", testItem(), true},
		{"n = :n5 AND str = :zz", testItem(), false},
		{"n = :n6 OR str = :hello", testItem(), true},
		{"NOT n = :n6", testItem(), true},
		{"not not n = :n5", testItem(), true},
		{"NOT NOT NOT n = :n5", testItem(), false},
		{"n = :n6 AND str = :zz OR t = :true", testItem(), true},
		{"n = :n6 AND (str = :zz OR t = :true)", testItem(), false},
		{"NOT n = :n6 AND n = :n6", testItem(), false},
		{"n = :n4 OR n BETWEEN :n4 AND :n6 AND str = :hello", testItem(), true},
		{"(n = :n5)", testItem(), true},
		{"((n = :n5) AND n <> :n6)", testItem(), true},
		{"(n) = (:n5)", testItem(), true},
		{"(size(str)) = :n5", testItem(), true},
		// attribute_exists / attribute_not_exists.
		{"attribute_exists(n)", testItem(), true},
		{"attribute_exists(nul)", testItem(), true},
		{"attribute_exists(nope)", testItem(), false},
		{"attribute_exists(mp.y.n[0])", testItem(), true},
		{"attribute_exists(mp.y.n[1])", testItem(), false},
		{"attribute_exists(lst.k)", testItem(), false},
		{"attribute_exists(n)", nil, false},
		{"attribute_not_exists(n)", nil, true},
		{"attribute_not_exists(nope)", testItem(), true},
		{"attribute_not_exists(p)", testItem(), false},
		// attribute_type, for every type.
		{"attribute_type(str, :tS)", testItem(), true},
		{"attribute_type(n, :tN)", testItem(), true},
		{"attribute_type(bin, :tB)", testItem(), true},
		{"attribute_type(t, :tBOOL)", testItem(), true},
		{"attribute_type(nul, :tNULL)", testItem(), true},
		{"attribute_type(mp, :tM)", testItem(), true},
		{"attribute_type(lst, :tL)", testItem(), true},
		{"attribute_type(ss, :tSS)", testItem(), true},
		{"attribute_type(ns, :tNS)", testItem(), true},
		{"attribute_type(bs, :tBS)", testItem(), true},
		{"attribute_type(ss, :tS)", testItem(), false},
		{"attribute_type(nope, :tS)", testItem(), false},
		{"attribute_type(:one, :tN)", nil, true},
		// begins_with.
		{"begins_with(str, :he)", testItem(), true},
		{"begins_with(str, :ell)", testItem(), false},
		{"begins_with(bin, :b12)", testItem(), true},
		{"begins_with(:hello, :he)", nil, true},
		{"begins_with(str, str2)", testItem(), false},
		{"begins_with(n, :he)", testItem(), false},
		{"begins_with(ss, :a)", testItem(), false},
		// contains.
		{"contains(str, :ell)", testItem(), true},
		{"contains(str, :zz)", testItem(), false},
		{"contains(bin, :b80)", testItem(), true},
		{"contains(ss, :a)", testItem(), true},
		{"contains(ss, :zz)", testItem(), false},
		{"contains(ns, :n2)", testItem(), true},
		{"contains(ns, :s5)", testItem(), false},
		{"contains(lst, :one)", testItem(), true},
		{"contains(lst, :kv)", testItem(), true},
		{"contains(lst, :s5)", testItem(), false},
		{"contains(n, :n5)", testItem(), false},
		{"contains(nope, :a)", testItem(), false},
		{"contains(str, nope)", testItem(), false},
		// size.
		{"size(str) = :n5", testItem(), true},
		{"size(uni) = :n6", testItem(), true},
		{"size(bin) = :n3", testItem(), true},
		{"size(ss) = :n2", testItem(), true},
		{"size(ns) = :n3", testItem(), true},
		{"size(lst) = :n3", testItem(), true},
		{"size(mp) = :n3", testItem(), true},
		{"size(mp.y) = :n2", testItem(), true},
		{"size(mp.e) = :n0", testItem(), true},
		{"size(n) = :one", testItem(), false},
		{"size(t) = :one", testItem(), false},
		{"size(nul) = :one", testItem(), false},
		{"size(nope) <> :one", testItem(), true},
		{"size(str) > :n4", testItem(), true},
		{"size(str) = size(five)", testItem(), false},
		{"size(:hello) = n", testItem(), true},
		{"size(str) = :s5", testItem(), false},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			p := NewParams(nil, vs)
			c, err := p.ParseCondition(tc.expr)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := c.Eval(tc.item)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Eval = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestConditionNames checks #name substitution: any characters, literal dots.
func TestConditionNames(t *testing.T) {
	it := item("a.b", n("1"), "a", m("b", n("2")), "3can include any character!.#=", s("x"), "status", s("on"))
	p := NewParams(names("#ab", "a.b", "#a", "a", "#b", "b", "#silly", "3can include any character!.#=", "#st", "status"),
		vals(":one", n("1"), ":two", n("2"), ":x", s("x"), ":on", s("on")))
	for expr, want := range map[string]bool{
		"#ab = :one":     true,
		"#a.#b = :two":   true,
		"a.b = :two":     true,
		"#silly = :x":    true,
		"#st = :on":      true,
		"#ab = :two":     false,
		"#a.b = :one":    false,
		"#a.#b <> :one":  true,
		"#silly <> :one": true,
	} {
		c, err := p.ParseCondition(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if got, _ := c.Eval(it); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
}

// TestKeywordsCaseInsensitive checks AND/OR/NOT/BETWEEN/IN in any case and
// whitespace anywhere between tokens.
func TestKeywordsCaseInsensitive(t *testing.T) {
	p := NewParams(nil, vals(":a", n("1"), ":b", n("9")))
	for _, expr := range []string{
		"n BeTwEeN :a aNd :b",
		"n in(:a,:b) or n>:a",
		"nOt n=:b",
		"\tn\n>\r:a ",
		"n[0]=:a OR n >= :a",
		"n[ 0 ] = :a or n . x = :a or n>:a",
	} {
		c, err := p.ParseCondition(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if got, _ := c.Eval(item("n", n("5"))); !got {
			t.Errorf("%q = false", expr)
		}
	}
}
