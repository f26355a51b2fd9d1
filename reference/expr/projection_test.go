package expr

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

func TestProjectionApply(t *testing.T) {
	it := item(
		"p", s("k"),
		"a", m("b", l(n("0"), n("1"), m("c", s("x"), "d", s("y"))), "e", s("e")),
		"lst", l(s("l0"), s("l1"), s("l2")),
		"n", n("3"),
		"a.b", s("dotted"),
	)
	cases := []struct {
		expr  string
		names map[string]string
		want  value.Item
	}{
		{"p", nil, item("p", s("k"))},
		{"p, n", nil, item("p", s("k"), "n", n("3"))},
		{"nope", nil, item()},
		{"a.e", nil, item("a", m("e", s("e")))},
		{"a.b[0]", nil, item("a", m("b", l(n("0"))))},
		{"a.b[2].c", nil, item("a", m("b", l(m("c", s("x")))))},
		{"a.b[2].c, a.b[0], a.e", nil, item("a", m("b", l(n("0"), m("c", s("x"))), "e", s("e")))},
		{"lst[2], lst[0]", nil, item("lst", l(s("l0"), s("l2")))},
		{"lst[3]", nil, item()},
		{"lst[999]", nil, item()},
		{"lst.x", nil, item()},
		{"a[0]", nil, item()},
		{"n[0]", nil, item()},
		{"n.x", nil, item()},
		{"a.nope.x", nil, item()},
		{"#ab", names("#ab", "a.b"), item("a.b", s("dotted"))},
		{"#a.#b[1]", names("#a", "a", "#b", "b"), item("a", m("b", l(n("1"))))},
		{"a.e, a.b[1], p", nil, item("p", s("k"), "a", m("b", l(n("1")), "e", s("e")))},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			pr, err := NewParams(tc.names, nil).ParseProjection(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			got := pr.Apply(it)
			if !value.EqualItems(got, tc.want) {
				t.Fatalf("Apply = %#v\nwant %#v", got, tc.want)
			}
		})
	}
	pr, _ := NewParams(nil, nil).ParseProjection("p")
	if pr.Apply(nil) != nil {
		t.Fatal("projection of a missing item must stay missing")
	}
	got := ProjectPaths(it, []Path{{{Name: "p"}}, {{Name: "lst"}, {Index: 1, IsIndex: true}}})
	if want := item("p", s("k"), "lst", l(s("l1"))); !value.EqualItems(got, want) {
		t.Fatalf("ProjectPaths = %#v", got)
	}
}

func TestProjectionDepth(t *testing.T) {
	src := "a"
	for i := 0; i < 31; i++ {
		src += ".b"
	}
	if _, err := NewParams(nil, nil).ParseProjection(src); err != nil {
		t.Fatalf("32 levels must be accepted: %v", err)
	}
}

func TestKeyCondition(t *testing.T) {
	vs := vals(":h", s("h"), ":r", n("5"), ":lo", n("1"), ":hi", n("9"), ":pre", s("ab"), ":b", b("x"))
	cases := []struct {
		expr       string
		hash, rng  string
		wantErr    string
		wantRange  *KeyPart
		matchTrue  []value.Value
		matchFalse []value.Value
	}{
		{expr: "pk = :h", hash: "pk", rng: "sk"},
		{expr: "pk = :h", hash: "pk"},
		{expr: ":h = pk", hash: "pk"},
		{expr: "pk = :h AND sk = :r", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyEQ, []value.Value{n("5")}}, matchTrue: []value.Value{n("5.0")}, matchFalse: []value.Value{n("6"), s("5")}},
		{expr: "sk < :r AND pk = :h", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyLT, []value.Value{n("5")}}, matchTrue: []value.Value{n("-1")}, matchFalse: []value.Value{n("5")}},
		{expr: "pk = :h AND :r < sk", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyGT, []value.Value{n("5")}}, matchTrue: []value.Value{n("6")}, matchFalse: []value.Value{n("5")}},
		{expr: "pk = :h AND sk <= :r", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyLE, []value.Value{n("5")}}, matchTrue: []value.Value{n("5")}, matchFalse: []value.Value{n("5.1")}},
		{expr: "pk = :h AND :r >= sk", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyLE, []value.Value{n("5")}}},
		{expr: "pk = :h AND sk >= :r", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyGE, []value.Value{n("5")}}},
		{expr: "(pk = :h) AND (sk BETWEEN :lo AND :hi)", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyBetween, []value.Value{n("1"), n("9")}}, matchTrue: []value.Value{n("1"), n("9")}, matchFalse: []value.Value{n("0.5"), n("10")}},
		{expr: "pk = :h AND begins_with(sk, :pre)", hash: "pk", rng: "sk", wantRange: &KeyPart{"sk", KeyBeginsWith, []value.Value{s("ab")}}, matchTrue: []value.Value{s("abc"), s("ab")}, matchFalse: []value.Value{s("a"), b("ab")}},
		{expr: "sk = :r", hash: "pk", rng: "sk", wantErr: "Query condition missed key schema element: pk"},
		{expr: "pk > :h", hash: "pk", rng: "sk", wantErr: "Query key condition not supported"},
		{expr: "pk = :h AND x = :r", hash: "pk", rng: "sk", wantErr: "Query condition missed key schema element: sk"},
		{expr: "pk = :h AND x = :r", hash: "pk", wantErr: "Query key condition not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.expr+"/"+tc.rng, func(t *testing.T) {
			k, err := NewParams(nil, vs).ParseKeyCondition(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			err = k.Validate(tc.hash, tc.rng)
			if tc.wantErr != "" {
				wantValidation(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !value.Equal(k.Hash(), s("h")) {
				t.Fatalf("Hash = %v", k.Hash())
			}
			r := k.Range()
			if (r == nil) != (tc.wantRange == nil) {
				t.Fatalf("Range = %+v, want %+v", r, tc.wantRange)
			}
			if r != nil {
				if r.Name != tc.wantRange.Name || r.Op != tc.wantRange.Op || len(r.Values) != len(tc.wantRange.Values) {
					t.Fatalf("Range = %+v, want %+v", r, tc.wantRange)
				}
				for i := range r.Values {
					if !value.Equal(r.Values[i], tc.wantRange.Values[i]) {
						t.Fatalf("Range = %+v, want %+v", r, tc.wantRange)
					}
				}
			}
			for _, v := range tc.matchTrue {
				if !k.Match(v) {
					t.Errorf("Match(%v) = false", v)
				}
			}
			for _, v := range tc.matchFalse {
				if k.Match(v) {
					t.Errorf("Match(%v) = true", v)
				}
			}
		})
	}
}

func TestKeyConditionTypes(t *testing.T) {
	vs := vals(":h", s("h"), ":n", n("5"), ":pre", s("ab"))
	cases := []struct {
		expr     string
		hashT    value.Type
		rangeT   value.Type
		wantErr  string
		wantPass bool
	}{
		{"pk = :h AND sk = :n", value.S, value.N, "", true},
		{"pk = :n", value.S, value.N, "One or more parameter values were invalid: Condition parameter type does not match schema type", false},
		{"pk = :h AND sk = :h", value.S, value.N, "One or more parameter values were invalid: Condition parameter type does not match schema type", false},
		{"pk = :h AND begins_with(sk, :pre)", value.S, value.S, "", true},
	}
	for _, tc := range cases {
		k, err := NewParams(nil, vs).ParseKeyCondition(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Validate("pk", "sk"); err != nil {
			t.Fatal(err)
		}
		err = k.ValidateTypes(tc.hashT, tc.rangeT)
		if tc.wantPass {
			if err != nil {
				t.Errorf("%s: %v", tc.expr, err)
			}
			continue
		}
		wantValidation(t, err, tc.wantErr)
	}
}
