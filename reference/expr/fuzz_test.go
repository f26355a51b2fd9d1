package expr

import (
	"errors"
	"testing"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// The fuzz targets check that the parsers never panic, that every error is
// a ValidationException, and that whatever parses also evaluates without
// panicking (evaluation errors, too, must be ValidationExceptions). The
// seed corpus is in testdata/fuzz/<FuzzName>/.

func fuzzParams() *Params {
	return NewParams(
		names("#a", "a", "#b", "b.c", "#c", "status", "#n", "n"),
		vals(":a", n("1"), ":b", s("b"), ":c", l(n("1")), ":d", ss("x", "y"), ":e", m("k", n("2")),
			":f", value.Bool(true), ":g", value.Null(), ":h", b("h"), ":i", ns("1", "2"), ":t", s("S")),
	)
}

func fuzzItem() value.Item {
	return item("a", n("5"), "b", s("bee"), "l", l(n("1"), m("x", s("y")), l()), "mm", m("a", m("b", l(n("3")))),
		"s", ss("x"), "ns", ns("1"), "bs", bs("q"), "bin", b("bb"), "t", value.Bool(false), "z", value.Null())
}

func checkValidation(t *testing.T, what, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var de *ddberr.Error
	if !errors.As(err, &de) || de.Type != ddberr.Validation || de.Message == "" {
		t.Fatalf("%s %q: error %v is not a ValidationException", what, src, err)
	}
}

func FuzzParseCondition(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		p := fuzzParams()
		c, err := p.ParseCondition(src)
		checkValidation(t, "ParseCondition", src, err)
		_, err = p.ParseFilter(src)
		checkValidation(t, "ParseFilter", src, err)
		if c == nil {
			return
		}
		for _, it := range []value.Item{nil, {}, fuzzItem()} {
			_, err := c.Eval(it)
			checkValidation(t, "Eval", src, err)
		}
		checkValidation(t, "CheckUnused", src, p.CheckUnused())
		// The printed form parses back to an equivalent condition.
		text, nm, vs := c.Expression()
		p2 := NewParams(nm, vs)
		c2, err := p2.ParseCondition(text)
		if err != nil {
			if len(text) > MaxExpressionSize {
				return
			}
			t.Fatalf("%q printed as %q: %v", src, text, err)
		}
		if err := p2.CheckUnused(); err != nil {
			t.Fatalf("%q printed as %q: %v", src, text, err)
		}
		for _, it := range []value.Item{nil, fuzzItem()} {
			a, _ := c.Eval(it)
			b, _ := c2.Eval(it)
			if a != b {
				t.Fatalf("%q = %v but its printed form %q = %v", src, a, text, b)
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		u, err := fuzzParams().ParseUpdate(src)
		checkValidation(t, "ParseUpdate", src, err)
		if u == nil {
			return
		}
		_ = u.Paths()
		text, nm, vs := u.Expression()
		u2, err := NewParams(nm, vs).ParseUpdate(text)
		if err != nil && len(text) <= MaxExpressionSize {
			t.Fatalf("%q printed as %q: %v", src, text, err)
		}
		for _, it := range []value.Item{nil, {}, fuzzItem()} {
			if u2 != nil {
				a, errA := u.Apply(it)
				b, errB := u2.Apply(it)
				if (errA == nil) != (errB == nil) || !value.EqualItems(a, b) {
					t.Fatalf("%q and its printed form %q differ: %v/%v vs %v/%v", src, text, a, errA, b, errB)
				}
			}
			var before value.Item
			if it != nil {
				before = deepCopy(it)
			}
			_, err := u.Apply(it)
			checkValidation(t, "Apply", src, err)
			if it != nil && !value.EqualItems(it, before) {
				t.Fatalf("Apply %q modified its input", src)
			}
		}
	})
}

func FuzzParseProjection(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		pr, err := fuzzParams().ParseProjection(src)
		checkValidation(t, "ParseProjection", src, err)
		if pr == nil {
			return
		}
		_ = pr.Apply(fuzzItem())
		_ = pr.Apply(nil)
	})
}

func FuzzParseKeyCondition(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		k, err := fuzzParams().ParseKeyCondition(src)
		checkValidation(t, "ParseKeyCondition", src, err)
		if k == nil {
			return
		}
		for _, schema := range [][2]string{{"a", ""}, {"a", "b"}, {"b", "a"}, {"x", "y"}} {
			err := k.Validate(schema[0], schema[1])
			checkValidation(t, "Validate", src, err)
			if err != nil {
				continue
			}
			checkValidation(t, "ValidateTypes", src, k.ValidateTypes(value.N, value.S))
			_ = k.Hash()
			_ = k.Match(s("bee"))
			_ = k.Match(n("5"))
		}
	})
}
