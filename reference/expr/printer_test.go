package expr

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

func TestPrintExamples(t *testing.T) {
	p := NewParams(names("#s", "status"), vals(":v", n("1"), ":l", l(s("x")), ":ss", ss("a")))
	c, err := p.ParseCondition("a.b[2] = :v AND (#s <> :v OR NOT attribute_exists(c)) AND size(d) > :v AND e IN (:v, :v)")
	if err != nil {
		t.Fatal(err)
	}
	text, nm, vs := c.Expression()
	want := "(((#n0.#n1[2] = :v0) AND ((#n2 <> :v1) OR (NOT (attribute_exists(#n3))))) AND (size(#n4) > :v2)) AND (#n5 IN (:v3, :v4))"
	if text != want || nm["#n2"] != "status" || len(vs) != 5 {
		t.Fatalf("printed %q %v %v, want %q", text, nm, vs, want)
	}
	u, err := p.ParseUpdate("SET a = a + :v, b = list_append(if_not_exists(b, :l), :l) REMOVE c[1] ADD d :v DELETE #s :ss")
	if err != nil {
		t.Fatal(err)
	}
	text, nm, vs = u.Expression()
	if want := "SET #n0 = #n0 + :v0, #n1 = list_append(if_not_exists(#n1, :v1), :v2) REMOVE #n2[1] ADD #n3 :v3 DELETE #n4 :v4"; text != want {
		t.Fatalf("update printed as %q, want %q", text, want)
	}
	u2, err := NewParams(nm, vs).ParseUpdate(text)
	if err != nil {
		t.Fatal(err)
	}
	it := item("a", n("1"), "c", l(n("0"), n("1")), "status", ss("a", "b"))
	x, err1 := u.Apply(it)
	y, err2 := u2.Apply(it)
	if err1 != nil || err2 != nil || !value.EqualItems(x, y) {
		t.Fatalf("%v %v\n%v\n%v", err1, err2, x, y)
	}
	pr, err := p.ParseProjection("a.b[0], #s")
	if err != nil {
		t.Fatal(err)
	}
	if text, nm := pr.Expression(); text != "#n0.#n1[0], #n2" || nm["#n2"] != "status" {
		t.Fatalf("projection printed as %q %v", text, nm)
	}
}

// TestPrintLegacy: converted legacy parameters print as expressions with
// the same meaning (NOT_CONTAINS keeps its legacy meaning; ADD of a list
// becomes list_append).
func TestPrintLegacy(t *testing.T) {
	c, err := ExpectedToCondition(map[string]LegacyCondition{
		"a": op("NOT_CONTAINS", s("x")),
		"b": {Exists: bptr(false)},
	}, "OR")
	if err != nil {
		t.Fatal(err)
	}
	text, nm, vs := c.Expression()
	if want := "((attribute_exists(#n0)) AND (NOT (contains(#n0, :v0)))) OR (attribute_not_exists(#n1))"; text != want {
		t.Fatalf("printed %q, want %q", text, want)
	}
	c2, err := NewParams(nm, vs).ParseCondition(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []value.Item{nil, item("b", n("1")), item("a", ss("y"), "b", n("1")), item("a", ss("x"), "b", n("1"))} {
		x, _ := c.Eval(it)
		y, _ := c2.Eval(it)
		if x != y {
			t.Fatalf("%v: %v vs %v", it, x, y)
		}
	}
	u, err := AttributeUpdatesToUpdate(map[string]AttributeUpdate{"l": {Action: "ADD", Value: vptr(l(n("2")))}, "n": {Action: "ADD", Value: vptr(n("1"))}})
	if err != nil {
		t.Fatal(err)
	}
	text, nm, vs = u.Expression()
	if want := "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1) ADD #n1 :v2"; text != want {
		t.Fatalf("printed %q, want %q", text, want)
	}
	u2, err := NewParams(nm, vs).ParseUpdate(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []value.Item{nil, item("l", l(n("1")), "n", n("5"))} {
		x, _ := u.Apply(it)
		y, _ := u2.Apply(it)
		if !value.EqualItems(x, y) {
			t.Fatalf("%v: %v vs %v", it, x, y)
		}
	}
	if text, _, _ := (&Condition{}).Expression(); text != "" {
		t.Fatalf("empty condition printed %q", text)
	}
}
