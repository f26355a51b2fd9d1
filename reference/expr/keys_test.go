package expr

import "testing"

func TestConditionPathsAndKeyChecks(t *testing.T) {
	p := NewParams(names("#b", "b"), vals(":v", n("1")))
	c, err := p.ParseCondition("attribute_exists(a.b) AND #b = :v OR size(c[1]) > d")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range c.Paths() {
		got = append(got, q.String())
	}
	if want := "[[a, b] [b] [c, [1]] [d]]"; fmtList(got) != want {
		t.Fatalf("Paths = %v, want %v", fmtList(got), want)
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"filter on hash key", CheckFilterKeys("Filter Expression", c.Paths(), "a", ""), "Filter Expression can only contain non-primary key attributes: Primary key attribute: a"},
		{"filter on range key", CheckFilterKeys("Filter Expression", c.Paths(), "x", "d"), "Filter Expression can only contain non-primary key attributes: Primary key attribute: d"},
		{"key order wins", CheckFilterKeys("QueryFilter", c.Paths(), "d", "a"), "QueryFilter can only contain non-primary key attributes: Primary key attribute: d"},
		{"nested key path", CheckNestedKeyPaths(c.Paths(), "Key", "x", "c"), "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: c"},
		{"nested index key path", CheckNestedKeyPaths(c.Paths(), "IndexKey", "a"), "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantValidation(t, tc.err, tc.want) })
	}
	if err := CheckFilterKeys("Filter Expression", c.Paths(), "x", "y"); err != nil {
		t.Fatal(err)
	}
	if err := CheckNestedKeyPaths(c.Paths(), "Key", "b", "d"); err != nil {
		t.Fatal(err)
	}
	if len((&Condition{}).Paths()) != 0 {
		t.Fatal("empty condition has paths")
	}
}

func fmtList(l []string) string {
	out := "["
	for i, s := range l {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out + "]"
}
