package expr

import (
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

func vptr(v value.Value) *value.Value { return &v }
func bptr(b bool) *bool               { return &b }

func op(o string, vs ...value.Value) LegacyCondition {
	return LegacyCondition{ComparisonOperator: o, AttributeValueList: vs, HasValueList: len(vs) > 0}
}

func TestLegacyFilterEval(t *testing.T) {
	it := item("n", n("5"), "s", s("hello"), "b", b("\x01\x02"), "ss", ss("x", "y"), "ns", ns("1", "2"),
		"lst", l(s("x"), n("1")), "nul", value.Null())
	cases := []struct {
		name string
		attr string
		cond LegacyCondition
		want bool
	}{
		{"EQ", "n", op("EQ", n("5.0")), true},
		{"EQ type", "n", op("EQ", s("5")), false},
		{"EQ set", "ss", op("EQ", ss("y", "x")), true},
		{"EQ missing", "nope", op("EQ", n("5")), false},
		{"NE", "n", op("NE", n("6")), true},
		{"NE type", "n", op("NE", s("5")), true},
		{"NE missing", "nope", op("NE", n("5")), true},
		{"NE equal", "n", op("NE", n("5")), false},
		{"LT", "n", op("LT", n("6")), true},
		{"LE", "s", op("LE", s("hello")), true},
		{"GT", "b", op("GT", b("\x01")), true},
		{"GE type", "n", op("GE", s("1")), false},
		{"NOT_NULL", "nul", op("NOT_NULL"), true},
		{"NOT_NULL missing", "nope", op("NOT_NULL"), false},
		{"NULL", "nope", op("NULL"), true},
		{"NULL present", "nul", op("NULL"), false},
		{"CONTAINS substring", "s", op("CONTAINS", s("ell")), true},
		{"CONTAINS set", "ns", op("CONTAINS", n("2")), true},
		{"CONTAINS list", "lst", op("CONTAINS", n("1")), true},
		{"CONTAINS missing", "nope", op("CONTAINS", s("x")), false},
		{"NOT_CONTAINS", "ss", op("NOT_CONTAINS", s("z")), true},
		{"NOT_CONTAINS present", "ss", op("NOT_CONTAINS", s("x")), false},
		{"NOT_CONTAINS missing is false", "nope", op("NOT_CONTAINS", s("x")), false},
		{"BEGINS_WITH", "s", op("BEGINS_WITH", s("he")), true},
		{"BEGINS_WITH number attr", "n", op("BEGINS_WITH", s("5")), false},
		{"IN", "n", op("IN", n("1"), n("5")), true},
		{"IN miss", "n", op("IN", n("1"), n("2")), false},
		{"BETWEEN", "n", op("BETWEEN", n("5"), n("6")), true},
		{"BETWEEN out", "s", op("BETWEEN", s("a"), s("b")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FilterToCondition(map[string]LegacyCondition{tc.attr: tc.cond}, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Eval(it); got != tc.want {
				t.Fatalf("Eval = %v, want %v", got, tc.want)
			}
			// Expected accepts the same ComparisonOperator form.
			c, err = ExpectedToCondition(map[string]LegacyCondition{tc.attr: tc.cond}, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Eval(it); got != tc.want {
				t.Fatalf("Expected Eval = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLegacyConditionalOperator(t *testing.T) {
	it := item("a", n("1"), "b", n("2"))
	conds := map[string]LegacyCondition{"a": op("EQ", n("1")), "b": op("EQ", n("3"))}
	and, err := FilterToCondition(conds, "AND")
	if err != nil {
		t.Fatal(err)
	}
	or, err := FilterToCondition(conds, "OR")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := FilterToCondition(conds, "")
	if got, _ := and.Eval(it); got {
		t.Error("AND = true")
	}
	if got, _ := def.Eval(it); got {
		t.Error("default (AND) = true")
	}
	if got, _ := or.Eval(it); !got {
		t.Error("OR = false")
	}
	empty, err := ExpectedToCondition(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := empty.Eval(nil); !got {
		t.Error("empty Expected must pass")
	}
}

func TestLegacyExpectedValueExists(t *testing.T) {
	it := item("a", n("1"))
	cases := []struct {
		name string
		c    LegacyCondition
		attr string
		want bool
	}{
		{"value equal", LegacyCondition{Value: vptr(n("1"))}, "a", true},
		{"value differs", LegacyCondition{Value: vptr(n("2"))}, "a", false},
		{"value missing attr", LegacyCondition{Value: vptr(n("1"))}, "z", false},
		{"exists true with value", LegacyCondition{Value: vptr(n("1")), Exists: bptr(true)}, "a", true},
		{"exists false", LegacyCondition{Exists: bptr(false)}, "z", true},
		{"exists false present", LegacyCondition{Exists: bptr(false)}, "a", false},
		{"operator with Value", LegacyCondition{ComparisonOperator: "GT", Value: vptr(n("0"))}, "a", true},
	}
	for _, tc := range cases {
		c, err := ExpectedToCondition(map[string]LegacyCondition{tc.attr: tc.c}, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got, _ := c.Eval(it); got != tc.want {
			t.Errorf("%s: Eval = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLegacyErrors(t *testing.T) {
	cases := []struct {
		name     string
		expected map[string]LegacyCondition
		filter   map[string]LegacyCondition
		want     string
	}{
		{"value and list", map[string]LegacyCondition{"a": {Value: vptr(n("1")), AttributeValueList: []value.Value{n("1")}, HasValueList: true}}, nil,
			"One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"},
		{"exists and operator", map[string]LegacyCondition{"a": {ComparisonOperator: "EQ", Exists: bptr(true), AttributeValueList: []value.Value{n("1")}, HasValueList: true}}, nil,
			"One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{"list without operator", map[string]LegacyCondition{"a": {AttributeValueList: []value.Value{n("1")}, HasValueList: true}}, nil,
			"One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"operator without values", map[string]LegacyCondition{"a": {ComparisonOperator: "EQ"}}, nil,
			"One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{"exists null no value", map[string]LegacyCondition{"a": {}}, nil,
			"One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"},
		{"exists true no value", map[string]LegacyCondition{"a": {Exists: bptr(true)}}, nil,
			"One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"},
		{"exists false with value", map[string]LegacyCondition{"a": {Exists: bptr(false), Value: vptr(n("1"))}}, nil,
			"One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"},
		{"EQ two values", map[string]LegacyCondition{"a": op("EQ", n("2"), n("3"))}, nil,
			"One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"NULL with value", nil, map[string]LegacyCondition{"a": op("NULL", n("1"))},
			"One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"},
		{"IN empty", nil, map[string]LegacyCondition{"a": {ComparisonOperator: "IN", HasValueList: true}},
			"One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator"},
		{"BETWEEN one", nil, map[string]LegacyCondition{"a": op("BETWEEN", n("1"))},
			"One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{"IN mixed", map[string]LegacyCondition{"c": op("IN", n("3"), s("dog"))}, nil,
			"One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{"IN lists", map[string]LegacyCondition{"c": op("IN", l(n("1")), l(n("2")))}, nil,
			"One or more parameter values were invalid: ComparisonOperator IN is not valid for L AttributeValue type"},
		{"LE list", map[string]LegacyCondition{"a": op("LE", l(n("1")))}, nil,
			"One or more parameter values were invalid: ComparisonOperator LE is not valid for L AttributeValue type"},
		{"CONTAINS list", map[string]LegacyCondition{"a": op("CONTAINS", l(n("1")))}, nil,
			"One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L AttributeValue type"},
		{"BEGINS_WITH number", nil, map[string]LegacyCondition{"a": op("BEGINS_WITH", n("1"))},
			"One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{"BETWEEN reversed", nil, map[string]LegacyCondition{"a": op("BETWEEN", n("2"), n("1"))},
			"The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.expected != nil {
				_, err = ExpectedToCondition(tc.expected, "")
			} else {
				_, err = FilterToCondition(tc.filter, "")
			}
			wantValidation(t, err, tc.want)
		})
	}
}

func TestLegacyKeyConditions(t *testing.T) {
	cases := []struct {
		name  string
		conds map[string]LegacyCondition
		hash  string
		rng   string
		want  string
	}{
		{"ok", map[string]LegacyCondition{"pk": op("EQ", s("h")), "sk": op("BETWEEN", n("1"), n("2"))}, "pk", "sk", ""},
		{"hash only ok", map[string]LegacyCondition{"pk": op("EQ", s("h"))}, "pk", "sk", ""},
		{"not indexable", map[string]LegacyCondition{"pk": op("NULL")}, "pk", "", "Attempted conditional constraint is not an indexable operation"},
		{"not indexable range", map[string]LegacyCondition{"pk": op("EQ", s("h")), "sk": op("NE", n("1"))}, "pk", "sk", "Attempted conditional constraint is not an indexable operation"},
		{"hash not EQ", map[string]LegacyCondition{"pk": op("GT", s("h"))}, "pk", "sk", "Query key condition not supported"},
		{"missing hash", map[string]LegacyCondition{"sk": op("EQ", n("1"))}, "pk", "sk", "Query condition missed key schema element: pk"},
		{"three", map[string]LegacyCondition{"a": op("NULL"), "b": op("NULL"), "c": op("NULL")}, "a", "b", "Conditions can be of length 1 or 2 only"},
		{"none", map[string]LegacyCondition{}, "a", "b", "Conditions can be of length 1 or 2 only"},
		{"extra on hash table", map[string]LegacyCondition{"pk": op("EQ", s("h")), "x": op("EQ", n("1"))}, "pk", "", "Query key condition not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := KeyConditionsToKeyCondition(tc.conds)
			if err == nil {
				err = k.Validate(tc.hash, tc.rng)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantValidation(t, err, tc.want)
		})
	}
}

func TestLegacyAttributesToGet(t *testing.T) {
	pr, err := AttributesToGetToProjection([]string{"a", "b.c"})
	if err != nil {
		t.Fatal(err)
	}
	got := pr.Apply(item("a", n("1"), "b.c", n("2"), "b", m("c", n("3")), "z", n("4")))
	if want := item("a", n("1"), "b.c", n("2")); !value.EqualItems(got, want) {
		t.Fatalf("Apply = %v", got)
	}
	_, err = AttributesToGetToProjection([]string{"a", "a"})
	wantValidation(t, err, "One or more parameter values were invalid: Duplicate value in attribute name: a")
}

func TestLegacyAttributeUpdates(t *testing.T) {
	base := func() value.Item {
		return item("n", n("1"), "ss", ss("a", "b"), "lst", l(n("1")), "str", s("x"))
	}
	cases := []struct {
		name    string
		updates map[string]AttributeUpdate
		want    value.Item
		absent  []string
		err     string
	}{
		{"put", map[string]AttributeUpdate{"a": {Action: "PUT", Value: vptr(n("7"))}}, item("a", n("7")), nil, ""},
		{"put default action", map[string]AttributeUpdate{"n": {Value: vptr(s("s"))}}, item("n", s("s")), nil, ""},
		{"delete attribute", map[string]AttributeUpdate{"str": {Action: "DELETE"}, "nope": {Action: "DELETE"}}, item("n", n("1")), []string{"str"}, ""},
		{"delete elements", map[string]AttributeUpdate{"ss": {Action: "DELETE", Value: vptr(ss("a"))}}, item("ss", ss("b")), nil, ""},
		{"delete all elements", map[string]AttributeUpdate{"ss": {Action: "DELETE", Value: vptr(ss("a", "b"))}}, item(), []string{"ss"}, ""},
		{"add number", map[string]AttributeUpdate{"n": {Action: "ADD", Value: vptr(n("2"))}}, item("n", n("3")), nil, ""},
		{"add new number", map[string]AttributeUpdate{"q": {Action: "ADD", Value: vptr(n("2"))}}, item("q", n("2")), nil, ""},
		{"add set", map[string]AttributeUpdate{"ss": {Action: "ADD", Value: vptr(ss("c"))}}, item("ss", ss("a", "b", "c")), nil, ""},
		{"add list appends", map[string]AttributeUpdate{"lst": {Action: "ADD", Value: vptr(l(n("2")))}}, item("lst", l(n("1"), n("2"))), nil, ""},
		{"add number to string", map[string]AttributeUpdate{"str": {Action: "ADD", Value: vptr(n("1"))}}, nil, nil, "Type mismatch for attribute to update"},
		{"delete set from number", map[string]AttributeUpdate{"n": {Action: "DELETE", Value: vptr(ss("a"))}}, nil, nil, "Type mismatch for attribute to update"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := AttributeUpdatesToUpdate(tc.updates)
			if err != nil {
				t.Fatal(err)
			}
			got, err := u.Apply(base())
			if tc.err != "" {
				wantValidation(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if !value.Equal(got[k], v) {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s present", k)
				}
			}
		})
	}
	for _, tc := range []struct {
		name string
		u    map[string]AttributeUpdate
		want string
	}{
		{"put without value", map[string]AttributeUpdate{"a": {Action: "PUT"}}, "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"},
		{"delete with scalar", map[string]AttributeUpdate{"a": {Action: "DELETE", Value: vptr(s("x"))}}, "One or more parameter values were invalid: DELETE action with value is not supported for the type S"},
		{"add string", map[string]AttributeUpdate{"a": {Action: "ADD", Value: vptr(s("x"))}}, "One or more parameter values were invalid: ADD action is not supported for the type S"},
	} {
		_, err := AttributeUpdatesToUpdate(tc.u)
		wantValidation(t, err, tc.want)
	}
}
